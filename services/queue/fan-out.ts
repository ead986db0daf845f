import type { Job, Queue } from 'bullmq';
import type { Fleet, Tenant } from '../config/fleet-types';

/**
 * Fan-out of the repeatable SLA and noisy-neighbour schedules: the scheduled job only enqueues
 * one job per cluster (or per batch of a cluster's tenants), and any worker with a free slot
 * takes them, so adding workers shortens a run. The child job ids are deterministic (schedule,
 * cluster, batch, slot), so a repeated fan-out of the same slot adds nothing;
 * the work itself is idempotent in PostgreSQL (cursors, watermarks, advisory locks), so a
 * retried child does nothing twice either.
 */

/** A child job: one cluster, and for per-tenant work the ids of one batch of its tenants. */
export interface FanOutJobData {
  cluster: string;
  tenants?: string[];
}

export interface FanOutChild {
  id: string;
  data: FanOutJobData;
}

/** Tenants per child job: small enough that 2 to 4 workers share a fleet of a few hundred. */
export const TENANTS_PER_JOB = 25;

/**
 * Child jobs are kept this long after they complete (and failed ones too), so a second fan-out
 * of the same slot within the hour finds their ids and adds nothing.
 */
const KEEP_SECONDS = 3_600;
const CHILD_OPTS = { removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS, count: 1_000 }, attempts: 1 };

/**
 * The slot a scheduled job stands for: its scheduled time (BullMQ's `prevMillis`, else the
 * millis in its id, else when it was added) rounded down to the schedule's interval.
 */
export function slotOf(job: Job<unknown>, everyMs: number): number {
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  const fromId = /:(\d{10,})$/.exec(job.id ?? '');
  const at = typeof prev === 'number' ? prev : fromId ? Number(fromId[1]) : job.timestamp;
  return Math.floor(at / everyMs) * everyMs;
}

/**
 * One child per batch of TENANTS_PER_JOB tenants of each cluster, in fleet order. BullMQ
 * refuses ':' in custom ids; cluster ids match [a-z0-9][a-z0-9_-]*, so '.' separates safely.
 */
export function tenantBatches(fleet: Fleet, schedule: string, slot: number, size = TENANTS_PER_JOB): FanOutChild[] {
  const byCluster = new Map<string, Tenant[]>();
  for (const t of fleet.tenants) byCluster.set(t.cluster, [...(byCluster.get(t.cluster) ?? []), t]);
  const out: FanOutChild[] = [];
  for (const [cluster, tenants] of byCluster) {
    for (let i = 0; i * size < tenants.length; i++) {
      const batch = tenants.slice(i * size, (i + 1) * size).map((t) => t.id);
      out.push({ id: `${schedule}.${cluster}.${i}.${slot}`, data: { cluster, tenants: batch } });
    }
  }
  return out;
}

/** One child per cluster. */
export function clusterJobs(fleet: Fleet, schedule: string, slot: number): FanOutChild[] {
  return Object.keys(fleet.clusters).map((cluster) => ({ id: `${schedule}.${cluster}.${slot}`, data: { cluster } }));
}

/** Adds the children as jobs named `name`; an id already in the queue (waiting, running or kept) is not added again. */
export async function enqueueChildren(queue: Queue, name: string, children: readonly FanOutChild[]): Promise<void> {
  if (children.length === 0) return;
  await queue.addBulk(children.map((c) => ({ name, data: c.data, opts: { ...CHILD_OPTS, jobId: c.id } })));
}

/** The fleet's tenants named in a child job; ids the fleet no longer has are left out (the next fan-out follows the fleet). */
export function tenantsOf(fleet: Fleet, data: FanOutJobData): Tenant[] {
  const wanted = new Set(data.tenants ?? []);
  return fleet.tenants.filter((t) => wanted.has(t.id));
}
