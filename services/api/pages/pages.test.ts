import { describe, expect, it } from 'vitest';
import { csrfMatches, csrfToken } from '../../auth/session-store';
import { cookieValue, setCookie } from './cookies';
import { exclusionsPage } from './exclusions-view';
import { parseForm } from './form';
import { page } from './layout';
import { pdfOf } from './pdf';
import { signInPage } from './sign-in-view';

const admin = { who: { name: 'ops<admin>', role: 'admin' as const }, csrf: 'c"srf' };

describe('cookies', () => {
  it.each([
    ['a=1; tsui_session=abc; b=2', 'abc'],
    ['tsui_session="abc"', 'abc'],
    ['xtsui_session=abc', undefined],
    ['tsui_session=first; tsui_session=second', 'first'],
    [undefined, undefined],
  ])('reads %s', (header, expected) => {
    expect(cookieValue(header, 'tsui_session')).toBe(expected);
  });

  it('writes HttpOnly and SameSite=Strict always, Secure over HTTPS only', () => {
    expect(setCookie('s', 'abc', { path: '/ui', maxAgeSeconds: 60, secure: false })).toBe(
      's=abc; Path=/ui; Max-Age=60; HttpOnly; SameSite=Strict',
    );
    expect(setCookie('s', 'abc', { path: '/ui', maxAgeSeconds: 60, secure: true })).toMatch(/; Secure$/);
    expect(() => setCookie('s', 'a;b', { path: '/ui', maxAgeSeconds: 0, secure: false })).toThrow('cookie s: expected a base64url value');
  });
});

describe('forms', () => {
  it('reads each field once, __proto__ included, and refuses a field given twice', () => {
    const body = parseForm('reason=kernel+updates%21&__proto__=x');
    expect(body.reason).toBe('kernel updates!');
    expect(body.__proto__).toBe('x');
    expect(() => parseForm('a=1&a=2')).toThrow('a: given twice in the form');
  });
});

describe('CSRF tokens', () => {
  it('are tied to the session and compared whole', () => {
    const token = csrfToken('session-a');
    expect(csrfMatches('session-a', token)).toBe(true);
    expect(csrfMatches('session-b', token)).toBe(false);
    expect(csrfMatches('session-a', token.slice(1))).toBe(false);
    expect(csrfMatches('session-a', undefined)).toBe(false);
  });
});

describe('views', () => {
  it('escape every value and carry no script and no inline style', () => {
    const html = page('<t>', '<p>x</p>', admin);
    expect(html).toContain('ops&lt;admin&gt;');
    expect(html).toContain('value="c&quot;srf"');
    expect(html).toContain('<title>&lt;t&gt; · tenantscope</title>');
    for (const doc of [html, signInPage('abc')]) expect(doc).not.toMatch(/<script|<style|style=/);
  });

  it('shows the forms of the exclusion page to a writer only', () => {
    const fleet = { tenants: [], clusters: {} } as never;
    expect(exclusionsPage({ rows: [], fleet, writer: true }, admin)).toContain('action="/ui/exclusions"');
    expect(exclusionsPage({ rows: [], fleet, writer: false }, admin)).not.toContain('<form class="stacked"');
  });
});

describe('PDF', () => {
  it('is a 501 naming Chromium where it is missing', async () => {
    await expect(pdfOf('<p>x</p>', '/nonexistent/chromium')).rejects.toMatchObject({
      statusCode: 501,
      message: expect.stringContaining('PDF needs Chromium at /nonexistent/chromium'),
    });
  });
});
