import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clfTime, parseClfLine, withoutContainerPrefix } from './access-clf';

// Lines as each Traefik version's CommonLogFormatter writes them (logger_formatters.go).
const V3 =
  '10.0.0.7 - - [01/Mar/2026:10:00:07 +0100] "GET /web/login HTTP/2.0" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64)" 1842 "acme-web@docker" "http://172.18.0.5:8069" 183ms';
// v2.1: an absent service URL as an unquoted dash (traefik#6481); the origin's status
const V21_NO_URL = '203.0.113.9 - - [01/Mar/2026:09:02:00 +0000] "GET / HTTP/1.1" - - "-" "curl/8.5.0" 77 - - 0ms';
// a client that left: status 0; a comma list of client hosts; a basic-auth user
const ABORTED =
  '10.0.0.8, 192.0.2.1 - alice [01/Mar/2026:04:01:00 -0500] "POST /websocket HTTP/1.1" 0 0 "https://bergmann.erp.example.com/web" "Mozilla/5.0" 9 "bergmann-web@docker" "http://172.18.0.6:8069" 61000ms';
// v3 genericCLF: the first ten fields only
const GENERIC = '10.0.0.7 - - [01/Mar/2026:10:00:07 +0100] "GET /web/assets/x.js HTTP/1.1" 304 0 "-" "Mozilla/5.0"';
// a user agent holding quotes, and a path with a query
const QUOTED_AGENT =
  '10.0.0.9 - - [29/Feb/2028:23:59:59 +0000] "GET /web/dataset/call_kw/sale.order/read?x=1 HTTP/1.1" 500 312 "-" "Weird "agent" v1" 12 "delta-web@file" "http://10.1.0.4:8069" 5ms';

describe('traefik Common Log Format', () => {
  it.each([
    [
      'v3 with router, URL and duration',
      V3,
      {
        ts: Date.UTC(2026, 2, 1, 9, 0, 7),
        clientHost: '10.0.0.7',
        user: null,
        method: 'GET',
        path: '/web/login',
        protocol: 'HTTP/2.0',
        status: 200,
        responseBytes: 5120,
        referer: null,
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
        requestCount: 1842,
        router: 'acme-web@docker',
        serviceUrl: 'http://172.18.0.5:8069',
        durationSeconds: 0.183,
      },
    ],
    [
      'v2.1 without a router or URL',
      V21_NO_URL,
      { status: null, responseBytes: null, router: null, serviceUrl: null, requestCount: 77, durationSeconds: 0 },
    ],
    [
      'a client that left, behind proxies, with a user',
      ABORTED,
      {
        ts: Date.UTC(2026, 2, 1, 9, 1, 0),
        clientHost: '10.0.0.8, 192.0.2.1',
        user: 'alice',
        status: 0,
        referer: 'https://bergmann.erp.example.com/web',
        durationSeconds: 61,
      },
    ],
    [
      'genericCLF',
      GENERIC,
      { status: 304, userAgent: 'Mozilla/5.0', router: null, serviceUrl: null, requestCount: null, durationSeconds: null },
    ],
    [
      'an agent with quotes on 29 February',
      QUOTED_AGENT,
      {
        ts: Date.UTC(2028, 1, 29, 23, 59, 59),
        userAgent: 'Weird "agent" v1',
        path: '/web/dataset/call_kw/sale.order/read?x=1',
        router: 'delta-web@file',
        status: 500,
      },
    ],
  ])('reads %s', (_, line, expected) => {
    expect(parseClfLine(line)).toMatchObject(expected);
  });

  it.each([
    ['a JSON line', '{"RequestHost":"a"}'],
    ['an Odoo log line', '2026-03-01 09:00:07,123 4242 INFO acme werkzeug: 10.0.0.7 - - "GET /web HTTP/1.1" 200 - 3 0.010 0.020'],
    ['no time', '10.0.0.7 - - "GET / HTTP/1.1" 200 5 "-" "-" 1 "r" "u" 1ms'],
    ['31 February', '10.0.0.7 - - [31/Feb/2026:10:00:07 +0000] "GET / HTTP/1.1" 200 5'],
    ['a month in French', '10.0.0.7 - - [01/Mär/2026:10:00:07 +0000] "GET / HTTP/1.1" 200 5'],
    ['a request line of two words', '10.0.0.7 - - [01/Mar/2026:10:00:07 +0000] "GET /" 200 5'],
    ['a status of four digits', '10.0.0.7 - - [01/Mar/2026:10:00:07 +0000] "GET / HTTP/1.1" 2000 5'],
    ['a cut line', V3.slice(0, 120)],
  ])('refuses %s', (_, line) => {
    expect(parseClfLine(line)).toBeUndefined();
  });

  it.each([
    ['docker compose', `traefik-1  | ${V3}`],
    ['docker-compose v1', `proxy_traefik_1   | ${V3}`],
    ['kubectl logs --prefix', `[pod/traefik-7d9c/traefik] ${V3}`],
  ])('removes the %s prefix', (_, line) => {
    expect(withoutContainerPrefix(line)).toBe(V3);
  });

  it('reads the offset of the time zone both ways', () => {
    expect(clfTime('01/Mar/2026:10:00:07 +0530')).toBe(Date.UTC(2026, 2, 1, 4, 30, 7));
    expect(clfTime('28/Feb/2026:22:00:00 -0230')).toBe(Date.UTC(2026, 2, 1, 0, 30, 0));
    expect(clfTime('-')).toBeUndefined();
  });

  it('reads back every field of a line written as Traefik writes it', () => {
    const text = fc.stringMatching(/^[a-zA-Z0-9 ./:;()_-]{1,30}$/).filter((s) => s.trim() === s && s !== '-');
    const word = fc.stringMatching(/^[a-zA-Z0-9/._?=&%-]{1,40}$/).filter((s) => s !== '-');
    fc.assert(
      fc.property(
        fc.record({
          client: fc.ipV4(),
          ts: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }).map((ms) => ms - (ms % 1000)),
          offsetMinutes: fc.integer({ min: -12 * 60, max: 14 * 60 }),
          method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
          path: word.map((w) => `/${w}`),
          status: fc.option(fc.integer({ min: 0, max: 599 })),
          size: fc.option(fc.nat()),
          agent: fc.option(text),
          count: fc.nat(),
          router: fc.option(word),
          url: fc.option(word.map((w) => `http://${w}`)),
          ms: fc.nat({ max: 10_000_000 }),
        }),
        (r) => {
          const q = (v: string | null) => (v === null ? '-' : `"${v}"`);
          const line = `${r.client} - - [${formatTime(r.ts, r.offsetMinutes)}] "${r.method} ${r.path} HTTP/1.1" ${r.status ?? '-'} ${r.size ?? '-'} "-" ${q(r.agent)} ${r.count} ${q(r.router)} ${q(r.url)} ${r.ms}ms`;
          expect(parseClfLine(line)).toEqual({
            ts: r.ts,
            clientHost: r.client,
            user: null,
            method: r.method,
            path: r.path,
            protocol: 'HTTP/1.1',
            status: r.status,
            responseBytes: r.size,
            referer: null,
            userAgent: r.agent,
            requestCount: r.count,
            router: r.router,
            serviceUrl: r.url,
            durationSeconds: r.ms / 1000,
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** Go's `02/Jan/2006:15:04:05 -0700` of an instant in a zone `offsetMinutes` east of UTC. */
function formatTime(ms: number, offsetMinutes: number): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const sign = offsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(offsetMinutes);
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${sign}${p(Math.floor(off / 60))}${p(off % 60)}`;
}
