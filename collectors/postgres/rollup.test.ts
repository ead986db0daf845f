import { describe, expect, it } from 'vitest';
import type { BackendRecord } from './read';
import { rollupActivity } from './rollup';

const b = (pid: number, datname: string | null, over: Partial<BackendRecord> = {}): BackendRecord => ({
  type: 'backend',
  pid,
  datname,
  backendType: 'client backend',
  state: 'idle',
  waitEventType: null,
  waitEvent: null,
  xactAgeSeconds: null,
  blockingPids: null,
  lockWaitSeconds: null,
  self: false,
  ...over,
});

const tenants = new Map([
  ['db_a', 'a'],
  ['db_b', 'b'],
  ['db_c', 'c'],
]);

describe('rollupActivity', () => {
  it('splits active on CPU, waiting by type and idle in transaction with the oldest age', () => {
    const r = rollupActivity(
      [
        b(1, 'db_a', { state: 'active' }),
        b(2, 'db_a', { state: 'active', waitEventType: 'IO', waitEvent: 'DataFileRead' }),
        b(3, 'db_a', { state: 'idle in transaction', waitEventType: 'Client', xactAgeSeconds: 40 }),
        b(4, 'db_a', { state: 'idle in transaction (aborted)', xactAgeSeconds: 90 }),
        b(5, 'db_a'),
        b(6, 'postgres', { state: 'active' }),
        b(7, 'db_b', { self: true, state: 'active' }),
        b(8, null, { backendType: 'autovacuum launcher', state: null }),
      ],
      tenants,
      2,
    );
    const a = r.tenants.get('a')!;
    expect(a).toMatchObject({ activeSeconds: 2, waitSeconds: { IO: 2 }, idleInTransactionSeconds: 4, idleInTransactionOldestSeconds: 90 });
    expect(a.backends).toEqual({ active: 2, 'idle in transaction': 1, 'idle in transaction (aborted)': 1, idle: 1 });
    // the collector's own connection counts as a connection but not as tenant activity
    expect(r.tenants.get('b')).toMatchObject({ activeSeconds: 0, backends: {}, idleInTransactionOldestSeconds: null });
    expect(r.connections).toBe(7);
    expect(r.unattributed).toBe(1);
    // a tenant with no backend still gets its (measured) zero
    expect(r.tenants.get('c')).toMatchObject({ activeSeconds: 0, lockWaitSufferedSeconds: 0 });
  });

  it.each([
    [
      'one blocker tenant takes the whole wait',
      [b(10, 'db_b', { state: 'idle in transaction' })],
      [10],
      { a: { suffered: 1, blockers: { b: 1 } }, b: { caused: 1 } },
    ],
    [
      'a tenant blocking itself',
      [b(10, 'db_a', { state: 'idle in transaction' })],
      [10],
      { a: { suffered: 1, caused: 1, blockers: { a: 1 } } },
    ],
    [
      'two blocking tenants share the blame',
      [b(10, 'db_b', { state: 'idle in transaction' }), b(11, 'db_c', { state: 'active', waitEventType: 'Lock' })],
      [10, 11],
      { a: { suffered: 1, blockers: { b: 0.5, c: 0.5 } }, b: { caused: 0.5 }, c: { caused: 0.5, suffered: 1, blockers: { '': 1 } } },
    ],
    [
      'a blocker that is no tenant (autovacuum on postgres)',
      [b(10, 'postgres', { backendType: 'autovacuum worker' })],
      [10],
      { a: { suffered: 1, blockers: { '': 1 } }, b: { caused: 0 } },
    ],
    ['a blocker gone before the sample', [], [99], { a: { suffered: 1, blockers: { '': 1 } } }],
    [
      'an autovacuum worker of a tenant database is blamed on that tenant',
      [b(10, 'db_c', { backendType: 'autovacuum worker', state: null })],
      [10],
      { c: { caused: 1 } },
    ],
  ])('lock waits: %s', (_, others, blockers, expected) => {
    const waiter = b(1, 'db_a', { state: 'active', waitEventType: 'Lock', waitEvent: 'relation', blockingPids: blockers });
    const r = rollupActivity([waiter, ...others], tenants, 1);
    for (const [tenant, e] of Object.entries(
      expected as Record<string, { suffered?: number; caused?: number; blockers?: Record<string, number> }>,
    )) {
      const t = r.tenants.get(tenant)!;
      if (e.suffered !== undefined) expect(t.lockWaitSufferedSeconds).toBeCloseTo(e.suffered);
      if (e.caused !== undefined) expect(t.lockWaitCausedSeconds).toBeCloseTo(e.caused);
      if (e.blockers) expect(t.blockers).toEqual(e.blockers);
    }
    expect(r.tenants.get('a')!.waitSeconds).toEqual({ Lock: 1 });
  });

  it('a waiter that is no tenant still blames the tenant that blocks it', () => {
    const r = rollupActivity(
      [b(1, 'postgres', { state: 'active', waitEventType: 'Lock', blockingPids: [10] }), b(10, 'db_b', { state: 'idle in transaction' })],
      tenants,
      1,
    );
    expect(r.tenants.get('b')!.lockWaitCausedSeconds).toBe(1);
  });
});
