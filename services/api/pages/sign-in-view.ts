import { escapeHtml as e } from '../../sla/render/escape';
import { notice, page } from './layout';

/** The sign-in form: an API token (not ingest), posted with the sign-in cookie's CSRF value. */
export function signInPage(csrf: string, message?: { kind: 'error' | 'done'; text: string }): string {
  return page(
    'Sign in',
    `<h1>Sign in</h1>
${message ? notice(message.kind, message.text) : ''}
<p>Paste an API token (<code>tenantscope token create --name NAME --role admin|read-only|tenant</code> prints one). The token is checked once and is not kept in the browser: a session of at most 12 hours stands for it, and ends when the token is revoked.</p>
<form class="stacked" method="post" action="/ui/sign-in">
<input type="hidden" name="_csrf" value="${e(csrf)}">
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<p><button type="submit">Sign in</button></p>
</form>`,
  );
}
