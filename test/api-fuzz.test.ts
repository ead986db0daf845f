import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, as, type ApiFixture } from './api-fixture';

// No input reaches a 5xx. Every route's path parameters, query strings and bodies are
// fuzzed with an admin and a tenant token; a refusal is a 4xx in the API's shape, { error }.
let f: ApiFixture;
beforeAll(async () => {
  f = await apiFixture({ ingest: true });
});
afterAll(() => f.close());

interface Call {
  method: 'GET' | 'POST';
  url: string;
  payload?: string;
  contentType?: string;
}

/** UTF-8 bytes of `text`, with a lone surrogate written as its three WTF-8 bytes (invalid UTF-8). */
function wtf8(text: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    if (c > 0xffff) i += 1;
    const s = String.fromCodePoint(c);
    if (c >= 0xd800 && c <= 0xdfff) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else bytes.push(...Buffer.from(s, 'utf8'));
  }
  return bytes;
}
const UNRESERVED = /^[A-Za-z0-9._~-]$/;
/** Percent-encodes everything but unreserved characters, lone surrogates included. */
const encode = (text: string) =>
  wtf8(text)
    .map((b) => (b < 0x80 && UNRESERVED.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`))
    .join('');

const pad = (n: number, width: number) => String(n).padStart(width, '0');
// Characters that have broken things: NUL, controls, lone surrogates, astral, quotes, separators.
const oddChar = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\u0001',
    '\n',
    '\r',
    '\t',
    '"',
    "'",
    '\\',
    '/',
    '?',
    '#',
    '&',
    '=',
    '%',
    '+',
    ' ',
    ',',
    ';',
    '\u2028',
    '\ufeff',
  ),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: fc.oneof(oddChar, fc.constantFrom('a', 't', '1', '-')), maxLength: 12 }),
  fc.constantFrom('', 't1', 't2', 't3', 'c1', 'c2', 'acme', 'x'.repeat(101), 'x'.repeat(1001)),
);
const month = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 })).map(([y, m]) => `${pad(y, 4)}-${pad(m, 2)}`),
  fc.constantFrom('1969-12', '1970-01', '2026-02', '2026-03', '2026-04', '9999-12', '1892-03', '1850-01', '0000-01'),
);
const instant = fc.oneof(
  fc
    .record({
      y: fc.integer({ min: 0, max: 9999 }),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 25 }),
      mi: fc.integer({ min: 0, max: 61 }),
      zone: fc.constantFrom('Z', '+01:00', '-14:00', '+99:99', '', '+0100'),
    })
    .map(({ y, mo, d, h, mi, zone }) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:00${zone}`),
  fc.constantFrom(
    '-271821-04-20T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-10T02:00:00Z',
    '2026-03-10T04:00:00.123456789+01:00',
    '1e+26',
  ),
);
const segment = fc.oneof(text, month, instant, fc.constantFrom('1', '0', '99999999999999999999', '18446744073709551616'));
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  segment,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(segment, { maxLength: 2 }),
  fc.dictionary(fc.constantFrom('a', 'tenant', '__proto__'), segment, { maxKeys: 2 }),
);

/** A query string: known and unknown keys, some repeated (an array to the parser), values raw or encoded. */
const query = (keys: string[]) =>
  fc
    .array(
      fc.tuple(fc.constantFrom(...keys, 'unknown', ''), fc.oneof(segment, fc.constantFrom('%', '%zz', '%ED%A0%80', '%00', '%C0%80'))),
      {
        maxLength: 4,
      },
    )
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v.startsWith('%') ? v : encode(v)}`).join('&')}`));
const path = fc.oneof(segment.map(encode), fc.constantFrom('%', '%zz', '%ED%A0%80', '%00', '%C0%80', '%FF', 'x'.repeat(120), '..', '.'));
const body = (fields: string[]) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.dictionary(fc.constantFrom(...fields, 'extra'), anyValue, { maxKeys: fields.length + 1 }).map((o) => JSON.stringify(o)),
    },
    fc.constantFrom('', '{', 'null', '[]', '"x"', '1', '{"reason":"\\u0000"}', '{"reason":"\\ud800"}', '\u0000'),
    fc.string({ maxLength: 20 }),
  );
