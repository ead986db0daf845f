import { describe, expect, it } from 'vitest';
import type { ClientRecord } from './client-list';
import type { RedisServerStats } from './info-parser';
import type { Tenant } from '../../services/config/fleet-types';
import { attributeClients, counterDeltas, type CounterBase } from './deltas';

const stats = (runId: string, counters: RedisServerStats['counters']): RedisServerStats => ({ runId, gauges: {}, counters });
const base = (runId: string, counters: CounterBase['counters'], clientCommands: Record<string, number> = {}): CounterBase => ({
  runId,
  sampledAt: 0,
  counters,
  clientCommands,
});

describe('counterDeltas', () => {
  it.each([
    ['no previous sample: no delta', undefined, stats('a', { commandsProcessed: 10 }), { deltas: {}, reset: false }],
    [
      'growth',
      base('a', { commandsProcessed: 10, evictedKeys: 1 }),
      stats('a', { commandsProcessed: 25, evictedKeys: 1 }),
      { deltas: { commandsProcessed: 15, evictedKeys: 0 }, reset: false },
    ],
    [
      'a restart (new run_id) drops the interval',
      base('a', { commandsProcessed: 10 }),
      stats('b', { commandsProcessed: 500 }),
      { deltas: {}, reset: true },
    ],
    [
      'CONFIG RESETSTAT (commands went down) drops every counter',
      base('a', { commandsProcessed: 10, keyspaceHits: 5 }),
      stats('a', { commandsProcessed: 3, keyspaceHits: 9 }),
      { deltas: {}, reset: true },
    ],
    [
      'another counter going down drops only itself',
      base('a', { commandsProcessed: 10, keyspaceHits: 5 }),
      stats('a', { commandsProcessed: 12, keyspaceHits: 4 }),
      { deltas: { commandsProcessed: 2 }, reset: false },
    ],
    [
      'a counter missing on either side gives no delta',
      base('a', { commandsProcessed: 10 }),
      stats('a', { commandsProcessed: 11, evictedKeys: 4 }),
      { deltas: { commandsProcessed: 1 }, reset: false },
    ],
  ])('%s', (_what, before, now, expected) => {
    expect(counterDeltas(before, now)).toEqual(expected);
  });
});

const tenant = (id: string, redis: Tenant['redis']) => ({ id, cluster: 'c1', redis }) as Tenant;
const client = (id: number, name: string | null, db: number, extra: Partial<ClientRecord> = {}): ClientRecord => ({
  type: 'client',
  id,
  addr: 'a:1',
  name,
  db,
  ...extra,
});

describe('attributeClients', () => {
  const tenants = [
    tenant('acme', { clientPrefix: 'acme:' }),
    tenant('acme-eu', { clientPrefix: 'acme:eu:' }),
    tenant('dbonly', { db: 5 }),
    tenant('none', {}),
  ];

  it('maps by the longest matching prefix, else by db; counts the rest; skips itself', () => {
    const clients = [
      client(1, 'acme:web', 0, { totMemBytes: 100 }),
      client(2, 'acme:eu:web', 0, { totMemBytes: 10 }),
      client(3, 'acme:cron', 5, { totMemBytes: 1 }),
      client(4, null, 5, { totMemBytes: 7 }),
      client(5, 'other:web', 0, { totMemBytes: 3 }),
      client(6, 'tenantscope-collector', 0, { totMemBytes: 3 }),
    ];
    const result = attributeClients(tenants, clients, 6, undefined, 1000, false);
    expect(result.unattributed).toBe(1);
    expect(result.tenants).toEqual([
      { tenantId: 'acme', clients: 2, clientMemoryBytes: 101, commands: null },
      { tenantId: 'acme-eu', clients: 1, clientMemoryBytes: 10, commands: null },
      { tenantId: 'dbonly', clients: 1, clientMemoryBytes: 7, commands: null },
    ]);
  });

  it('gives no client memory when the server prints no tot-mem (Redis 5), and 0 clients when a tenant has none', () => {
    const result = attributeClients(tenants, [client(1, 'acme:web', 0), client(9, null, 0)], 9, undefined, 0, false);
    expect(result.tenants.find((t) => t.tenantId === 'acme')).toEqual({
      tenantId: 'acme',
      clients: 1,
      clientMemoryBytes: null,
      commands: null,
    });
    expect(result.tenants.find((t) => t.tenantId === 'dbonly')).toEqual({
      tenantId: 'dbonly',
      clients: 0,
      clientMemoryBytes: null,
      commands: null,
    });
  });

  it('derives commands from tot-cmds: growth of known clients, all of new ones, nothing across a reset', () => {
    const previous: CounterBase = { runId: 'a', sampledAt: 0, counters: {}, clientCommands: { '1': 100, '2': 50 } };
    const clients = [
      client(1, 'acme:web', 0, { totalCommands: 130, ageSeconds: 500 }),
      client(2, 'acme:web', 0, { totalCommands: 40, ageSeconds: 500 }), // went down: not a delta
      client(3, 'acme:web', 0, { totalCommands: 7, ageSeconds: 5 }), // connected within the interval
      client(4, 'acme:web', 0, { totalCommands: 900, ageSeconds: 5000 }), // older, never seen: no base
    ];
    const result = attributeClients(tenants, clients, 0, previous, 15_000, false);
    expect(result.tenants.find((t) => t.tenantId === 'acme')?.commands).toBe(37);
    expect(result.clientCommands).toEqual({ '1': 130, '2': 40, '3': 7, '4': 900 });
    expect(attributeClients(tenants, clients, 0, previous, 15_000, true).tenants.find((t) => t.tenantId === 'acme')?.commands).toBeNull();
  });
});
