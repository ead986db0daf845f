import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { Value, type ValueError } from '@sinclair/typebox/value';
import { ConfigError } from '../core/errors';
import { redact } from '../core/redact';
import { DEFAULT_TIERS } from './default-tiers';
import { parseDurationSeconds } from './durations';
import { checkFee, checkNoisy, checkWindows, checkZone, type Problems } from './fleet-checks';
import {
  checkDistinctTraefik,
  PASSWORD_KEYS,
  referencedPassword,
  TRAEFIK_API_KEYS,
  TRAEFIK_METRICS_KEYS,
  type SecretSources,
} from './fleet-secrets';
import { checkEndpoints } from './fleet-endpoints';
import { sourceFileProblems } from './fleet-paths';
import { readFleetYaml } from './fleet-yaml';
import { FleetFileSchema, type ClusterInput, type FleetFile, type TenantInput, type TierInput } from './fleet-schema';
import type { Cluster, Fleet, Tenant, Tier } from './fleet-types';

const TENANT_ID = /^[a-z0-9][a-z0-9_-]*$/;

/** The fleet file from a command's --fleet flag, else TENANTSCOPE_FLEET_FILE; a usage error (exit 2) when neither is set. */
export function fleetPath(command: string, flag: string | undefined, env: string | undefined): string {
  const path = flag ?? env;
  if (!path) throw new ConfigError([`tenantscope ${command}: no fleet file: pass --fleet FILE or set TENANTSCOPE_FLEET_FILE`]);
  return path;
}

/**
 * Reads and validates a fleet file; throws ConfigError naming the file and every bad key path.
 * Passwords given by `passwordEnv` are read from `env`. `sourcesReadable`: also require that the
 * files the collectors read (Odoo logs, backup results) sit in directories that exist and can be
 * read, for a process that runs collectors.
 */
export function loadFleetFile(file: string, options: { sourcesReadable?: boolean; env?: NodeJS.ProcessEnv } = {}): Fleet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`fleet file ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const fleet = parseFleet(text, file, dirname(resolvePath(file)), options.env ?? process.env);
  const problems = options.sourcesReadable ? sourceFileProblems(fleet) : [];
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `fleet file ${file}: ${p}`));
  return fleet;
}

/**
 * Validates fleet file text; `source` names it in messages. Relative file paths in it (logs,
 * backup results, password files) are taken from `baseDir`, the fleet file's folder, as
 * Prometheus does; `passwordEnv` variables from `env`.
 */
export function parseFleet(text: string, source: string, baseDir = process.cwd(), env: NodeJS.ProcessEnv = process.env): Fleet {
  const raw = readFleetYaml(text, source);
  const structural = [...Value.Errors(FleetFileSchema, raw)];
  if (structural.length > 0) {
    throw new ConfigError(dedupe(structural.map((e) => `fleet file ${source}: ${describe(e)}`)));
  }
  const problems: Problems = [];
  const fleet = resolve(raw as FleetFile, source, { baseDir, env }, problems);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `fleet file ${source}: ${p}`));
  return deepFreeze(fleet);
}

function resolve(file: FleetFile, source: string, sources: SecretSources, problems: Problems): Fleet {
  const tiers: Record<string, Tier> = {};
  for (const [id, input] of Object.entries(file.tiers ?? DEFAULT_TIERS)) {
    const tier = resolveTier(id, input, `tiers.${id}`, problems);
    if (tier) tiers[id] = tier;
  }
  const clusters: Record<string, Cluster> = {};
  for (const [id, input] of Object.entries(file.clusters)) {
    if (!TENANT_ID.test(id)) problems.push(`clusters.${id}: expected a cluster id matching [a-z0-9][a-z0-9_-]*`);
    const cluster = resolveCluster(id, input, `clusters.${id}`, sources, problems);
    if (cluster) clusters[id] = cluster;
  }
  checkDistinctTraefik(Object.values(clusters), problems);
  const tenants: Tenant[] = [];
  const seenIds = new Map<string, number>();
  const seenHosts = new Map<string, number>();
  const seenDatabases = new Map<string, number>();
  file.tenants.forEach((input, i) => {
    const at = `tenants[${i}]`;
    if (!TENANT_ID.test(input.id)) problems.push(`${at}.id: expected an id matching [a-z0-9][a-z0-9_-]*, got ${JSON.stringify(input.id)}`);
    const first = seenIds.get(input.id);
    if (first !== undefined)
      problems.push(`${at}.id: expected a unique tenant id, ${JSON.stringify(input.id)} is already tenants[${first}]`);
    else seenIds.set(input.id, i);
    input.hosts.forEach((host, h) => {
      const owner = seenHosts.get(host.toLowerCase());
      if (owner !== undefined)
        problems.push(`${at}.hosts[${h}]: expected a host no other tenant has, ${host} is already tenants[${owner}]'s`);
      else seenHosts.set(host.toLowerCase(), i);
    });
    const tenant = resolveTenant(input, at, tiers, clusters, problems);
    if (!tenant) return;
    const key = `${tenant.cluster}/${tenant.database}`;
    const dbOwner = seenDatabases.get(key);
    if (dbOwner !== undefined)
      problems.push(
        `${at}.database: expected a database no other tenant of cluster ${tenant.cluster} has, ${tenant.database} is already tenants[${dbOwner}]'s`,
      );
    else seenDatabases.set(key, i);
    tenants.push(tenant);
  });
  const noisy = checkNoisy(file.noisy, 'noisy', problems);
  return { source, tiers, clusters, tenants, noisy };
}

