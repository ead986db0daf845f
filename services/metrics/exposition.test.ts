import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { renderFamily } from './exposition';
import type { MetricValue } from './metric-group';

/** What prom-client 15 printed for the same family (the renderer /metrics used before issue #15). */
async function promClient(name: string, help: string, type: string, values: MetricValue[]): Promise<string> {
  const registry = new Registry();
  registry.registerMetric({
    name,
    help,
    type,
    aggregator: 'omit',
    get: async () => ({ name, help, type, aggregator: 'omit', values }),
    reset() {},
  } as never);
  return (await registry.metrics()).replace(/\n$/, '');
}

const TRICKY: MetricValue[] = [
  { value: 1, labels: { tenant: 'acme', cluster: 'eu1' } },
  { value: 0.1 + 0.2, labels: { tenant: 'quote"d', cluster: 'back\\slash' } },
  { value: -0, labels: { tenant: 'new\nline' } },
  { value: 1e21, labels: { db: 3, ratio: 0.5 } },
  { value: 123456789012, labels: {} },
  { value: Infinity, labels: { le: '+Inf' } },
  { value: -Infinity, labels: { x: '' } },
  { value: NaN, labels: { x: 'ünïcödé ✓' } },
  { value: 2, labels: { le: '0.5' }, metricName: 'h_bucket' },
  { value: 7.25, labels: { tenant: 'a' }, metricName: 'h_sum' },
];

describe('renderFamily', () => {
  it('prints the same bytes as prom-client for escapes, special values, numeric labels and histogram series', async () => {
    for (const type of ['gauge', 'counter', 'histogram']) {
      const help = 'A help with a back\\slash and a\nnew line.';
      expect(renderFamily('tenantscope_x', help, type, TRICKY)).toBe(await promClient('tenantscope_x', help, type, TRICKY));
    }
  });

  it('prints a family without values as its HELP and TYPE lines only, like prom-client', async () => {
    expect(renderFamily('tenantscope_empty', 'Nothing yet.', 'gauge', [])).toBe(
      await promClient('tenantscope_empty', 'Nothing yet.', 'gauge', []),
    );
  });

  it('leaves out hidden labels, keeping the order of the others', async () => {
    const values: MetricValue[] = [{ value: 1, labels: { tenant: 'acme', name: 'ACME GmbH', cluster: 'eu1' } }];
    const shown: MetricValue[] = [{ value: 1, labels: { tenant: 'acme', cluster: 'eu1' } }];
    expect(renderFamily('tenantscope_tenant_info', 'Info.', 'gauge', values, ['name'])).toBe(
      await promClient('tenantscope_tenant_info', 'Info.', 'gauge', shown),
    );
    expect(renderFamily('m', 'h', 'gauge', [{ value: 1, labels: { name: 'x' } }], ['name'])).toBe('# HELP m h\n# TYPE m gauge\nm 1');
  });
});
