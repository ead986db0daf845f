import type { BackendRecord } from './read';

/**
 * What one pg_stat_activity sample says about each tenant. Each client backend seen weighs the
 * sampling interval, so sums are backend-seconds: rate(active seconds) is the average number of
 * the tenant's backends running on CPU (docs/noisy-neighbours.md, `pg_cpu`).
 */
export interface TenantActivity {
  /** Client backends by pg_stat_activity.state (null state is not a client backend). */
  backends: Record<string, number>;
  /** state = active and no wait event: on CPU. */
  activeSeconds: number;
  /** state = active and waiting, by wait_event_type. */
  waitSeconds: Record<string, number>;
  idleInTransactionSeconds: number;
  /** Age of the oldest transaction left idle in transaction; null when there is none. */
  idleInTransactionOldestSeconds: number | null;
  /** Backend-seconds this tenant's statements waited on a lock. */
  lockWaitSufferedSeconds: number;
  /** Backend-seconds other statements (this tenant's too) waited on a lock this tenant held. */
  lockWaitCausedSeconds: number;
  /** Of the suffered seconds: which tenant held the lock (`''` when the holder is no tenant). */
  blockers: Record<string, number>;
}

export interface ActivityRollup {
  tenants: Map<string, TenantActivity>;
  /** Client backends on the server (every database, the collector's own connection too). */
  connections: number;
  /** Client backends of databases that are no tenant of the cluster. */
  unattributed: number;
}

function empty(): TenantActivity {
  return {
    backends: {},
    activeSeconds: 0,
    waitSeconds: {},
    idleInTransactionSeconds: 0,
    idleInTransactionOldestSeconds: null,
    lockWaitSufferedSeconds: 0,
    lockWaitCausedSeconds: 0,
    blockers: {},
  };
}

const add = (into: Record<string, number>, key: string, amount: number) => {
  into[key] = (into[key] ?? 0) + amount;
};

/**
 * Rolls one sample up per tenant. Every tenant of the cluster gets a row (a sample that saw no
 * backend of a tenant measured a true 0). A lock wait is blamed on the tenants whose backends
 * hold the lock (pg_blocking_pids(), looked up among all backends so autovacuum counts too);
 * with several blocking tenants the wait is split between them, so caused adds up to suffered.
 */
export function rollupActivity(
  backends: readonly BackendRecord[],
  tenantByDb: ReadonlyMap<string, string>,
  weightSeconds: number,
): ActivityRollup {
  const tenants = new Map<string, TenantActivity>([...new Set(tenantByDb.values())].map((id) => [id, empty()]));
  const datnameByPid = new Map(backends.map((b) => [b.pid, b.datname]));
  const tenantOf = (datname: string | null) => (datname === null ? undefined : tenantByDb.get(datname));
  let connections = 0;
  let unattributed = 0;
  for (const b of backends) {
    if (b.backendType !== 'client backend') continue;
    connections += 1;
    if (b.self) continue;
    const tenantId = tenantOf(b.datname);
    const waitsOnLock = b.state === 'active' && b.waitEventType === 'Lock';
    if (waitsOnLock) blame(b, tenantId, tenants, datnameByPid, tenantOf, weightSeconds);
    const t = tenantId === undefined ? undefined : tenants.get(tenantId);
    if (!t) {
      unattributed += 1;
      continue;
    }
    add(t.backends, b.state ?? 'unknown', 1);
    if (b.state === 'active') {
      if (b.waitEventType === null) t.activeSeconds += weightSeconds;
      else add(t.waitSeconds, b.waitEventType, weightSeconds);
    } else if (b.state === 'idle in transaction' || b.state === 'idle in transaction (aborted)') {
      t.idleInTransactionSeconds += weightSeconds;
      if (b.xactAgeSeconds !== null) t.idleInTransactionOldestSeconds = Math.max(t.idleInTransactionOldestSeconds ?? 0, b.xactAgeSeconds);
    }
  }
  return { tenants, connections, unattributed };
}

function blame(
  waiter: BackendRecord,
  waiterTenant: string | undefined,
  tenants: Map<string, TenantActivity>,
  datnameByPid: ReadonlyMap<number, string | null>,
  tenantOf: (datname: string | null) => string | undefined,
  weightSeconds: number,
): void {
  // a blocker that left between the lock and this sample, or a prepared transaction (pid 0), is no tenant
  const parties = new Set((waiter.blockingPids ?? []).map((pid) => tenantOf(datnameByPid.get(pid) ?? null) ?? ''));
  if (parties.size === 0) parties.add('');
  const share = weightSeconds / parties.size;
  const suffering = waiterTenant === undefined ? undefined : tenants.get(waiterTenant);
  if (suffering) suffering.lockWaitSufferedSeconds += weightSeconds;
  for (const party of parties) {
    const causing = party === '' ? undefined : tenants.get(party);
    if (causing) causing.lockWaitCausedSeconds += share;
    if (suffering) add(suffering.blockers, party, share);
  }
}
