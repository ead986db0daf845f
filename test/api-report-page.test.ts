import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from './api-fixture';

/**
 * The printable report page in a real browser (Debian's chromium, driven by playwright-core): it
 * loads without a console error or a failed request, and the chart has one bar per local day.
 * A screenshot is kept at /tmp/tenantscope-report-page.png for a person to look at.
 */
const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT = '/tmp/tenantscope-report-page.png';

let f: ApiFixture;
let browser: Browser;
let base: string;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  f = await apiFixture();
  await f.app.inject({
    method: 'POST',
    url: '/api/v1/exclusions',
    headers: { authorization: `Bearer ${f.tokens.admin}` },
    payload: { cluster: 'c1', kind: 'maintenance', start: '2026-03-08T01:00:00Z', end: '2026-03-08T05:00:00Z', reason: 'kernel updates' },
  });
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

describe('report page in Chromium', () => {
  it('renders without console errors, with one bar per day of March in Berlin', async () => {
    const page = await browser.newPage({
      viewport: { width: 1000, height: 1400 },
      extraHTTPHeaders: { authorization: `Bearer ${f.tokens.admin}` },
    });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));

    const res = await page.goto(`${base}/api/v1/reports/2026-03/t1?format=html`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('svg.daily rect.bar').count()).toBe(31);
    expect(await page.locator('svg.daily rect.bar.missed').count()).toBe(1); // 5 March: the 30 failed minutes
    expect(await page.locator('svg.daily rect.excluded').count()).toBe(1); // 8 March: the cluster window
    expect(await page.locator('svg.daily rect.bar.empty').count()).toBe(11); // 21 to 31 March: after the report's time
    expect(await page.locator('svg.daily line.target').count()).toBe(1);
    expect(await page.locator('h1').innerText()).toContain('SLA report');
    // the hostile tenant name is shown as text, never run
    expect(await page.locator('.tenant strong').innerText()).toBe('Acme, "Clinics" <script>alert(1)</script>');
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(0);
    expect(await page.locator('.unsigned').innerText()).toContain('UNSIGNED');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('svg.daily rect.bar').count()).toBe(31);
    expect(problems).toEqual([]);
    expect(requests).toEqual([`${base}/api/v1/reports/2026-03/t1?format=html`]); // no external asset
    await page.close();
  }, 60_000);
});
