/** What every scheduled run knows about itself. */
export interface RunContext {
  /** The scheduled time of this run: with collector and target, its idempotency key. */
  scheduledAt: Date;
  /** Clock reading when the run began, ms. */
  startedAt: number;
  /** host:pid of the process running it. */
  worker: string;
  signal: AbortSignal;
}

export interface RunOutcome {
  records: number;
  rejected: number;
  /** True when the run found its work already done (a duplicate or a retry). */
  duplicate: boolean;
  /** Records naming a database that no tenant of the cluster has. */
  unattributed?: number;
}