const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/x-ndjson', ''),
);
// A valid exclusion body with one or two fields changed, so the fuzz gets past the schema to the store.
const validExclusion = fc.record({
  tenant: fc.constantFrom('t1', 't2', 't3'),
  kind: fc.constantFrom('maintenance', 'customer', 'force-majeure'),
  start: fc.constantFrom('2026-03-10T02:00:00Z', '2026-03-01T00:00:00+01:00'),
  end: fc.constantFrom('2026-03-10T04:00:00Z', '2026-04-01T00:00:00+02:00'),
  reason: fc.constantFrom('upgrade', 'customer asked'),
});
const exclusionBody = fc.oneof(
  body(['tenant', 'cluster', 'kind', 'start', 'end', 'reason']),
  fc
    .tuple(
      validExclusion,
      fc.dictionary(fc.constantFrom('tenant', 'cluster', 'kind', 'start', 'end', 'reason'), fc.oneof(anyValue, instant), { maxKeys: 2 }),
    )
    .map(([valid, changes]) => JSON.stringify({ ...valid, ...changes })),
);
const odooLine = fc
  .record({
    pid: fc.oneof(fc.integer({ min: 0 }), fc.constantFrom('2147483648', '1'.padEnd(27, '0'))),
    db: text,
    sql: fc.double(),
    status: fc.integer({ min: 0, max: 999 }),
  })
  .map(
    ({ pid, db, sql, status }) =>
      `2026-03-01 10:00:00,000 ${pid} INFO ${db || '?'} werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:00] "GET /web HTTP/1.1" ${status} - 3 ${sql} 0.1`,
  );

const calls: fc.Arbitrary<Call> = fc.oneof(
  fc.constantFrom<Call>(
    { method: 'GET', url: '/healthz' },
    { method: 'GET', url: '/readyz' },
    { method: 'GET', url: '/metrics' },
    { method: 'GET', url: '/openapi.json' },
    { method: 'GET', url: '/api/v1/tenants' },
  ),
  path.map((id): Call => ({ method: 'GET', url: `/api/v1/tenants/${id}` })),
  query(['tenant', 'cluster', 'from', 'to']).map((q): Call => ({ method: 'GET', url: `/api/v1/exclusions${q}` })),
  fc
    .tuple(exclusionBody, contentType)
    .map(([payload, type]): Call => ({ method: 'POST', url: '/api/v1/exclusions', payload, contentType: type })),
  fc
    .tuple(
      fc.oneof(path, fc.constantFrom('1', '2')),
      fc.oneof(
        body(['reason']),
        text.map((reason) => JSON.stringify({ reason })),
      ),
      contentType,
    )
    .map(([id, payload, type]): Call => ({ method: 'POST', url: `/api/v1/exclusions/${id}/revoke`, payload, contentType: type })),
  path.map((id): Call => ({ method: 'GET', url: `/api/v1/exclusions/${id}/audit` })),
  fc.tuple(fc.oneof(month, path), query(['format'])).map(([m, q]): Call => ({ method: 'GET', url: `/api/v1/reports/${m}${q}` })),
  fc
    .tuple(fc.oneof(month, path), fc.oneof(fc.constantFrom('t1', 't2', 't3'), path), query(['format', 'revision']))
    .map(([m, t, q]): Call => ({ method: 'GET', url: `/api/v1/reports/${m}/${t}${q}` })),
  fc
    .tuple(fc.oneof(month, path), fc.oneof(fc.constantFrom('t1', 't2', 't3'), path))
    .map(([m, t]): Call => ({ method: 'GET', url: `/api/v1/reports/${m}/${t}/revisions` })),
  query(['from', 'to', 'tenant']).map((q): Call => ({ method: 'GET', url: `/api/v1/noisy/incidents${q}` })),
  fc.tuple(fc.oneof(month, path), query(['format'])).map(([m, q]): Call => ({ method: 'GET', url: `/api/v1/usage/${m}${q}` })),
  fc
    .tuple(
      fc.oneof(fc.constant('c1'), path),
      fc.oneof(
        fc.array(odooLine, { maxLength: 3 }).map((l) => l.join('\n')),
        body(['message', 'log']),
      ),
      contentType,
    )
    .map(([c, payload, type]): Call => ({ method: 'POST', url: `/ingest/odoo-log/${c}`, payload, contentType: type })),
);

const send = (call: Call, token: string): Promise<LightMyRequestResponse> =>
  f.app.inject({
    method: call.method,
    url: call.url,
    headers: { ...as(token), ...(call.contentType && { 'content-type': call.contentType }) },
    ...(call.payload !== undefined && { payload: call.payload }),
  });

