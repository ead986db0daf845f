import type { DetectorConfig } from './noisy-thresholds';
import type { Secret } from '../core/secret';

/** The fleet after validation: every default applied, every reference resolved, all frozen. */

export type NodataPolicy = 'exclude' | 'good' | 'bad';

export interface CreditStep {
  readonly belowPercent: number;
  readonly percent: number;
}

export interface Tier {
  readonly id: string;
  readonly targetPercent: number;
  /** Sorted by belowPercent, highest first. */
  readonly credits: readonly CreditStep[];
  readonly creditCapPercent: number;
  readonly rpoSeconds: number;
  readonly rtoSeconds: number;
  readonly downtime: { readonly minRequests: number; readonly errorRatio: number };
  readonly nodata: NodataPolicy;
}

/** A maintenance window as declared; weekly windows are expanded per month by the SLA engine. */
export type MaintenanceWindow =
  | {
      readonly kind: 'weekly';
      /** ISO weekdays as luxon numbers them: 1 = Monday ... 7 = Sunday. */
      readonly days: readonly number[];
      /** Local wall-clock start in the owner's time zone, HH:MM. */
      readonly start: string;
      readonly minutes: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'once';
      /** UTC instants, ISO 8601. */
      readonly start: string;
      readonly end: string;
      readonly reason: string;
    };

/**
 * A URL's password given by reference (`passwordFile`, `passwordEnv`): read at load, it prints
 * as `[secret]` and is put into the URL (withPassword, basicAuth) only when a client connects.
 * A password written inline stays in the URL, which is shown only redacted.
 */
export type Password = Secret;

export interface Cluster {
  readonly id: string;
  readonly timezone: string;
  readonly maintenance: readonly MaintenanceWindow[];
  readonly odoo?: { readonly logFiles: readonly string[]; readonly logTimezone: string; readonly intervalSeconds: number };
  readonly probe?: {
    readonly url: string;
    readonly password?: Password;
    readonly path: string;
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
  };
  /**
   * Traefik's request counts, from one of two sources: /metrics scraped every intervalSeconds, or
   * the access log files tailed as often (JSON or Common Log Format); never both, or each request
   * would count twice. routerTenants maps routers the API's Host rules leave unmapped.
   */
  readonly traefik?: {
    readonly metricsUrl?: string;
    readonly accessLogFiles?: readonly string[];
    readonly metricsPassword?: Password;
    readonly apiUrl?: string;
    readonly apiPassword?: Password;
    readonly intervalSeconds: number;
    readonly routerTenants: Readonly<Record<string, string>>;
    /** For a v2 /metrics without router labels: service → tenant where the API's routers leave a service unmapped. */
    readonly serviceTenants: Readonly<Record<string, string>>;
  };
  /** The monitored server; stats and replication every intervalSeconds, pg_stat_activity every activityIntervalSeconds, sizes every sizeIntervalSeconds. */
  readonly postgres?: {
    readonly url: string;
    readonly password?: Password;
    readonly intervalSeconds: number;
    readonly activityIntervalSeconds: number;
    readonly sizeIntervalSeconds: number;
    /** How often each tenant database's job backlogs are read (collector odoo-jobs). */
    readonly jobsIntervalSeconds: number;
    /** A scheduled action whose next call is further in the past than this is overdue. */
    readonly cronOverdueSeconds: number;
  };
  readonly redis?: {
    readonly url: string;
    readonly password?: Password;
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
  };
  /**
   * Shared capacity (services/noisy): Odoo workers of the cluster (absent: derived from observed
   * concurrency), cron threads (Odoo's max_cron_threads, default 2), PostgreSQL vCPUs (absent:
   * no pg_cpu gate), and the antagonist hours per month above which a tenant is a placement
   * candidate (default 4).
   */
  readonly capacity: {
    readonly odooWorkers?: number;
    readonly cronThreads: number;
    readonly pgVcpu?: number;
    readonly placementHours: number;
    /** The disk the tenant databases share, GiB: the storage forecast's cluster limit. */
    readonly diskGiB?: number;
  };
  readonly backups?: {
    readonly pgbackrestInfoFile?: string;
    readonly walgBackupListFile?: string;
    readonly jobResultsFile?: string;
    readonly stanza?: string;
  };
}

export interface MonthlyFee {
  /** Decimal text exactly as written in the fleet file. */
  readonly amount: string;
  readonly currency: string;
  /** ISO 4217 minor-unit digits of the currency (EUR 2, JPY 0). */
  readonly digits: number;
  /** The amount in integer minor units. */
  readonly minor: bigint;
}

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly cluster: string;
  readonly tier: string;
  readonly timezone: string;
  /** Odoo dbname = PostgreSQL datname. */
  readonly database: string;
  readonly hosts: readonly string[];
  readonly redis: { readonly clientPrefix?: string; readonly db?: number };
  readonly monthlyFee: MonthlyFee;
  readonly maintenance: readonly MaintenanceWindow[];
  /** The database size the plan allows, GiB: the storage forecast's tenant limit. */
  readonly storageQuotaGiB?: number;
}

export interface Fleet {
  /** The file it was read from, for messages. */
  readonly source: string;
  readonly tiers: Readonly<Record<string, Tier>>;
  readonly clusters: Readonly<Record<string, Cluster>>;
  readonly tenants: readonly Tenant[];
  /** The noisy-neighbour detector's thresholds: the `noisy:` overrides over the defaults (docs/noisy-neighbours.md). */
  readonly noisy: DetectorConfig;
}
