import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, revokeToken } from '../services/auth/token-store';
import { freezeTenantMonth } from '../services/sla/freeze';
import { apiFixture, NOW, type ApiFixture } from './api-fixture';

/**
 * The service manager's pages (/ui/) in a real browser (Debian's chromium, driven by playwright-core):
 * sign in with a token, the tenant list, a report with its revisions and their changes, an exclusion
 * window recorded and revoked through the forms, a tenant token kept to its tenant, sign-out, and the
 * refusals (no CSRF token, a session whose token was revoked or that expired). Screenshots are kept
 * under test-artifacts/ui/ for a person to look at.
 */
const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'ui');

let f: ApiFixture;
let browser: Browser;
let base: string;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  f = await apiFixture();
  // February 2026 is over and past its grace: revision 1 exists before any window is recorded.
  await freezeTenantMonth(freezeDeps(), 't1', '2026-02');
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(f.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await f?.close();
});

function freezeDeps() {
  return { pool: f.db.pool, fleet: f.fleet, clock: f.clock, signingKey: null, graceHours: 72 };
}

/** A fresh browser profile that collects console errors, failed requests and CSP violations. */
async function browse(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 1200 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
  return { context, page, problems };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${base}/ui/sign-in`);
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${base}/ui/`), page.click('button[type=submit]')]);
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });

