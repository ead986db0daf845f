import { PAGE_CSS } from '../../sla/render/page-style';

/**
 * The pages' one stylesheet, served at /ui/style.css so the policy allows styles from 'self' and
 * nothing inline: the report page's own rules, then the rules of the navigation, lists and forms.
 * Printing hides what only makes sense on screen (navigation, forms).
 */
const UI_CSS = `
nav.bar { display: flex; flex-wrap: wrap; gap: 16px; align-items: baseline; border-bottom: 1px solid var(--line); padding-bottom: 8px; margin-bottom: 16px; }
nav.bar .who { margin-left: auto; color: var(--muted); }
nav.bar form { display: inline; }
a { color: #2b6cb0; }
button { font: inherit; padding: 3px 12px; border: 1px solid #2b6cb0; border-radius: 3px; background: #2b6cb0; color: #fff; cursor: pointer; }
button.quiet { background: #fff; color: #2b6cb0; }
form.stacked label { display: block; margin: 8px 0 2px; font-weight: 600; }
form.stacked input, form.stacked select { font: inherit; padding: 3px 6px; min-width: 320px; }
form.inline input { font: inherit; padding: 2px 6px; }
.error { border-left: 4px solid var(--bad); background: #fff5f5; padding: 6px 10px; }
.done { border-left: 4px solid var(--ok); background: #f0fff4; padding: 6px 10px; }
.revoked td { color: var(--muted); }
details summary { cursor: pointer; }
.pager { display: flex; gap: 16px; margin: 8px 0; }
@media print {
  nav.bar, form, .pager, .screen-only { display: none; }
}
`;

export const UI_STYLESHEET = `${PAGE_CSS}${UI_CSS}`;
