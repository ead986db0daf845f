import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigError } from '../core/errors';
import { hasInlinePassword } from '../core/redact';
import { Secret } from '../core/secret';
import { readPasswordFile } from './fleet-secrets';
import type { RetentionMonths } from '../storage/retention';

/**
 * Environment settings: one schema, validated once at start, frozen after (docs/configuration.md).
 * No secret has a default: without TENANTSCOPE_SIGNING_KEY_FILE reports are unsigned and say so.
 * The database and Redis passwords may be given inline in their URLs or, kept out of them, in the
 * files named by TENANTSCOPE_DATABASE_PASSWORD_FILE / TENANTSCOPE_REDIS_PASSWORD_FILE (read here,
 * put into the URL only when a client connects: withPassword).
 */
const EnvSchema = Type.Object({
  TENANTSCOPE_DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', default: 'postgres://postgres@127.0.0.1:5432/tenantscope' }),
  TENANTSCOPE_DATABASE_PASSWORD_FILE: Type.Optional(Type.String({ minLength: 1 })),
  TENANTSCOPE_REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  TENANTSCOPE_REDIS_PASSWORD_FILE: Type.Optional(Type.String({ minLength: 1 })),
  TENANTSCOPE_LISTEN: Type.String({ pattern: '^[^:]+:\\d{1,5}$', default: '127.0.0.1:9470' }),
  TENANTSCOPE_FLEET_FILE: Type.Optional(Type.String({ minLength: 1 })),
  TENANTSCOPE_SIGNING_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  TENANTSCOPE_SLA_GRACE_HOURS: Type.Number({ minimum: 0, maximum: 2160, default: 72 }),
  TENANTSCOPE_QUEUE_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_.-]+$', default: 'tenantscope' }),
  TENANTSCOPE_WORKER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 256, default: 8 }),
  TENANTSCOPE_DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  TENANTSCOPE_COLLECTOR_TIMEOUT_SECONDS: Type.Number({ exclusiveMinimum: 0, maximum: 600, default: 20 }),
  TENANTSCOPE_COLLECTOR_RUN_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 7 }),
  TENANTSCOPE_RETENTION_RAW_SAMPLES_MONTHS: Type.Integer({ minimum: 1, maximum: 1200, default: 2 }),
  TENANTSCOPE_RETENTION_MINUTE_ROLLUPS_MONTHS: Type.Integer({ minimum: 1, maximum: 1200, default: 13 }),
  TENANTSCOPE_RETENTION_SLA_MINUTES_MONTHS: Type.Integer({ minimum: 1, maximum: 1200, default: 25 }),
  TENANTSCOPE_RETENTION_NOISY_ATTRIBUTION_MONTHS: Type.Integer({ minimum: 1, maximum: 1200, default: 13 }),
  TENANTSCOPE_RATE_LIMIT_PER_ADDRESS: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 1200 }),
  TENANTSCOPE_RATE_LIMIT_PER_TOKEN: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 600 }),
  TENANTSCOPE_PUSH_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
  TENANTSCOPE_PUSH_READ_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
  TENANTSCOPE_METRICS_BEARER_TOKEN_FILE: Type.Optional(Type.String({ minLength: 1 })),
  TENANTSCOPE_METRICS_BASIC_AUTH_FILE: Type.Optional(Type.String({ minLength: 1 })),
  TENANTSCOPE_METRICS_TENANT_NAMES: Type.Union([Type.Literal('show'), Type.Literal('hide')], { default: 'show' }),
  TENANTSCOPE_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  OTEL_SERVICE_NAME: Type.String({ default: 'tenantscope' }),
  TENANTSCOPE_REVISION: Type.String({ default: 'unknown' }),
});

type RawEnv = Static<typeof EnvSchema>;