/** A refusal in the API's shape: a JSON object with one text field, `error`. */
function expectApiError(response: LightMyRequestResponse): void {
  let parsed: unknown;
  try {
    parsed = response.json();
  } catch {
    parsed = response.body;
  }
  expect(parsed, `${response.statusCode} ${response.body}`).toEqual({ error: expect.any(String) });
}

describe('every route under fuzzed input', () => {
  it.each(['admin', 't1', 'ingest'] as const)('with the %s token, never answers 5xx, and every 4xx is { error }', async (who) => {
    await fc.assert(
      fc.asyncProperty(calls, async (call) => {
        const response = await send(call, f.tokens[who]);
        expect(response.statusCode, `${call.method} ${call.url} ${call.payload ?? ''}: ${response.body}`).toBeLessThan(500);
        if (response.statusCode >= 400) expectApiError(response);
      }),
      { numRuns: 1000 },
    );
  });
});

const exclusion = (fields: Record<string, unknown>) =>
  JSON.stringify({ tenant: 't1', kind: 'maintenance', start: '2026-03-10T02:00:00Z', end: '2026-03-10T04:00:00Z', reason: 'x', ...fields });

// [what, token, call, status, the field the error names]
const NAMED: [string, 'admin' | 't1', Call, number, string][] = [
  ['month 0000-01', 'admin', { method: 'GET', url: '/api/v1/reports/0000-01' }, 400, 'month'],
  ['month 1850-01', 'admin', { method: 'GET', url: '/api/v1/reports/1850-01' }, 400, 'month'],
  ['month 1969-12', 'admin', { method: 'GET', url: '/api/v1/reports/1969-12/t1' }, 400, 'month'],
  ['month 1892-03 (Berlin)', 'admin', { method: 'GET', url: '/api/v1/reports/1892-03/t1' }, 400, 'month'],
  ['month 1892-03 (Berlin), tenant token', 't1', { method: 'GET', url: '/api/v1/reports/1892-03/t1' }, 400, 'month'],
  ['month 1892-03, all tenants, tenant token', 't1', { method: 'GET', url: '/api/v1/reports/1892-03' }, 400, 'month'],
  ['month 0000-01, revisions', 'admin', { method: 'GET', url: '/api/v1/reports/0000-01/t1/revisions' }, 400, 'month'],
  ['usage month 0000-01', 'admin', { method: 'GET', url: '/api/v1/usage/0000-01' }, 400, 'month'],
  ['usage month 1892-03', 't1', { method: 'GET', url: '/api/v1/usage/1892-03' }, 400, 'month'],
  ['incidents from -271821', 'admin', { method: 'GET', url: '/api/v1/noisy/incidents?from=-271821-04-20T00:00:00Z' }, 400, 'from'],
  ['incidents to +275760', 't1', { method: 'GET', url: '/api/v1/noisy/incidents?to=%2B275760-09-13T00:00:00Z' }, 400, 'to'],
  ['incidents from 2026-02-30', 'admin', { method: 'GET', url: '/api/v1/noisy/incidents?from=2026-02-30T00:00:00Z' }, 400, 'from'],
  ['exclusions from NUL', 'admin', { method: 'GET', url: '/api/v1/exclusions?from=%00' }, 400, 'from'],
  ['exclusions cluster NUL', 'admin', { method: 'GET', url: '/api/v1/exclusions?cluster=c%001' }, 400, 'cluster'],
  ['exclusions cluster lone surrogate', 'admin', { method: 'GET', url: '/api/v1/exclusions?cluster=%ED%A0%80' }, 400, 'cluster'],
  ['exclusions tenant twice (an array)', 'admin', { method: 'GET', url: '/api/v1/exclusions?tenant=t1&tenant=t2' }, 400, 'tenant'],
  ['exclusions from 2026-02-30', 'admin', { method: 'GET', url: '/api/v1/exclusions?from=2026-02-30T00:00:00Z' }, 400, 'from'],
  ['revision 1.5', 'admin', { method: 'GET', url: '/api/v1/reports/2026-03/t1?revision=1.5' }, 400, 'revision'],
  ['revision 1e30', 'admin', { method: 'GET', url: '/api/v1/reports/2026-03/t1?revision=1e30' }, 400, 'revision'],
  ['revision past int4', 'admin', { method: 'GET', url: '/api/v1/reports/2026-03/t1?revision=2147483648' }, 400, 'revision'],
  ['format twice', 'admin', { method: 'GET', url: '/api/v1/reports/2026-03?format=csv&format=json' }, 400, 'format'],
  ['reason with NUL', 'admin', { method: 'POST', url: '/api/v1/exclusions', payload: exclusion({ reason: 'a\u0000b' }) }, 400, 'reason'],
  [
    'reason with a lone surrogate',
    'admin',
    { method: 'POST', url: '/api/v1/exclusions', payload: exclusion({ reason: 'a\ud800b' }) },
    400,
    'reason',
  ],
  ['reason a number', 'admin', { method: 'POST', url: '/api/v1/exclusions', payload: exclusion({ reason: 42 }) }, 400, 'reason'],
  ['tenant an array', 'admin', { method: 'POST', url: '/api/v1/exclusions', payload: exclusion({ tenant: ['t1'] }) }, 400, 'tenant'],
  [
    'start 2026-02-30',
    'admin',
    { method: 'POST', url: '/api/v1/exclusions', payload: exclusion({ start: '2026-02-30T00:00:00Z' }) },
    400,
    'start',
  ],
  ['end 24:00', 'admin', { method: 'POST', url: '/api/v1/exclusions', payload: exclusion({ end: '2026-03-10T24:00:00Z' }) }, 400, 'end'],
  [
    'start in year 0000',
    'admin',
    { method: 'POST', url: '/api/v1/exclusions', payload: exclusion({ start: '0000-01-01T00:00:00Z' }) },
    400,
    'start',
  ],
  [
    'cluster with NUL',
    'admin',
    { method: 'POST', url: '/api/v1/exclusions', payload: exclusion({ tenant: undefined, cluster: 'c\u00001' }) },
    400,
    'cluster',
  ],
  [
    'revoke reason with NUL',
    'admin',
    { method: 'POST', url: '/api/v1/exclusions/1/revoke', payload: '{"reason":"\\u0000"}' },
    400,
    'reason',
  ],
  [
    'revoke reason a lone surrogate',
    'admin',
    { method: 'POST', url: '/api/v1/exclusions/1/revoke', payload: '{"reason":"\\udc00"}' },
    400,
    'reason',
  ],
  ['exclusion id past int8', 'admin', { method: 'GET', url: '/api/v1/exclusions/99999999999999999999/audit' }, 404, 'id'],
  ['bad JSON', 'admin', { method: 'POST', url: '/api/v1/exclusions', payload: '{"tenant":' }, 400, 'body'],
  [
    'a body that is not JSON',
    'admin',
    { method: 'POST', url: '/api/v1/exclusions', payload: 'reason=x', contentType: 'text/plain' },
    415,
    'content-type',
  ],
  ['a tenant id past the path limit', 'admin', { method: 'GET', url: `/api/v1/tenants/${'t'.repeat(120)}` }, 414, 'url'],
  ['a path that is not UTF-8', 'admin', { method: 'GET', url: '/api/v1/tenants/%ED%A0%80' }, 400, 'url'],
];