function resolveTier(id: string, t: TierInput, at: string, problems: Problems): Tier | undefined {
  const rpo = parseDurationSeconds(t.rpo);
  const rto = parseDurationSeconds(t.rto);
  if (rpo === undefined) problems.push(`${at}.rpo: expected a duration such as 15m, 1h or 24h, got ${JSON.stringify(t.rpo)}`);
  if (rto === undefined) problems.push(`${at}.rto: expected a duration such as 1h or 8h, got ${JSON.stringify(t.rto)}`);
  const thresholds = t.credits.map((c) => c.below);
  if (new Set(thresholds).size !== thresholds.length) problems.push(`${at}.credits: expected each "below" threshold once`);
  if (rpo === undefined || rto === undefined) return undefined;
  return {
    id,
    targetPercent: t.target,
    credits: [...t.credits].sort((a, b) => b.below - a.below).map((c) => ({ belowPercent: c.below, percent: c.percent })),
    creditCapPercent: t.creditCapPercent ?? 100,
    rpoSeconds: rpo,
    rtoSeconds: rto,
    downtime: { minRequests: t.downtime?.minRequests ?? 10, errorRatio: t.downtime?.errorRatio ?? 0.05 },
    nodata: t.nodata ?? 'exclude',
  };
}

function resolveCluster(id: string, c: ClusterInput, at: string, sources: SecretSources, problems: Problems): Cluster | undefined {
  const file = (p: string) => resolvePath(sources.baseDir, p);
  // passwords given by reference (fleet-secrets.ts), each under the key of its URL
  const ref = (url: string | undefined, path: string | undefined, env: string | undefined, block: string, keys = PASSWORD_KEYS) =>
    referencedPassword(url, { file: path, env }, keys, `${at}.${block}`, sources, problems);
  const passwords = {
    probe: ref(c.probe?.url, c.probe?.passwordFile, c.probe?.passwordEnv, 'probe'),
    metrics: ref(c.traefik?.metricsUrl, c.traefik?.metricsPasswordFile, c.traefik?.metricsPasswordEnv, 'traefik', TRAEFIK_METRICS_KEYS),
    api: ref(c.traefik?.apiUrl, c.traefik?.apiPasswordFile, c.traefik?.apiPasswordEnv, 'traefik', TRAEFIK_API_KEYS),
    postgres: ref(c.postgres?.url, c.postgres?.passwordFile, c.postgres?.passwordEnv, 'postgres'),
    redis: ref(c.redis?.url, c.redis?.passwordFile, c.redis?.passwordEnv, 'redis'),
  };
  const zone = checkZone(c.timezone, `${at}.timezone`, problems);
  checkEndpoints(c, at, problems);
  const logZone = c.odoo?.logTimezone === undefined ? zone : checkZone(c.odoo.logTimezone, `${at}.odoo.logTimezone`, problems);
  if (!zone || !logZone) return undefined;
  return {
    id,
    timezone: zone,
    maintenance: checkWindows(c.maintenance, zone, `${at}.maintenance`, problems),
    ...(c.odoo && { odoo: { logFiles: c.odoo.logFiles.map(file), logTimezone: logZone, intervalSeconds: c.odoo.logIntervalSeconds ?? 5 } }),
    ...(c.probe && {
      probe: {
        url: c.probe.url,
        ...(passwords.probe && { password: passwords.probe }),
        path: c.probe.path ?? '/web/login',
        intervalSeconds: c.probe.intervalSeconds ?? 30,
        timeoutSeconds: c.probe.timeoutSeconds ?? 5,
      },
    }),
    ...(c.traefik && {
      traefik: {
        ...(c.traefik.metricsUrl && { metricsUrl: c.traefik.metricsUrl }),
        ...(c.traefik.accessLogFiles && { accessLogFiles: c.traefik.accessLogFiles.map(file) }),
        ...(passwords.metrics && { metricsPassword: passwords.metrics }),
        ...(c.traefik.apiUrl && { apiUrl: c.traefik.apiUrl }),
        ...(passwords.api && { apiPassword: passwords.api }),
        intervalSeconds: c.traefik.intervalSeconds ?? 15,
        routerTenants: c.traefik.routerTenants ?? {},
        serviceTenants: c.traefik.serviceTenants ?? {},
      },
    }),
    ...(c.postgres && {
      postgres: {
        url: c.postgres.url,
        ...(passwords.postgres && { password: passwords.postgres }),
        intervalSeconds: c.postgres.intervalSeconds ?? 15,
        activityIntervalSeconds: c.postgres.activityIntervalSeconds ?? 1,
        sizeIntervalSeconds: c.postgres.sizeIntervalSeconds ?? 300,
        jobsIntervalSeconds: c.postgres.jobsIntervalSeconds ?? 60,
        cronOverdueSeconds: c.postgres.cronOverdueSeconds ?? 300,
      },
    }),
    ...(c.redis && {
      redis: {
        url: c.redis.url,
        ...(passwords.redis && { password: passwords.redis }),
        intervalSeconds: c.redis.intervalSeconds ?? 15,
        timeoutSeconds: c.redis.timeoutSeconds ?? 2,
      },
    }),
    capacity: {
      ...(c.capacity?.odooWorkers !== undefined && { odooWorkers: c.capacity.odooWorkers }),
      cronThreads: c.capacity?.cronThreads ?? 2,
      ...(c.capacity?.pgVcpu !== undefined && { pgVcpu: c.capacity.pgVcpu }),
      placementHours: c.capacity?.placementHours ?? 4,
      ...(c.capacity?.diskGiB !== undefined && { diskGiB: c.capacity.diskGiB }),
    },
    ...(c.backups && {
      backups: Object.fromEntries(Object.entries(c.backups).map(([key, value]) => [key, key === 'stanza' ? value : file(value as string)])),
    }),
  };
}

