import { describe, expect, it } from 'vitest';
import { parseClientList } from './client-list';
import { parseInfo, serverStats } from './info-parser';
import type { RedisSample } from './read';
import { Rejections } from '../lib/rejections';
import { storableSample } from './storable';

// A Redis (or a proxy, or a fork) printing numbers past int8 or a NUL: left out and counted, never stored.
const INFO = [
  '# Server',
  'redis_version:7.2.4\u0000x',
  'run_id:0123456789abcdef0123456789abcdef01234567',
  'uptime_in_seconds:100',
  '# Clients',
  'connected_clients:99999999999',
  '# Memory',
  'used_memory:100000000000000000000000000000',
  'used_memory_rss:4096',
  '# Stats',
  'total_commands_processed:12',
  'keyspace_hits:100000000000000000000',
  '# Keyspace',
  'db0:keys=10,expires=0,avg_ttl=0',
  'db1:keys=100000000000000000000000,expires=0,avg_ttl=0',
].join('\r\n');
const CLIENTS = [
  'id=3 addr=10.0.0.1:5000 name=acme:web db=0 tot-mem=20000',
  'id=4 addr=10.0.0.1:5001 name=acme:cron db=0 tot-mem=100000000000000000000000000',
].join('\n');

function sample(): RedisSample {
  const info = parseInfo(INFO).info;
  return { type: 'sample', ts: 0, info, stats: serverStats(info), clients: parseClientList(CLIENTS).clients, selfClientId: 1, rejected: 0 };
}

describe('storableSample', () => {
  it('leaves out each server field, keyspace line and client PostgreSQL cannot store, counting it by reason', () => {
    const rejections = new Rejections();
    const kept = storableSample(sample(), rejections);
    expect(kept.stats.version).toBeUndefined();
    expect(kept.stats.runId).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(kept.stats.gauges).toEqual({ uptimeSeconds: 100, usedMemoryRssBytes: 4096 });
    expect(kept.stats.counters).toEqual({ commandsProcessed: 12 });
    expect(kept.info.keyspace.map((k) => k.db)).toEqual([0]);
    expect(kept.clients.map((c) => c.id)).toEqual([3]);
    expect(rejections.entries()).toEqual([
      ['invalid_text', 1],
      ['number_out_of_range', 5],
    ]);
  });

  it('keeps a sample that fits whole', () => {
    const rejections = new Rejections();
    const fits = { ...sample(), clients: sample().clients.slice(0, 1) };
    fits.info = { ...fits.info, keyspace: fits.info.keyspace.slice(0, 1) };
    fits.stats = { runId: 'r', gauges: { usedMemoryBytes: 10 }, counters: { keyspaceHits: 1 } };
    expect(storableSample(fits, rejections)).toEqual(fits);
    expect(rejections.total).toBe(0);
  });
});