export interface Settings {
  /** As given; shown only redacted. Connect with withPassword(databaseUrl, databasePassword). */
  readonly databaseUrl: string;
  /** From TENANTSCOPE_DATABASE_PASSWORD_FILE. */
  readonly databasePassword?: Secret;
  /** As given; shown only redacted. Connect with withPassword(redisUrl, redisPassword). */
  readonly redisUrl: string;
  /** From TENANTSCOPE_REDIS_PASSWORD_FILE. */
  readonly redisPassword?: Secret;
  readonly listen: { readonly host: string; readonly port: number };
  readonly fleetFile?: string;
  readonly signingKeyFile?: string;
  /** Hours after a month's end during which late evidence still counts before the report is frozen. */
  readonly slaGraceHours: number;
  readonly queuePrefix: string;
  readonly workerConcurrency: number;
  /** Connections each process may open to tenantscope's own database. */
  readonly databasePoolSize: number;
  readonly collectorTimeoutSeconds: number;
  /** Days successful collector runs are kept (the hourly `collector-run-retention` job); failed runs are kept. */
  readonly collectorRunRetentionDays: number;
  /**
   * Whole months of monthly partitions kept before the current month, per table class (the daily
   * `partition-retention` job, `tenantscope retention`); evidence of SLA months still to be frozen
   * or re-checked is kept whatever these say.
   */
  readonly retentionMonths: RetentionMonths;
  /** Requests a minute one client address may make, and one API token (0: no limit). */
  readonly rateLimitPerAddress: number;
  readonly rateLimitPerToken: number;
  /** Pushed log bodies read at once by one API process. */
  readonly pushConcurrency: number;
  /** Seconds a pushed body may take to arrive. */
  readonly pushReadSeconds: number;
  /** Credentials /metrics asks for, from TENANTSCOPE_METRICS_BEARER_TOKEN_FILE or _BASIC_AUTH_FILE. */
  readonly metricsAuth?: MetricsCredentials;
  /** Whether tenantscope_tenant_info carries each tenant's display name. */
  readonly metricsTenantNames: boolean;
  readonly logLevel: string;
  readonly otlpEndpoint?: string;
  readonly serviceName: string;
  /** Source revision for tenantscope_build_info (set by the image build). */
  readonly revision: string;
}

/** What /metrics asks for: a bearer token, or a user name and password (Prometheus `authorization` or `basic_auth`). */
export type MetricsCredentials = { kind: 'bearer'; token: Secret } | { kind: 'basic'; username: string; password: Secret };

const NUMERIC = new Set([
  'TENANTSCOPE_RATE_LIMIT_PER_ADDRESS',
  'TENANTSCOPE_RATE_LIMIT_PER_TOKEN',
  'TENANTSCOPE_PUSH_CONCURRENCY',
  'TENANTSCOPE_PUSH_READ_SECONDS',
  'TENANTSCOPE_WORKER_CONCURRENCY',
  'TENANTSCOPE_DATABASE_POOL_SIZE',
  'TENANTSCOPE_COLLECTOR_TIMEOUT_SECONDS',
  'TENANTSCOPE_SLA_GRACE_HOURS',
  'TENANTSCOPE_COLLECTOR_RUN_RETENTION_DAYS',
  'TENANTSCOPE_RETENTION_RAW_SAMPLES_MONTHS',
  'TENANTSCOPE_RETENTION_MINUTE_ROLLUPS_MONTHS',
  'TENANTSCOPE_RETENTION_SLA_MINUTES_MONTHS',
  'TENANTSCOPE_RETENTION_NOISY_ATTRIBUTION_MONTHS',
]);

