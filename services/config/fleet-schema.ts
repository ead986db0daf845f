import { Type, type Static } from '@sinclair/typebox';
import type { Resource } from './noisy-thresholds';

/**
 * The shape of the fleet file (docs/sla.md). Structure only: cross references, time zones,
 * durations and currencies are checked in fleet.ts, which names the key path of each problem.
 */

const Duration = Type.String({ description: 'a duration such as 15m, 1h or 24h' });
const Strict = { additionalProperties: false } as const;

const CreditStep = Type.Object(
  { below: Type.Number({ exclusiveMinimum: 0, maximum: 100 }), percent: Type.Number({ minimum: 0, maximum: 100 }) },
  Strict,
);

export const TierSchema = Type.Object(
  {
    target: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
    credits: Type.Array(CreditStep),
    creditCapPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    rpo: Duration,
    rto: Duration,
    downtime: Type.Optional(
      Type.Object(
        {
          minRequests: Type.Optional(Type.Integer({ minimum: 1 })),
          errorRatio: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
        },
        Strict,
      ),
    ),
    nodata: Type.Optional(Type.Union([Type.Literal('exclude'), Type.Literal('good'), Type.Literal('bad')])),
  },
  Strict,
);

const Weekday = Type.Union(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => Type.Literal(d)));

/** Exactly one of `weekly` or `once`; fleet.ts enforces that, naming the window. */
export const MaintenanceSchema = Type.Object(
  {
    weekly: Type.Optional(
      Type.Object(
        {
          days: Type.Array(Weekday, { minItems: 1 }),
          start: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'a local time HH:MM' }),
          minutes: Type.Integer({ minimum: 1, maximum: 10080 }),
          reason: Type.Optional(Type.String()),
        },
        Strict,
      ),
    ),
    once: Type.Optional(Type.Object({ start: Type.String(), end: Type.String(), reason: Type.Optional(Type.String()) }, Strict)),
  },
  Strict,
);

const Url = Type.String({ pattern: '^https?://' });

// A URL's password by reference instead of inline (docs/configuration.md): a file, relative to
// the fleet file, or an environment variable; read at load, put into the URL only to connect.
const PasswordFile = Type.Optional(Type.String({ minLength: 1, description: 'a file holding the password' }));
const PasswordEnv = Type.Optional(
  Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'the name of an environment variable holding the password' }),
);
const passwordRef = { passwordFile: PasswordFile, passwordEnv: PasswordEnv };

export const ClusterSchema = Type.Object(
  {
    timezone: Type.String(),
    maintenance: Type.Optional(Type.Array(MaintenanceSchema)),
    odoo: Type.Optional(
      Type.Object(
        {
          logFiles: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
          logTimezone: Type.Optional(Type.String()),
          logIntervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
        },
        Strict,
      ),
    ),
    probe: Type.Optional(
      Type.Object(
        {
          url: Url,
          ...passwordRef,
          path: Type.Optional(Type.String({ pattern: '^/' })),
          intervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
          timeoutSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 120 })),
        },
        Strict,
      ),
    ),
    traefik: Type.Optional(
      Type.Object(
        {
          // one source of a cluster's request counts: /metrics, or the access log (fleet-checks refuses both)
          metricsUrl: Type.Optional(Url),
          accessLogFiles: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
          metricsPasswordFile: PasswordFile,
          metricsPasswordEnv: PasswordEnv,
          apiUrl: Type.Optional(Url),
          apiPasswordFile: PasswordFile,
          apiPasswordEnv: PasswordEnv,
          intervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
          // router name (with or without @provider) -> tenant id, when no Host rule names the tenant
          routerTenants: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }))),
          // service name -> tenant id, for a v2 /metrics without router labels (service series only)
          serviceTenants: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }))),
        },
        Strict,
      ),
    ),
    postgres: Type.Optional(
      Type.Object(
        {
          url: Type.String({ pattern: '^postgres(ql)?://' }),
          ...passwordRef,
          intervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
          activityIntervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
          sizeIntervalSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86400 })),
          // Odoo's job backlogs (ir_cron, queue_job) in each tenant database: collector odoo-jobs
          jobsIntervalSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86400 })),
          cronOverdueSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
        },
        Strict,
      ),
    ),
    redis: Type.Optional(
      Type.Object(
        {
          url: Type.String({ pattern: '^rediss?://' }),
          ...passwordRef,
          intervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
          timeoutSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 60 })),
        },
        Strict,
      ),
    ),
    // what the shared resources can take, for the noisy-neighbour saturation gate and idle capacity
    capacity: Type.Optional(
      Type.Object(
        {
          odooWorkers: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
          cronThreads: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          pgVcpu: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10000 })),
          placementHours: Type.Optional(Type.Number({ minimum: 0, maximum: 744 })),
          // the disk the cluster's tenant databases share, for the storage forecast
          diskGiB: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e7 })),
        },
        Strict,
      ),
    ),
    backups: Type.Optional(
      Type.Object(
        {
          pgbackrestInfoFile: Type.Optional(Type.String({ minLength: 1 })),
          walgBackupListFile: Type.Optional(Type.String({ minLength: 1 })),
          jobResultsFile: Type.Optional(Type.String({ minLength: 1 })),
          stanza: Type.Optional(Type.String({ minLength: 1 })),
        },
        Strict,
      ),
    ),
  },
  Strict,
);

