import type { RedisSample } from './read';
import type { RedisGauge } from './info-parser';
import type { RejectReason, Rejections } from '../lib/rejections';
import { firstProblem, INT4_MAX, isStorableText } from '../lib/storable';

/**
 * What PostgreSQL can store of a Redis sample (lib/storable.ts). Redis, a proxy in front of it or
 * a fork may print a number past int8 or a NUL in a field; stored as it is, it fails the sample
 * on every run while the server says so. A server field that does not fit is left out (as if the
 * server had not printed it) and a keyspace, replica or client line is dropped, each counted.
 */
const int4 = (v: number | undefined) => v === undefined || (Number.isInteger(v) && Math.abs(v) <= INT4_MAX);
const int8 = (v: number | undefined) => v === undefined || Number.isSafeInteger(v);
const float = (v: number | undefined) => v === undefined || Number.isFinite(v);

const INT4_GAUGES: readonly RedisGauge[] = ['connectedClients', 'blockedClients', 'maxClients', 'connectedReplicas'];
const FLOAT_GAUGES: readonly RedisGauge[] = ['fragmentationRatio', 'opsPerSecond'];

function gaugeFits(gauge: RedisGauge, v: number): boolean {
  if (INT4_GAUGES.includes(gauge)) return int4(v);
  if (FLOAT_GAUGES.includes(gauge)) return float(v);
  return int8(v);
}

/** The sample with what does not fit left out, each left-out field or line counted in `rejections`. */
export function storableSample(sample: RedisSample, rejections: Rejections): RedisSample {
  const stats = { ...sample.stats, gauges: { ...sample.stats.gauges }, counters: { ...sample.stats.counters } };
  for (const field of ['runId', 'version', 'role'] as const) {
    if (!isStorableText(stats[field])) {
      delete stats[field];
      rejections.add('invalid_text');
    }
  }
  for (const [gauge, v] of Object.entries(stats.gauges) as [RedisGauge, number][]) {
    if (!gaugeFits(gauge, v)) {
      delete stats.gauges[gauge];
      rejections.add('number_out_of_range');
    }
  }
  for (const [counter, v] of Object.entries(stats.counters) as [keyof typeof stats.counters, number][]) {
    if (!int8(v)) {
      delete stats.counters[counter];
      rejections.add('number_out_of_range');
    }
  }
  const keep = <T>(items: readonly T[], problem: (item: T) => RejectReason | undefined) =>
    items.filter((item) => {
      const reason = problem(item);
      if (reason) rejections.add(reason);
      return reason === undefined;
    });
  const keyspace = keep(sample.info.keyspace, (k) =>
    int4(k.db) && [k.keys, k.expires, k.avgTtlMs, k.subexpiry].every(int8) ? undefined : 'number_out_of_range',
  );
  const replicas = keep(sample.info.replicas, (r) =>
    firstProblem([
      [isStorableText(r.ip) && isStorableText(r.state), 'invalid_text'],
      [int4(r.port) && int8(r.offset) && int8(r.lag), 'number_out_of_range'],
    ]),
  );
  const clients = keep(sample.clients, (c) =>
    firstProblem([
      [isStorableText(c.name), 'invalid_text'],
      [
        Number.isSafeInteger(c.id) && int4(c.db) && [c.totMemBytes, c.outputMemBytes, c.queryBufferBytes, c.totalCommands].every(int8),
        'number_out_of_range',
      ],
    ]),
  );
  return { ...sample, stats, info: { ...sample.info, keyspace, replicas }, clients };
}