/** Reads settings from an environment (process.env by default); throws ConfigError naming each bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    picked[key] = NUMERIC.has(key) && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  const withDefaults = Value.Default(EnvSchema, picked);
  const errors = [...Value.Errors(EnvSchema, withDefaults)];
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => {
        const name = e.path.slice(1);
        const shown = /URL|PASSWORD/.test(name) ? '(value hidden)' : JSON.stringify(e.value);
        return `environment ${name}: ${e.message.replace(/^Expected/, 'expected')}, got ${shown}`;
      }),
    );
  }
  const raw = withDefaults as RawEnv;
  const [host, port] = splitListen(raw.TENANTSCOPE_LISTEN);
  const problems: string[] = [];
  const databasePassword = passwordFile(
    'TENANTSCOPE_DATABASE',
    raw.TENANTSCOPE_DATABASE_URL,
    raw.TENANTSCOPE_DATABASE_PASSWORD_FILE,
    problems,
  );
  const redisPassword = passwordFile('TENANTSCOPE_REDIS', raw.TENANTSCOPE_REDIS_URL, raw.TENANTSCOPE_REDIS_PASSWORD_FILE, problems);
  const metricsAuth = metricsCredentials(raw, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    databaseUrl: raw.TENANTSCOPE_DATABASE_URL,
    ...(databasePassword && { databasePassword }),
    redisUrl: raw.TENANTSCOPE_REDIS_URL,
    ...(redisPassword && { redisPassword }),
    listen: Object.freeze({ host, port }),
    ...(raw.TENANTSCOPE_FLEET_FILE !== undefined && { fleetFile: raw.TENANTSCOPE_FLEET_FILE }),
    ...(raw.TENANTSCOPE_SIGNING_KEY_FILE !== undefined && { signingKeyFile: raw.TENANTSCOPE_SIGNING_KEY_FILE }),
    slaGraceHours: raw.TENANTSCOPE_SLA_GRACE_HOURS,
    queuePrefix: raw.TENANTSCOPE_QUEUE_PREFIX,
    workerConcurrency: raw.TENANTSCOPE_WORKER_CONCURRENCY,
    databasePoolSize: raw.TENANTSCOPE_DATABASE_POOL_SIZE,
    collectorTimeoutSeconds: raw.TENANTSCOPE_COLLECTOR_TIMEOUT_SECONDS,
    collectorRunRetentionDays: raw.TENANTSCOPE_COLLECTOR_RUN_RETENTION_DAYS,
    retentionMonths: Object.freeze({
      'raw-samples': raw.TENANTSCOPE_RETENTION_RAW_SAMPLES_MONTHS,
      'minute-rollups': raw.TENANTSCOPE_RETENTION_MINUTE_ROLLUPS_MONTHS,
      'sla-minutes': raw.TENANTSCOPE_RETENTION_SLA_MINUTES_MONTHS,
      'noisy-attribution': raw.TENANTSCOPE_RETENTION_NOISY_ATTRIBUTION_MONTHS,
    }),
    rateLimitPerAddress: raw.TENANTSCOPE_RATE_LIMIT_PER_ADDRESS,
    rateLimitPerToken: raw.TENANTSCOPE_RATE_LIMIT_PER_TOKEN,
    pushConcurrency: raw.TENANTSCOPE_PUSH_CONCURRENCY,
    pushReadSeconds: raw.TENANTSCOPE_PUSH_READ_SECONDS,
    ...(metricsAuth && { metricsAuth }),
    metricsTenantNames: raw.TENANTSCOPE_METRICS_TENANT_NAMES === 'show',
    logLevel: raw.TENANTSCOPE_LOG_LEVEL,
    ...(raw.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined && { otlpEndpoint: raw.OTEL_EXPORTER_OTLP_ENDPOINT }),
    serviceName: raw.OTEL_SERVICE_NAME,
    revision: raw.TENANTSCOPE_REVISION,
  });
}

/** The password in `<name>_PASSWORD_FILE`, refused beside a password written in `<name>_URL`. */
function passwordFile(name: string, url: string, path: string | undefined, problems: string[]): Secret | undefined {
  if (path === undefined) return undefined;
  if (hasInlinePassword(url)) {
    problems.push(`environment ${name}_PASSWORD_FILE: the password is also written in ${name}_URL; give it one way only`);
    return undefined;
  }
  const read = readPasswordFile(path);
  if ('problem' in read) problems.push(`environment ${name}_PASSWORD_FILE: ${read.problem}`);
  return 'secret' in read ? read.secret : undefined;
}

/** The credentials of /metrics: a token file, or a `username:password` file; not both. */
function metricsCredentials(raw: RawEnv, problems: string[]): MetricsCredentials | undefined {
  const bearer = raw.TENANTSCOPE_METRICS_BEARER_TOKEN_FILE;
  const basic = raw.TENANTSCOPE_METRICS_BASIC_AUTH_FILE;
  if (bearer !== undefined && basic !== undefined) {
    problems.push('environment TENANTSCOPE_METRICS_BEARER_TOKEN_FILE and TENANTSCOPE_METRICS_BASIC_AUTH_FILE: give one of them, not both');
    return undefined;
  }
  const path = bearer ?? basic;
  if (path === undefined) return undefined;
  const name = bearer !== undefined ? 'TENANTSCOPE_METRICS_BEARER_TOKEN_FILE' : 'TENANTSCOPE_METRICS_BASIC_AUTH_FILE';
  const read = readPasswordFile(path);
  if ('problem' in read) {
    problems.push(`environment ${name}: ${read.problem}`);
    return undefined;
  }
  if (bearer !== undefined) {
    if (!/^[A-Za-z0-9_~+/.-]+=*$/.test(read.secret.reveal())) {
      problems.push(`environment ${name}: expected one token of letters, digits and -._~+/ in ${path}`);
      return undefined;
    }
    return { kind: 'bearer', token: read.secret };
  }
  const text = read.secret.reveal();
  const colon = text.indexOf(':');
  if (colon < 1 || colon === text.length - 1 || text.includes('\n')) {
    problems.push(`environment ${name}: expected one line username:password in ${path}`);
    return undefined;
  }
  return { kind: 'basic', username: text.slice(0, colon), password: new Secret(text.slice(colon + 1)) };
}

function splitListen(listen: string): [string, number] {
  const at = listen.lastIndexOf(':');
  const port = Number(listen.slice(at + 1));
  if (port > 65535) throw new ConfigError([`environment TENANTSCOPE_LISTEN: expected a port up to 65535, got ${port}`]);
  return [listen.slice(0, at), port];
}
