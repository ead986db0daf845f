import { parseAccessLine, type AccessRecord } from './access-log';
import { rollUpAccess } from './access-rollup';
import { routerResolver } from './tenant-resolver';
import { readRouters, type RouterRule } from './read';
import { normaliseHost } from './rules';
import { addIngressRows, addUnmapped } from './store';
import { storableRows } from './storable';
import type { CollectorDefinition, CollectorTarget, IngestDeps, RunContext, RunOutcome } from '../lib/collector';
import { acceptedRange, isAccepted } from '../lib/accepted-range';
import { advanceCheckpoint, readCheckpoint } from '../lib/checkpoint-store';
import { claimRun } from '../lib/collector-store';
import { tailFile } from '../lib/file-tail';
import { Rejections } from '../lib/rejections';
import { succeededRun } from '../lib/run-record';
import { withoutLines } from '../lib/utf8-lines';
import type { Fleet, Password } from '../../services/config/fleet-types';
import { withTransaction } from '../../services/storage/db';

/**
 * Traefik's access log as a live source of a cluster's request counts, for a Traefik whose
 * /metrics has no router series (v2 without router labels) or is not reachable: each file of
 * `traefik.accessLogFiles` is tailed like the Odoo log (file-tail.ts: rename rotation,
 * copytruncate, complete lines only), and each request is added to its tenant's minute in
 * `ingress_minute`, the table the /metrics collector fills otherwise (a cluster has one of the
 * two sources, fleet-endpoints.ts). The checkpoint commits with the rows: a restart or a second
 * worker never counts a line twice.
 */
export const name = 'traefik-access';

export interface AccessLogTarget extends CollectorTarget {
  collector: 'traefik-access';
  file: string;
  apiUrl?: string;
  apiPassword?: Password;
  routerTenants: Readonly<Record<string, string>>;
}

/** Most bytes read in one run: a backlog is taken in steps, each its own transaction. */
const MAX_BYTES = 16 * 1024 * 1024;

export const traefikAccessCollector: CollectorDefinition<AccessLogTarget> = {
  name,
  targets: (fleet: Fleet) =>
    Object.values(fleet.clusters).flatMap((cluster) => {
      const t = cluster.traefik;
      return (t?.accessLogFiles ?? []).map((file) => ({
        collector: 'traefik-access' as const,
        target: file,
        intervalSeconds: t!.intervalSeconds,
        cluster: cluster.id,
        file,
        ...(t!.apiUrl && { apiUrl: t!.apiUrl }),
        ...(t!.apiPassword && { apiPassword: t!.apiPassword }),
        routerTenants: t!.routerTenants,
      }));
    }),
  run: (deps, target, context) => ingestAccessLog(deps, target, context),
};

export async function ingestAccessLog(deps: IngestDeps, target: AccessLogTarget, run: RunContext): Promise<RunOutcome> {
  const before = await readCheckpoint(deps.pool, target.collector, target.target);
  const tail = await tailFile(target.file, before, MAX_BYTES, 'access log');
  const rejections = new Rejections();
  const range = acceptedRange(deps.clock.now());
  const records: AccessRecord[] = [];
  for (const chunk of tail.chunks) {
    if (run.signal.aborted) throw run.signal.reason;
    for (const line of withoutLines(chunk.lines, chunk.invalidUtf8)) {
      const parsed = parseAccessLine(line);
      if (parsed.kind === 'rejected') rejections.add('malformed');
      else if (parsed.kind === 'record') {
        if (isAccepted(range, parsed.record.ts)) records.push(parsed.record);
        else rejections.add('outside_accepted_range');
      }
    }
    rejections.add('too_long', chunk.oversized).add('invalid_utf8', chunk.invalidUtf8.length);
  }
  const tenants = deps.fleet.tenants.filter((t) => t.cluster === target.cluster);
  const byHost = new Map(tenants.flatMap((t) => t.hosts.map((h) => [normaliseHost(h), t.id] as const)));
  const byRouter = routerResolver(await routersFor(target, records, run.signal), tenants, target.routerTenants);
  const rollup = rollUpAccess(records, { byHost: (host) => byHost.get(host), byRouter });
  const rows = storableRows(rollup.rows, rejections);
  await deps.partitions.ensure(
    'ingress_minute',
    rows.map((r) => r.minute),
  );
  const finishedAt = new Date(deps.clock.now());
  const applied = await withTransaction(deps.pool, async (client) => {
    const moved = await advanceCheckpoint(client, target.collector, target.target, before, tail.checkpoint, finishedAt, tail.more);
    if (!moved) return false;
    await addIngressRows(client, rows);
    await addUnmapped(client, target.cluster, rollup.unmapped, finishedAt);
    await claimRun(client, succeededRun(target.collector, target.target, run, finishedAt, records.length, rejections));
    return true;
  });
  const unattributed = [...rollup.unmapped.values()].reduce((a, b) => a + b, 0);
  return applied
    ? { records: records.length, rejected: rejections.total, duplicate: false, unattributed }
    : { records: 0, rejected: 0, duplicate: true };
}

/**
 * The router rules, from Traefik's API, when a line names a router but no Host that a tenant has
 * (CLF names none): the tenant is the one whose hosts the rule routes. Without an API URL the
 * fleet's routerTenants alone map routers.
 */
async function routersFor(
  target: AccessLogTarget,
  records: readonly AccessRecord[],
  signal: AbortSignal,
): Promise<RouterRule[] | undefined> {
  if (target.apiUrl === undefined || !records.some((r) => r.host === null && r.router !== null)) return undefined;
  return readRouters(target.apiUrl, target.apiPassword, { signal });
}