export const TenantSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String({ minLength: 1 }),
    cluster: Type.String(),
    tier: Type.String(),
    timezone: Type.Optional(Type.String()),
    database: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]+$' })),
    hosts: Type.Array(Type.String({ pattern: '^[A-Za-z0-9.-]+$' }), { minItems: 1 }),
    redis: Type.Optional(
      Type.Object({ clientPrefix: Type.Optional(Type.String({ minLength: 1 })), db: Type.Optional(Type.Integer({ minimum: 0 })) }, Strict),
    ),
    monthlyFee: Type.Object(
      { amount: Type.String({ pattern: '^\\d+(\\.\\d+)?$' }), currency: Type.String({ pattern: '^[A-Z]{3}$' }) },
      Strict,
    ),
    maintenance: Type.Optional(Type.Array(MaintenanceSchema)),
    // the database size the tenant's plan allows, for the storage forecast
    storageQuotaGiB: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e7 })),
  },
  Strict,
);

/** Bounded optional numbers; the description is what a refusal says was expected. */
const Count = (minimum: number, maximum: number) =>
  Type.Optional(Type.Integer({ minimum, maximum, description: `an integer from ${minimum} to ${maximum}` }));
const Num = (minimum: number, maximum: number) =>
  Type.Optional(Type.Number({ minimum, maximum, description: `a number from ${minimum} to ${maximum}` }));
const Positive = (maximum: number) =>
  Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum, description: `a number above 0, at most ${maximum}` }));
const Ratio = Num(0, 1);

const Gate = Type.Optional(Type.Object({ open: Ratio, close: Ratio }, Strict));
const gates = {
  odoo_workers: Gate,
  odoo_cron: Gate,
  pg_cpu: Gate,
  pg_io: Gate,
  pg_conn: Gate,
  pg_locks: Gate,
  redis: Gate,
  ingress: Gate,
} satisfies Record<Resource, unknown>;

/**
 * Overrides of the noisy-neighbour detector's thresholds (services/config/noisy-thresholds.ts),
 * each optional; fleet-checks.ts merges them over the defaults and checks the orderings.
 */
export const NoisySchema = Type.Object(
  {
    gates: Type.Optional(Type.Object(gates, Strict)),
    gateWindowMinutes: Count(1, 60),
    victim: Type.Optional(
      Type.Object(
        {
          baselineMinutes: Count(60, 10080),
          minBaselinePoints: Count(1, 10080),
          baselineRefreshMinutes: Count(1, 1440),
          baselineLagMinutes: Count(0, 1440),
          z: Positive(20),
          ratio: Num(1, 100),
          minExcessSeconds: Num(0, 3600),
          minErrorExcess: Ratio,
          minErrorCount: Count(0, 100000),
          madFloorFraction: Positive(1),
          minRequests: Count(0, 1000000),
          persistenceK: Count(1, 60),
          persistenceN: Count(1, 60),
          selfDemandZ: Positive(20),
          selfSlowIndex: Num(1, 100),
        },
        Strict,
      ),
    ),
    antagonist: Type.Optional(
      Type.Object(
        {
          windowMinutes: Count(2, 120),
          shareRise: Ratio,
          shareFactor: Num(1, 100),
          shareZ: Positive(20),
          dominanceMin: Ratio,
          dominanceTenants: Positive(1000),
          corr: Ratio,
          corrVictimZ: Num(0, 20),
          precedenceMinutes: Count(0, 60),
          blameFraction: Ratio,
        },
        Strict,
      ),
    ),
    lifecycle: Type.Optional(
      Type.Object(
        {
          suspectAfter: Count(1, 60),
          confirmAfter: Count(1, 60),
          closeZ: Num(0, 20),
          closeQuietMinutes: Count(1, 1440),
          closeShareMinutes: Count(1, 1440),
          cooldownMinutes: Count(0, 1440),
          // above 1 no correlation can override the cooldown
          cooldownOverrideCorr: Num(0, 2),
        },
        Strict,
      ),
    ),
    capacity: Type.Optional(Type.Object({ minVictims: Count(1, 1000), minVictimFraction: Ratio }, Strict)),
  },
  Strict,
);

export const FleetFileSchema = Type.Object(
  {
    tiers: Type.Optional(Type.Record(Type.String(), TierSchema)),
    clusters: Type.Record(Type.String(), ClusterSchema),
    tenants: Type.Array(TenantSchema),
    noisy: Type.Optional(NoisySchema),
  },
  Strict,
);

export type FleetFile = Static<typeof FleetFileSchema>;
export type TierInput = Static<typeof TierSchema>;
export type ClusterInput = Static<typeof ClusterSchema>;
export type TenantInput = Static<typeof TenantSchema>;
export type MaintenanceInput = Static<typeof MaintenanceSchema>;
export type NoisyInput = Static<typeof NoisySchema>;
