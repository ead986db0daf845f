import { appendFileSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { jobLine, jobsFinishedIn } from './backup-jobs';
import { BackupModel } from './backup-model';
import { pgbackrestInfoText, stanzaInfo, type Json } from './pgbackrest-info';
import type { ClusterModel } from './profiles';
import type { ScenarioPlan } from './scenarios';

/** Job history written when a job results file starts empty, so collectors see a last good backup at once. */
export const JOB_BACKFILL_MS = 24 * 3_600_000;

/**
 * Writes what the fleet file declares for backups: each `pgbackrestInfoFile` (rewritten whole,
 * through a rename so a reader never sees half a file; clusters sharing a file share it as
 * stanzas of one repository) and each `jobResultsFile` (appended).
 */
export class BackupWriter {
  private readonly infoFiles = new Map<string, { model: BackupModel; cluster: ClusterModel }[]>();
  private readonly jobFiles = new Map<string, ClusterModel[]>();
  private jobsUntilMs = 0;

  constructor(
    clusters: Iterable<ClusterModel>,
    private readonly plan: ScenarioPlan,
  ) {
    for (const cluster of clusters) {
      const { pgbackrestInfoFile, jobResultsFile } = cluster.cluster.backups ?? {};
      if (pgbackrestInfoFile) push(this.infoFiles, pgbackrestInfoFile, { model: new BackupModel(cluster, plan), cluster });
      if (jobResultsFile) push(this.jobFiles, jobResultsFile, cluster);
    }
  }

  get files(): string[] {
    return [...this.infoFiles.keys(), ...this.jobFiles.keys()];
  }

  /**
   * Prepares the files at `startMs`. `fresh` (batch) starts job files over; otherwise an existing
   * job file keeps its history and only an empty or missing one gets the backfill.
   */
  open(startMs: number, fresh: boolean): void {
    for (const file of this.files) mkdirSync(dirname(file), { recursive: true });
    for (const [file, clusters] of this.jobFiles) {
      if (fresh) writeFileSync(file, '');
      if (fresh || fileSize(file) === 0) appendFileSync(file, this.jobText(clusters, startMs - JOB_BACKFILL_MS, startMs));
    }
    this.jobsUntilMs = startMs;
  }

  /** Rewrites every info file for instant `ms` and appends the jobs finished since the last call. */
  refresh(ms: number): void {
    for (const [file, stanzas] of this.infoFiles) {
      const json: Json[] = stanzas.map(({ model, cluster }) => stanzaInfo(model, cluster.tenants, this.plan.seed, ms));
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, pgbackrestInfoText(json));
      renameSync(tmp, file);
    }
    if (ms > this.jobsUntilMs) {
      for (const [file, clusters] of this.jobFiles) {
        const text = this.jobText(clusters, this.jobsUntilMs, ms);
        if (text) appendFileSync(file, text);
      }
      this.jobsUntilMs = ms;
    }
  }

  private jobText(clusters: readonly ClusterModel[], fromMs: number, toMs: number): string {
    const tenants = clusters.flatMap((c) => c.tenants).sort((a, b) => a.index - b.index);
    return jobsFinishedIn(tenants, this.plan, fromMs, toMs).map(jobLine).join('');
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
