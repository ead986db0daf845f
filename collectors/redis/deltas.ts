import type { ClientRecord } from './client-list';
import { REDIS_COUNTERS, type RedisCounter, type RedisServerStats } from './info-parser';
import type { Tenant } from '../../services/config/fleet-types';

/** What the previous sample of a server left behind: the base of the next deltas. */
export interface CounterBase {
  runId: string | null;
  sampledAt: number;
  counters: Partial<Record<RedisCounter, number>>;
  /** `tot-cmds` per client id, for servers that print it (Redis 8, Valkey 8). */
  clientCommands: Record<string, number>;
}

export interface CounterDeltas {
  deltas: Partial<Record<RedisCounter, number>>;
  /** True when the server restarted (new run_id) or its stats were reset: the interval is dropped. */
  reset: boolean;
}

/**
 * Deltas since the previous sample. A changed `run_id` (restart) or a `total_commands_processed`
 * lower than before (CONFIG RESETSTAT) drops the whole interval; any other counter that went
 * down drops only itself. Never a negative or an inflated value; nothing without a base.
 */
export function counterDeltas(base: CounterBase | undefined, stats: RedisServerStats): CounterDeltas {
  if (!base) return { deltas: {}, reset: false };
  const before = base.counters.commandsProcessed;
  const now = stats.counters.commandsProcessed;
  const restarted = base.runId !== null && stats.runId !== undefined && base.runId !== stats.runId;
  if (restarted || (before !== undefined && now !== undefined && now < before)) return { deltas: {}, reset: true };
  const deltas: Partial<Record<RedisCounter, number>> = {};
  for (const counter of Object.keys(REDIS_COUNTERS) as RedisCounter[]) {
    const a = base.counters[counter];
    const b = stats.counters[counter];
    if (a !== undefined && b !== undefined && b >= a) deltas[counter] = b - a;
  }
  return { deltas, reset: false };
}

export interface TenantUsage {
  tenantId: string;
  clients: number;
  /** Sum of `tot-mem`; null when the server does not print it (before Redis 6.0). */
  clientMemoryBytes: number | null;
  /** Commands since the previous sample (from `tot-cmds`); null when not derivable. */
  commands: number | null;
}

export interface Attribution {
  tenants: TenantUsage[];
  /** Clients that no tenant of the cluster claims (the collector's own connection excluded). */
  unattributed: number;
  /** `tot-cmds` of attributed clients, the base of the next sample's tenant commands. */
  clientCommands: Record<string, number>;
}

/** A tenant's Redis mapping from the fleet file: client-name prefix first, else db index. */
export function tenantForClient(tenants: readonly Tenant[], client: ClientRecord): Tenant | undefined {
  let best: Tenant | undefined;
  for (const t of tenants) {
    const prefix = t.redis.clientPrefix;
    if (prefix !== undefined && client.name?.startsWith(prefix) && prefix.length > (best?.redis.clientPrefix?.length ?? 0)) best = t;
  }
  return best ?? tenants.find((t) => t.redis.db !== undefined && t.redis.db === client.db);
}

/**
 * Maps the clients of one CLIENT LIST to the cluster's tenants. Commands per tenant come from
 * `tot-cmds`: a client seen before counts its growth, a client younger than the interval counts
 * all of its commands; commands of clients that left between samples are not seen, so the
 * figure is a lower bound.
 */
export function attributeClients(
  tenants: readonly Tenant[],
  clients: readonly ClientRecord[],
  selfClientId: number,
  base: CounterBase | undefined,
  sampledAt: number,
  reset: boolean,
): Attribution {
  const mapped = tenants.filter((t) => t.redis.clientPrefix !== undefined || t.redis.db !== undefined);
  const usage = new Map(
    mapped.map((t) => [t.id, { tenantId: t.id, clients: 0, clientMemoryBytes: 0 as number | null, commands: null as number | null }]),
  );
  const memoryKnown = clients.some((c) => c.totMemBytes !== undefined);
  const intervalSeconds = base ? (sampledAt - base.sampledAt) / 1000 : 0;
  const clientCommands: Record<string, number> = {};
  let unattributed = 0;
  for (const client of clients) {
    if (client.id === selfClientId) continue;
    const tenant = tenantForClient(mapped, client);
    const u = tenant && usage.get(tenant.id);
    if (!u) {
      unattributed += 1;
      continue;
    }
    u.clients += 1;
    if (u.clientMemoryBytes !== null)
      u.clientMemoryBytes = client.totMemBytes === undefined ? null : u.clientMemoryBytes + client.totMemBytes;
    if (client.totalCommands === undefined) continue;
    clientCommands[String(client.id)] = client.totalCommands;
    if (!base || reset) continue;
    const previous = base.clientCommands[String(client.id)];
    let grown: number | undefined;
    if (previous !== undefined) grown = client.totalCommands >= previous ? client.totalCommands - previous : undefined;
    else if (client.ageSeconds !== undefined && client.ageSeconds < intervalSeconds) grown = client.totalCommands;
    if (grown !== undefined) u.commands = (u.commands ?? 0) + grown;
  }
  const rows = [...usage.values()].map((u) => ({ ...u, clientMemoryBytes: memoryKnown ? u.clientMemoryBytes : null }));
  return { tenants: rows, unattributed, clientCommands };
}
