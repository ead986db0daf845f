import { hostname } from 'node:os';

import { inSpan } from '../services/core/tracing';
import { claimRun, recordStatus, type RunRecord } from './lib/collector-store';
import { KeptConnections } from './lib/connections';
import { withTransaction } from '../services/storage/db';
import { findCollector } from './registry';
import { redact } from '../services/core/redact';
import type { CollectorTarget, IngestDeps, RunContext, RunOutcome } from './lib/collector';
import { listTargets, targetKey } from './targets';

export interface RunnerDeps extends IngestDeps {
  timeoutSeconds: number;
}

export interface RunRequest {
  collector: string;
  target: string;
  scheduledAt: Date;
}

export const WORKER_ID = `${hostname()}:${process.pid}`;

/**
 * Runs collectors the way postgres_exporter's execute() does: each run under a timeout, its
 * success and duration always recorded, its failure never thrown to the caller. A failing
 * collector affects no other collector and never /metrics.
 */
export class CollectorRunner {
  private readonly targets: Map<string, CollectorTarget>;
  private readonly connections = new KeptConnections();

  constructor(private readonly deps: RunnerDeps) {
    this.targets = new Map(listTargets(deps.fleet).map((t) => [targetKey(t), t]));
  }

  async run(request: RunRequest): Promise<RunOutcome | undefined> {
    const { clock, log } = this.deps;
    const startedAt = clock.now();
    const controller = new AbortController();
    const record = (success: boolean, outcome?: RunOutcome, error?: string): RunRecord => {
      const finishedAt = clock.now();
      return {
        collector: request.collector,
        target: request.target,
        scheduledAt: request.scheduledAt,
        finishedAt: new Date(finishedAt),
        success,
        durationSeconds: (finishedAt - startedAt) / 1000,
        records: outcome?.records ?? 0,
        rejected: outcome?.rejected ?? 0,
        ...(error !== undefined && { error }),
        worker: WORKER_ID,
      };
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      const target = this.targets.get(targetKey(request));
      if (!target) throw new Error(`collector ${request.collector} has no target ${request.target} in the fleet file`);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`timed out after ${this.deps.timeoutSeconds}s`));
        }, this.deps.timeoutSeconds * 1000);
      });
      const context: RunContext = {
        scheduledAt: request.scheduledAt,
        startedAt,
        worker: WORKER_ID,
        signal: controller.signal,
        connections: this.connections,
      };
      const attributes = { 'tenantscope.collector': request.collector, 'tenantscope.target': request.target };
      const outcome = await Promise.race([inSpan('collector run', attributes, () => this.execute(target, context)), timeout]);
      await this.store(record(true, outcome), false);
      if (outcome.duplicate) log.debug({ collector: request.collector, target: request.target }, 'run already done by another worker');
      return outcome;
    } catch (err) {
      log.warn({ collector: request.collector, target: request.target, err }, 'collector run failed');
      // stored as the run's error, which /metrics and the SLA evidence read: never a URL's password
      await this.store(record(false, undefined, redact((err as Error).message)), true, this.targets.get(targetKey(request)));
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private execute(target: CollectorTarget, context: RunContext): Promise<RunOutcome> {
    const collector = findCollector(target.collector);
    if (!collector) throw new Error(`no collector named ${target.collector}`);
    return collector.run(this.deps, target, context);
  }

  /** Closes the connections to monitored servers kept between runs. */
  close(): Promise<void> {
    return this.connections.closeAll();
  }

  /** The failed run's ledger row and, when the collector has any, its evidence, in one transaction. */
  private async storeFailure(run: RunRecord, target?: CollectorTarget): Promise<void> {
    const evidence = target && findCollector(target.collector)?.failureEvidence?.(target, run.scheduledAt);
    if (evidence) await this.deps.partitions.ensure(evidence.table, [evidence.atMs]);
    await withTransaction(this.deps.pool, async (tx) => {
      if ((await claimRun(tx, run)) && evidence) await evidence.write(tx);
    });
  }

  /** Status is best effort: a database outage is logged, never thrown into the queue. */
  private async store(run: RunRecord, failed: boolean, target?: CollectorTarget): Promise<void> {
    try {
      if (failed) await this.storeFailure(run, target);
      await recordStatus(this.deps.pool, run);
    } catch (err) {
      this.deps.log.error({ collector: run.collector, target: run.target, err }, 'cannot record collector status');
    }
  }
}
