import type { KeptConnections } from './connections';
import type { Clock } from '../../services/core/clock';
import type { Fleet } from '../../services/config/fleet-types';
import type { Logger } from '../../services/core/logger';
import type { Pool } from '../../services/storage/db';
import type { Client } from '../../services/storage/db';
import type { MonthlyTable, PartitionKeeper } from '../../services/storage/partitions';

/** One thing a collector reads on a schedule: a log file, a tenant's host, a cluster's database. */
export interface CollectorTarget {
  collector: string;
  /** Unique within the collector; the `target` label of its health series. */
  target: string;
  intervalSeconds: number;
  cluster: string;
}

/** What every scheduled run knows about itself. */
export interface RunContext {
  /** The scheduled time of this run: with collector and target, its idempotency key. */
  scheduledAt: Date;
  /** Clock reading when the run began, ms. */
  startedAt: number;
  /** host:pid of the process running it. */
  worker: string;
  /** Aborted when the run times out or the process stops. */
  signal: AbortSignal;
  /** Connections to monitored servers kept between runs, owned and closed by the runner. */
  connections: KeptConnections;
}

export interface RunOutcome {
  records: number;
  rejected: number;
  /** True when the run found its work already done (a duplicate or a retry). */
  duplicate: boolean;
  /** Records naming a database, host or client that no tenant of the cluster has. */
  unattributed?: number;
}

/** What a collector's ingest step may use: tenantscope's own store, the fleet and the clock. */
export interface IngestDeps {
  pool: Pool;
  partitions: PartitionKeeper;
  fleet: Fleet;
  clock: Clock;
  log: Logger;
}

/**
 * A collector as the runner sees it: the targets it reads in a fleet, and one run on a target
 * (read the source, then store what it yields). Registered in collectors/registry.ts.
 */
export interface CollectorDefinition<T extends CollectorTarget = CollectorTarget> {
  name: string;
  targets(fleet: Fleet): T[];
  run(deps: IngestDeps, target: T, context: RunContext): Promise<RunOutcome>;
  /**
   * Evidence that a failed run is itself (the postgres stats run: the server did not answer),
   * written by the runner in the transaction of the failed run's ledger row, so a retried job
   * records it once. Undefined when a failure of this target means nothing beyond the run.
   */
  failureEvidence?(target: T, scheduledAt: Date): FailureEvidence | undefined;
}

/** Rows a failed run leaves: the monthly table they go to (its partition is made first) and the write. */
export interface FailureEvidence {
  table: MonthlyTable;
  atMs: number;
  write(tx: Client): Promise<void>;
}
