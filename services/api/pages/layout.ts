import type { Principal } from '../../auth/principal';
import { escapeHtml as e } from '../../sla/render/escape';

/** Who is signed in, and the CSRF token every form of theirs carries. */
export interface Viewer {
  who: Principal;
  csrf: string;
}

export const STYLESHEET_PATH = '/ui/style.css';

/**
 * A whole page: the shared head (the served stylesheet, no script), the navigation with the
 * sign-out form when someone is signed in, then `body` (already escaped HTML).
 */
export function page(title: string, body: string, viewer?: Viewer): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STYLESHEET_PATH}">
<title>${e(title)} · tenantscope</title>
</head>
<body>
${viewer ? navigation(viewer) : ''}
${body}
</body>
</html>
`;
}

function navigation({ who, csrf }: Viewer): string {
  return `<nav class="bar">
<strong>tenantscope</strong>
<a href="/ui/">Tenants</a>
<a href="/ui/exclusions">Exclusion windows</a>
<span class="who">signed in with token <strong>${e(who.name)}</strong> (${e(roleText(who))})</span>
<form method="post" action="/ui/sign-out">${csrfField(csrf)}<button class="quiet" type="submit">Sign out</button></form>
</nav>`;
}

/** The hidden field that carries the session's CSRF token in every form that changes something. */
export function csrfField(csrf: string): string {
  return `<input type="hidden" name="_csrf" value="${e(csrf)}">`;
}

function roleText(who: Principal): string {
  return who.role === 'tenant' ? `tenant ${who.tenant}` : who.role;
}

/** A message box: an error (4xx) or a confirmation; '' for none. */
export function notice(kind: 'error' | 'done', text: string | undefined): string {
  return text ? `<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${e(text)}</p>` : '';
}
