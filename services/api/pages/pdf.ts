import { existsSync } from 'node:fs';
import { RequestError } from '../../core/errors';

/** Debian's Chromium, as the tests and the report page test use it. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * A printable page as PDF (A4, as the print stylesheet lays it out), through a headless Chromium
 * driven by playwright-core. The page is given as a whole document: nothing is fetched, no script
 * runs. Where Chromium or playwright-core is missing, a 501 names what to install.
 */
export async function pdfOf(html: string, chromiumPath = CHROMIUM): Promise<Buffer> {
  if (!existsSync(chromiumPath))
    throw new RequestError(
      501,
      `format: PDF needs Chromium at ${chromiumPath}, which is not installed here (apt-get install chromium); print the page instead`,
    );
  const playwright = await loadPlaywright();
  const browser = await playwright.chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}

/** playwright-core is a development dependency: a production install (npm ci --omit=dev) has none. */
async function loadPlaywright(): Promise<typeof import('playwright-core')> {
  try {
    return await import('playwright-core');
  } catch {
    throw new RequestError(
      501,
      'format: PDF needs the npm package playwright-core, which is not installed here (npm install playwright-core); print the page instead',
    );
  }
}