describe('the service manager pages in Chromium', () => {
  it('signs an admin in, lists the tenants, records and revokes a window, shows the revisions, signs out', async () => {
    const { context, page, problems } = await browse();
    const first = await page.goto(`${base}/ui/`);
    expect(first?.url()).toBe(`${base}/ui/sign-in`); // not signed in: the form
    await shot(page, 'sign-in.png');
    await signIn(page, f.tokens.admin);

    // the cookie: HttpOnly, SameSite=Strict, Path=/ui, not Secure over plain HTTP; the database keeps its hash
    const cookie = (await context.cookies()).find((c) => c.name === 'tsui_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/ui', secure: false });
    expect(cookie!.value).not.toContain(f.tokens.admin.slice(4, 20));
    const stored = await f.db.pool.query<{ session_hash: string; token_name: string; hours: number }>(
      'SELECT session_hash, token_name, extract(epoch FROM expires_at - created_at) / 3600 AS hours FROM ui_session',
    );
    expect(stored.rows).toEqual([
      { session_hash: createHash('sha256').update(cookie!.value).digest('hex'), token_name: 'ops-admin', hours: '12.0000000000000000' },
    ]);

    // the tenant list: every tenant, month to date
    expect(await page.locator('table.tenants tbody tr').count()).toBe(3);
    const t1 = page.locator('table.tenants tbody tr', { hasText: 't1' });
    expect(await t1.locator('td.avail').innerText()).toMatch(/^99\.\d+ %$/); // 30 bad minutes
    expect(await t1.locator('td.budget').innerText()).toMatch(/^\d+ of \d+ min$/);
    expect(await t1.locator('td.coverage').innerText()).toBe('100.00 %');
    expect(await page.evaluate(() => document.querySelectorAll('script, style, [style]').length)).toBe(0);
    await shot(page, 'tenants.png');

    // record a window for February through the form: it lands with its audit row, by the token's name
    await page.goto(`${base}/ui/exclusions`);
    await page.selectOption('#tenant', 't1');
    await page.selectOption('#kind', 'customer');
    await page.fill('#start', '2026-02-10T08:00:00Z');
    await page.fill('#end', '2026-02-10T09:00:00Z');
    await page.fill('#reason', 'customer data migration <b>requested</b>');
    await page.click('form.stacked button[type=submit]');
    await page.waitForURL(/\/ui\/exclusions\?recorded=\d+$/);
    expect(await page.locator('p.done').innerText()).toMatch(/^Window \d+ recorded\.$/);
    const row = page.locator('table.windows tr.active');
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').nth(5).innerText()).toBe('customer data migration <b>requested</b>'); // text, not markup
    const api = await f.app.inject({ url: '/api/v1/exclusions', headers: { authorization: `Bearer ${f.tokens.reader}` } });
    const windows = (api.json() as { exclusions: { id: string; recordedBy: string; kind: string }[] }).exclusions;
    expect(windows).toMatchObject([{ recordedBy: 'ops-admin', kind: 'customer' }]);
    await shot(page, 'exclusion-recorded.png');

    // a refused form comes back with the reason and its values
    await page.selectOption('#tenant', 't2');
    await page.fill('#start', '2026-02-30T08:00:00Z');
    await page.fill('#end', '2026-03-01T09:00:00Z');
    await page.fill('#reason', 'typo in the date');
    await page.click('form.stacked button[type=submit]');
    expect(await page.locator('p.error').innerText()).toMatch(/^start: expected an ISO 8601 time/);
    expect(await page.inputValue('#reason')).toBe('typo in the date');
    problems.splice(0); // the 400 answer is reported as a failed resource by the console

    // the window changes February: the next freeze makes revision 2, which names what changed
    await f.app.ready();
    expect(await freezeTenantMonth(freezeDeps(), 't1', '2026-02')).toMatchObject({ revision: 2, created: true });
    await page.goto(`${base}/ui/tenants/t1/2026-02`);
    expect(await page.locator('section.revisions tbody tr').count()).toBe(2);
    expect(await page.locator('section.revisions tbody tr').nth(1).innerText()).toContain('exclusion windows changed');
    await page.locator('section.revisions details summary').click();
    expect(await page.locator('section.revisions .changes').innerText()).toContain('exclusions[0].reason');
    expect(await page.locator('.period').innerText()).toContain('frozen, revision 2');
    await shot(page, 'report-revisions.png');
    // an earlier revision, through its link
    await page.click('section.revisions tbody tr >> nth=0 >> a');
    expect(await page.locator('.period').innerText()).toContain('frozen, revision 1');

    // March so far: the report page's content, one bar per day, its print layout
    await page.goto(`${base}/ui/tenants/t1/2026-03`);
    expect(await page.locator('svg.daily rect.bar').count()).toBe(31);
    expect(await page.locator('svg.daily rect.bar.missed').count()).toBe(1);
    expect(await page.locator('section.revisions').innerText()).toContain('No frozen revision yet');
    await shot(page, 'report-march.png');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav.bar').isVisible()).toBe(false);
    await shot(page, 'report-march-print.png');
    await page.emulateMedia({ media: 'screen' });

    // the PDF through Chromium, with the session's cookie
    const pdf = await page.request.get(`${base}/ui/tenants/t1/2026-03?format=pdf`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    const bytes = await pdf.body();
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    writeFileSync(join(ARTIFACTS, 'report-march.pdf'), bytes);

    // revoke the window with a reason: kept, marked revoked, two audit entries
    await page.goto(`${base}/ui/exclusions`);
    await page.fill('table.windows tr.active input[name=reason]', 'the migration was cancelled');
    await page.click('table.windows tr.active button');
    await page.waitForURL(/\/ui\/exclusions\?revoked=\d+$/);
    const revoked = page.locator('table.windows tr.revoked');
    expect(await revoked.count()).toBe(1);
    expect(await revoked.innerText()).toContain('revoked by ops-admin');
    await revoked.locator('details summary').click();
    expect(await revoked.locator('ul.audit li').count()).toBe(2);
    expect(await revoked.locator('ul.audit li').nth(1).innerText()).toContain('revoked by ops-admin');
    await shot(page, 'exclusion-revoked.png');

    // sign out: the session row is gone and the pages send the browser back to the form
    await page.click('nav.bar button');
    await page.waitForURL(`${base}/ui/sign-in?out=1`);
    expect(await page.locator('p.done').innerText()).toBe('You are signed out.');
    expect((await f.db.pool.query('SELECT 1 FROM ui_session')).rowCount).toBe(0);
    await page.goto(`${base}/ui/`);
    expect(page.url()).toBe(`${base}/ui/sign-in`);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('keeps a tenant token to its tenant: another tenant is 404, and no form writes', async () => {
    const { context, page, problems } = await browse();
    await signIn(page, f.tokens.t2);
    expect(await page.locator('table.tenants tbody tr').count()).toBe(1);
    expect(await page.locator('table.tenants tbody').innerText()).toContain('Tenant Two');
    const foreign = await page.goto(`${base}/ui/tenants/t1/2026-03`);
    expect(foreign?.status()).toBe(404);
    expect(await page.locator('p.error').innerText()).toBe('tenant: no tenant "t1"');
    await shot(page, 'tenant-refused-404.png');
    const own = await page.goto(`${base}/ui/tenants/t2/2026-03`);
    expect(own?.status()).toBe(200);
    await page.goto(`${base}/ui/exclusions`);
    expect(await page.locator('form.stacked').count()).toBe(0);
    expect(await page.locator('p.note').first().innerText()).toContain('Only an admin token');
    problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('404')));
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('refuses a POST without the CSRF token, from another origin, or from a read-only token', async () => {
    const { context, page } = await browse();
    await signIn(page, f.tokens.admin);
    const form = { kind: 'maintenance', cluster: 'c1', start: '2026-03-21T01:00:00Z', end: '2026-03-21T02:00:00Z', reason: 'forged' };
    const bare = await page.request.post(`${base}/ui/exclusions`, { form });
    expect(bare.status()).toBe(403);
    expect(await bare.text()).toContain('no valid CSRF token');
    const wrong = await page.request.post(`${base}/ui/exclusions`, { form: { ...form, _csrf: 'x'.repeat(43) } });
    expect(wrong.status()).toBe(403);
    const csrf = await page.locator('input[name=_csrf]').first().inputValue();
    const elsewhere = await page.request.post(`${base}/ui/exclusions`, {
      form: { ...form, _csrf: csrf },
      headers: { origin: 'https://evil.example' },
    });
    expect(elsewhere.status()).toBe(403);
    expect((await f.db.pool.query('SELECT 1 FROM sla_exclusion WHERE reason = $1', ['forged'])).rowCount).toBe(0);
    // the same form with the token is taken: the refusals above were about the token alone
    const taken = await page.request.post(`${base}/ui/exclusions`, {
      form: { ...form, reason: 'kernel updates', _csrf: csrf },
      maxRedirects: 0,
    });
    expect(taken.status()).toBe(303);
    await context.close();

    const reader = await browse();
    await signIn(reader.page, f.tokens.reader);
    const readerCsrf = await reader.page.locator('input[name=_csrf]').first().inputValue();
    const refused = await reader.page.request.post(`${base}/ui/exclusions`, { form: { ...form, _csrf: readerCsrf } });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('may not change exclusion windows');
    await reader.context.close();
  }, 60_000);

  it('ends the session of a revoked token and after 12 hours; refuses ingest and unknown tokens at sign-in', async () => {
    const { token } = await createToken(f.db.pool, { name: 'temp-admin', role: 'admin' }, new Date(NOW));
    const { context, page } = await browse();
    await signIn(page, token);
    await revokeToken(f.db.pool, 'temp-admin', new Date(NOW));
    await page.goto(`${base}/ui/`);
    expect(page.url()).toBe(`${base}/ui/sign-in?ended=1`);
    expect(await page.locator('p.error').innerText()).toContain('Your session has ended');
    await shot(page, 'session-ended.png');
    await context.close();

    const later = await browse();
    await signIn(later.page, f.tokens.reader);
    try {
      f.clock.set(NOW + 12 * 3_600_000);
      await later.page.goto(`${base}/ui/exclusions`);
      expect(later.page.url()).toBe(`${base}/ui/sign-in?ended=1`);
    } finally {
      f.clock.set(NOW);
    }
    await later.context.close();

    const refused = await browse();
    await refused.page.goto(`${base}/ui/sign-in`);
    await refused.page.fill('#token', f.tokens.ingest);
    const ingest = await Promise.all([refused.page.waitForResponse(`${base}/ui/sign-in`), refused.page.click('button[type=submit]')]);
    expect(ingest[0].status()).toBe(403);
    expect(await refused.page.locator('p.error').innerText()).toBe(
      'Token vector-c1 is an ingest token: it pushes log lines and reads nothing.',
    );
    await refused.page.fill('#token', f.tokens.revoked);
    const unknown = await Promise.all([refused.page.waitForResponse(`${base}/ui/sign-in`), refused.page.click('button[type=submit]')]);
    expect(unknown[0].status()).toBe(401);
    expect((await refused.context.cookies()).some((c) => c.name === 'tsui_session')).toBe(false);
    await refused.context.close();
  }, 60_000);

  it('answers with the pages policy: styles from the served sheet only, no script, forms to this origin', async () => {
    const res = await f.app.inject({ url: '/ui/sign-in' });
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'self'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    const sheet = await f.app.inject({ url: '/ui/style.css' });
    expect(sheet.statusCode).toBe(200);
    expect(sheet.headers['content-type']).toBe('text/css; charset=utf-8');
    // the API's own report page keeps its stricter policy (no form at all)
    const report = await f.app.inject({
      url: '/api/v1/reports/2026-03/t1?format=html',
      headers: { authorization: `Bearer ${f.tokens.admin}` },
    });
    expect(report.headers['content-security-policy']).toContain("form-action 'none'");
  });
});
