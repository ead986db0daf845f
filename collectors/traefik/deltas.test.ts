import { describe, expect, it } from 'vitest';
import type { RouterSeries } from './read';
import { computeDeltas } from './deltas';
import { attribute, ingressClass } from './collector';

const series = (code: string, requests: number, extra: Partial<RouterSeries> = {}): RouterSeries => ({
  router: 'a@docker',
  service: 'a-odoo@docker',
  code,
  method: 'GET',
  protocol: 'http',
  requests,
  ...extra,
});
const hist = (cumulative: number[], sum: number) => ({ bounds: [0.1, 1], cumulative, sum, count: cumulative[cumulative.length - 1]! });
const scrape = (at: number, s: RouterSeries[], processStartSeconds: number | null = 100) => ({
  scrapedAt: at,
  series: s,
  processStartSeconds,
  metricSet: 'v3' as const,
  samples: 0,
  rejected: 0,
});
const GAP = 300_000;

describe('traefik counter deltas', () => {
  it('first scrape only sets the baseline', () => {
    const d = computeDeltas(undefined, scrape(0, [series('200', 50)]), GAP);
    expect(d).toMatchObject({ outcome: 'baseline', deltas: [] });
    expect(d.next.counters).not.toEqual({});
  });

  it('gives per-series deltas, the whole value of a new series, nothing for an unchanged one', () => {
    const first = computeDeltas(
      undefined,
      scrape(0, [series('200', 50, { responseBytes: 1000, duration: hist([3, 5, 6], 2) }), series('404', 2)]),
      GAP,
    );
    const second = computeDeltas(
      first.next,
      scrape(15_000, [series('200', 58, { responseBytes: 1800, duration: hist([4, 9, 10], 3.5) }), series('404', 2), series('502', 3)]),
      GAP,
    );
    expect(second.outcome).toBe('deltas');
    expect(second.deltas).toEqual([
      {
        router: 'a@docker',
        service: 'a-odoo@docker',
        code: '200',
        protocol: 'http',
        requests: 8,
        responseBytes: 800,
        duration: { bounds: [0.1, 1], counts: [1, 3, 0], sum: 1.5 },
      },
      { router: 'a@docker', service: 'a-odoo@docker', code: '502', protocol: 'http', requests: 3 },
    ]);
  });

  it('drops a series whose counter went down, keeps the others', () => {
    const first = computeDeltas(undefined, scrape(0, [series('200', 50), series('500', 9)]), GAP);
    const second = computeDeltas(first.next, scrape(15_000, [series('200', 55), series('500', 2)]), GAP);
    expect(second.resetSeries).toBe(1);
    expect(second.deltas.map((d) => [d.code, d.requests])).toEqual([['200', 5]]);
    // the lower value is the next baseline
    const third = computeDeltas(second.next, scrape(30_000, [series('200', 55), series('500', 4)]), GAP);
    expect(third.deltas.map((d) => [d.code, d.requests])).toEqual([['500', 2]]);
  });

  it('drops a histogram that went down even when the request counter did not', () => {
    const first = computeDeltas(undefined, scrape(0, [series('200', 5, { duration: hist([3, 5, 5], 2) })]), GAP);
    const second = computeDeltas(first.next, scrape(15_000, [series('200', 6, { duration: hist([1, 1, 1], 0.1) })]), GAP);
    expect(second).toMatchObject({ resetSeries: 1, deltas: [] });
  });

  it('drops the whole interval on a restart (process start changed) and on a long gap', () => {
    const first = computeDeltas(undefined, scrape(0, [series('200', 5)]), GAP);
    expect(computeDeltas(first.next, scrape(15_000, [series('200', 90)], 200), GAP)).toMatchObject({ outcome: 'restart', deltas: [] });
    expect(computeDeltas(first.next, scrape(GAP + 1, [series('200', 90)]), GAP)).toMatchObject({ outcome: 'gap', deltas: [] });
  });

  it('leaves out a counter that appeared on a known series (no baseline for it)', () => {
    const first = computeDeltas(undefined, scrape(0, [series('200', 5)]), GAP);
    const second = computeDeltas(first.next, scrape(15_000, [series('200', 7, { responseBytes: 1234 })]), GAP);
    expect(second.deltas).toEqual([{ router: 'a@docker', service: 'a-odoo@docker', code: '200', protocol: 'http', requests: 2 }]);
  });
});

describe('ingress attribution', () => {
  it.each([
    ['200', 'http', '2xx'],
    ['101', 'websocket', '1xx'],
    ['503', 'http', '5xx'],
    ['0', 'http', 'aborted'],
    ['0', 'grpc', 'other'],
    ['14', 'grpc-web', 'other'],
    ['999', 'http', 'other'],
  ])('code %s over %s is %s', (code, protocol, cls) => {
    expect(ingressClass(code, protocol)).toBe(cls);
  });

  it('sums per tenant, by router or (v2 service series) by service, counts unmapped ones, skips @internal ones', () => {
    const d = (router: string, code: string, requests: number, responseBytes?: number) => ({
      router,
      service: 's',
      code,
      protocol: 'http',
      requests,
      ...(responseBytes !== undefined && { responseBytes }),
    });
    const tenantOf = (s: { router: string; service: string }) =>
      s.router === ''
        ? ({ 'b-odoo@docker': 'b' } as Record<string, string>)[s.service]
        : ({ 'a-web@docker': 'a', 'a-api@docker': 'a' } as Record<string, string>)[s.router];
    const { rows, unmapped } = attribute(
      [
        d('a-web@docker', '200', 5, 100),
        d('a-api@docker', '502', 2),
        d('a-web@docker', '0', 1),
        d('x@docker', '200', 4),
        d('api@internal', '200', 9),
        { router: '', service: 'b-odoo@docker', code: '200', protocol: 'http', requests: 3 },
        { router: '', service: 'shared@file', code: '200', protocol: 'http', requests: 2 },
        { router: '', service: 'api@internal', code: '200', protocol: 'http', requests: 7 },
      ],
      tenantOf,
      60_000,
    );
    expect(rows).toEqual([
      {
        tenantId: 'a',
        minute: 60_000,
        requests: { '1xx': 0, '2xx': 5, '3xx': 0, '4xx': 0, '5xx': 2, aborted: 1, other: 0 },
        requestBytes: null,
        responseBytes: 100,
        duration: null,
      },
      {
        tenantId: 'b',
        minute: 60_000,
        requests: { '1xx': 0, '2xx': 3, '3xx': 0, '4xx': 0, '5xx': 0, aborted: 0, other: 0 },
        requestBytes: null,
        responseBytes: null,
        duration: null,
      },
    ]);
    expect([...unmapped]).toEqual([
      ['x@docker', 4],
      ['(service) shared@file', 2],
    ]);
  });
});