describe('named bad inputs', () => {
  it.each(NAMED)('%s (%s token)', async (_what, who, call, status, field) => {
    const response = await send({ contentType: 'application/json', ...call }, f.tokens[who]);
    expect(response.statusCode, response.body).toBe(status);
    expectApiError(response);
    expect(response.json().error).toMatch(new RegExp(`^${field}: `));
  });

  it('a body past the limit is 413 in the API shape', async () => {
    const response = await send(
      {
        method: 'POST',
        url: '/api/v1/exclusions',
        payload: exclusion({ reason: 'x'.repeat(2 * 1024 * 1024) }),
        contentType: 'application/json',
      },
      f.tokens.admin,
    );
    expect(response.statusCode).toBe(413);
    expectApiError(response);
    expect(response.json().error).toMatch(/^body: /);
  });

  it('an impossible date is refused, never rolled over into another day', async () => {
    const response = await send(
      {
        method: 'POST',
        url: '/api/v1/exclusions',
        payload: exclusion({ start: '2026-02-30T00:00:00Z', end: '2026-03-03T00:00:00Z' }),
        contentType: 'application/json',
      },
      f.tokens.admin,
    );
    expect(response.statusCode).toBe(400);
    const listed = await send(
      { method: 'GET', url: '/api/v1/exclusions?tenant=t1&from=2026-03-01T00:00:00Z&to=2026-03-04T00:00:00Z' },
      f.tokens.admin,
    );
    expect(listed.json().exclusions.filter((x: { start: string }) => x.start === '2026-03-02T00:00:00.000Z')).toEqual([]);
  });
});
