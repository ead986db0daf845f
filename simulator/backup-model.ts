import type { Cluster } from '../services/config/fleet-types';
import type { ClusterModel } from './profiles';
import { PURPOSE } from './profiles';
import { hashString, mix, rngFor } from './random';
import { scenarioActive, type ScenarioPlan } from './scenarios';
import { pgbackrestLabelTime, zoneOffsetMinutes } from './time-format';

/**
 * A cluster's pgBackRest history as a pure function of time: a full backup daily at 01:00 in
 * the cluster's zone and an incremental every other hour, retention of two fulls, and a WAL
 * position that advances at the cluster's write rate. A failed backup leaves no record (as in
 * pgBackRest); the failure shows only as a newest `timestamp.stop` that stops advancing.
 */

const HOUR = 3_600_000;
const FULL_LOCAL_HOUR = 1;
const RETENTION_FULL = 2;
/** WAL positions count from here, so LSNs look like a cluster that has run for a while. */
const WAL_EPOCH_MS = Date.UTC(2024, 0, 1);
const SEGMENT = 16 * 1024 * 1024;

export interface Backup {
  readonly label: string;
  readonly type: 'full' | 'incr';
  readonly prior: string | null;
  readonly reference: readonly string[] | null;
  readonly startMs: number;
  readonly stopMs: number;
  readonly size: number;
  readonly delta: number;
  readonly repoSize: number;
  readonly repoDelta: number;
  readonly lsnStart: number;
  readonly lsnStop: number;
}

export interface BackupState {
  /** Completed and retained at the instant, oldest first. */
  readonly backups: readonly Backup[];
  /** A backup in progress at the instant (its lock is held), with bytes copied so far. */
  readonly running: { readonly size: number; readonly done: number } | undefined;
  readonly walNow: number;
}

export class BackupModel {
  private readonly walRate: number;

  constructor(
    private readonly cluster: ClusterModel,
    private readonly plan: ScenarioPlan,
  ) {
    this.walRate = 80_000 + (mix(plan.seed, hashString(cluster.cluster.id), PURPOSE.backup) % 120_000);
  }

  get stanza(): string {
    return this.cluster.cluster.id;
  }

  get clusterConfig(): Cluster {
    return this.cluster.cluster;
  }

  /** Bytes of WAL written since the epoch: the LSN at `ms`. */
  lsnAt(ms: number): number {
    return Math.max(0, Math.floor(((ms - WAL_EPOCH_MS) / 1000) * this.walRate));
  }

  /** Total database size of the cluster at `ms`: tenants' data growing 0.1 % a day, plus catalogs. */
  sizeAt(ms: number): number {
    const days = Math.max(0, (ms - WAL_EPOCH_MS) / 86_400_000);
    const data = this.cluster.tenants.reduce((sum, t) => sum + t.databaseBytes, 0);
    return Math.round(data * (1 + 0.001 * days) + 40 * 1024 * 1024);
  }

  /** Backups complete and retained at `ms`, and any backup running then. */
  stateAt(ms: number): BackupState {
    const zone = this.cluster.cluster.timezone;
    const completed: Backup[] = [];
    let running: BackupState['running'];
    // Three days back always reaches two fulls before the window, so every chain has its base.
    for (let hour = Math.floor(ms / HOUR) * HOUR - 3 * 24 * HOUR; hour <= ms; hour += HOUR) {
      const localHour = Math.floor((hour + zoneOffsetMinutes(zone, hour) * 60_000) / HOUR) % 24;
      const rng = rngFor(this.plan.seed, hashString(this.stanza), hour / HOUR, PURPOSE.backup);
      const startMs = hour + rng.int(2_000, 40_000);
      if (startMs > ms) break;
      const last = completed[completed.length - 1];
      const type = localHour === FULL_LOCAL_HOUR || !last ? 'full' : 'incr';
      const size = this.sizeAt(startMs);
      const delta = type === 'full' ? size : Math.round(size * rng.range(0.003, 0.02));
      const stopMs = startMs + Math.round((delta / (45 * 1024 * 1024) + rng.range(4, 20)) * 1000);
      if (this.failing(startMs)) continue; // pgBackRest keeps no record of a failed backup
      if (stopMs > ms) {
        running = { size, done: Math.round(delta * ((ms - startMs) / (stopMs - startMs))) };
        break;
      }
      const repoDelta = Math.round(delta * rng.range(0.25, 0.32));
      const label =
        type === 'full' ? `${pgbackrestLabelTime(startMs, zone)}F` : `${fullOf(last).label}_${pgbackrestLabelTime(startMs, zone)}I`;
      completed.push({
        label,
        type,
        prior: type === 'full' ? null : (last as Backup).label,
        reference: type === 'full' ? null : [...((last as Backup).reference ?? []), (last as Backup).label],
        startMs,
        stopMs,
        size,
        delta,
        repoSize: type === 'full' ? repoDelta : (last as Backup).repoSize + repoDelta,
        repoDelta,
        lsnStart: Math.floor(this.lsnAt(startMs) / SEGMENT) * SEGMENT + 0x28,
        lsnStop: this.lsnAt(stopMs),
      });
    }
    return { backups: retain(completed), running, walNow: this.lsnAt(ms) };
  }

  /** True when the failed-backup scenario keeps this cluster's backups from completing at `ms`. */
  failing(ms: number): boolean {
    return this.plan.name === 'failed-backup' && this.plan.tenant?.cluster === this.stanza && scenarioActive(this.plan, ms);
  }
}

function fullOf(backup: Backup | undefined): Backup {
  if (!backup) throw new Error('an incremental backup needs a prior backup');
  return { ...backup, label: backup.label.split('_')[0] as string };
}

/** repo1-retention-full=2: drop every backup older than the second newest full. */
function retain(backups: Backup[]): Backup[] {
  const fulls = backups.filter((b) => b.type === 'full');
  if (fulls.length <= RETENTION_FULL) return backups;
  const oldestKept = fulls[fulls.length - RETENTION_FULL] as Backup;
  return backups.filter((b) => b.startMs >= oldestKept.startMs);
}

/** `000000010000000A000000F3`: timeline 1, then the LSN's high word and segment number. */
export function walSegment(lsn: number): string {
  const hi = Math.floor(lsn / 0x100000000);
  const seg = Math.floor((lsn % 0x100000000) / SEGMENT);
  return `00000001${hex8(hi)}${hex8(seg)}`;
}

/** PostgreSQL's `%X/%X` LSN text: `A/F3000028`. */
export function lsnText(lsn: number): string {
  return `${Math.floor(lsn / 0x100000000)
    .toString(16)
    .toUpperCase()}/${(lsn % 0x100000000).toString(16).toUpperCase()}`;
}

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}