function resolveTenant(
  t: TenantInput,
  at: string,
  tiers: Record<string, Tier>,
  clusters: Record<string, Cluster>,
  problems: Problems,
): Tenant | undefined {
  const cluster = clusters[t.cluster];
  if (!cluster)
    problems.push(
      `${at}.cluster: expected a cluster declared under clusters (${Object.keys(clusters).join(', ') || 'none'}), got ${JSON.stringify(t.cluster)}`,
    );
  if (!tiers[t.tier]) problems.push(`${at}.tier: expected a known tier (${Object.keys(tiers).join(', ')}), got ${JSON.stringify(t.tier)}`);
  const zone = t.timezone === undefined ? cluster?.timezone : checkZone(t.timezone, `${at}.timezone`, problems);
  const fee = checkFee(t.monthlyFee.amount, t.monthlyFee.currency, `${at}.monthlyFee`, problems);
  if (!cluster || !tiers[t.tier] || !zone || !fee) return undefined;
  return {
    id: t.id,
    name: t.name,
    cluster: t.cluster,
    tier: t.tier,
    timezone: zone,
    database: t.database ?? t.id,
    hosts: t.hosts.map((h) => h.toLowerCase()),
    redis: t.redis ?? {},
    monthlyFee: fee,
    maintenance: checkWindows(t.maintenance, zone, `${at}.maintenance`, problems),
    ...(t.storageQuotaGiB !== undefined && { storageQuotaGiB: t.storageQuotaGiB }),
  };
}

/** `/tenants/3/timezone` → `tenants[3].timezone`, with what the schema expected. */
function describe(error: ValueError): string {
  const path = error.path
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
  const schema = error.schema as { anyOf?: { const?: unknown }[]; description?: string };
  let expected = error.message.replace(/^Expected /, 'expected ');
  if (schema.anyOf?.every((s) => s.const !== undefined)) expected = `expected one of ${schema.anyOf.map((s) => s.const).join(', ')}`;
  else if (schema.description) expected = `expected ${schema.description}`;
  if (error.message === 'Unexpected property') return `${path}: unknown key (check its spelling)`;
  // redacted before it is cut short: a URL cut before its `@` would no longer look like one
  const got = error.value === undefined ? '' : `, got ${redact(JSON.stringify(error.value))}`.slice(0, 80);
  return `${path || '(top level)'}: ${expected}${got}`;
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
