/**
 * Parser for the text Redis answers to `INFO [all]`, Redis 5 to 7.4 (and the KeyDB/Valkey
 * variants redis_exporter knows; `CLIENT LIST` is in redis-client-list.ts). Pure: any text
 * gives what could be read plus a count of lines that could not, never an exception. A field
 * an older server does not print is simply absent from the result, never 0.
 */

export interface KeyspaceRecord {
  type: 'keyspace';
  db: number;
  keys: number;
  expires: number;
  avgTtlMs: number;
  /** Keys with hash-field expiry (Redis 7.4+). */
  subexpiry?: number;
  /** KeyDB's 4th field. */
  cachedKeys?: number;
}

export interface CommandStatRecord {
  type: 'command';
  /** Lower case; subcommands as Redis prints them (`client|list`). */
  command: string;
  calls: number;
  usec: number;
  usecPerCall?: number;
  /** Redis 6.2+. */
  rejectedCalls?: number;
  failedCalls?: number;
}

export interface ErrorStatRecord {
  type: 'error';
  /** The error prefix: ERR, WRONGTYPE, NOAUTH ... (Redis 6.2+). */
  error: string;
  count: number;
}

export interface ReplicaRecord {
  type: 'replica';
  /** N of the `slaveN:` line. */
  index: number;
  ip: string;
  port: number;
  state: string;
  offset: number;
  lag?: number;
}

export interface LatencyRecord {
  type: 'latency';
  command: string;
  /** Percentile label (`p50`, `p99.9`) → microseconds (Redis 7.0+). */
  percentilesUsec: Record<string, number>;
}

export interface ModuleRecord {
  type: 'module';
  name: string;
  version?: number;
}

export type InfoItemRecord = KeyspaceRecord | CommandStatRecord | ErrorStatRecord | ReplicaRecord | LatencyRecord | ModuleRecord;

export interface RedisInfo {
  /** Plain `key:value` fields by section name as printed (`Server`, `Memory` ...), values raw. */
  sections: Record<string, Record<string, string>>;
  keyspace: KeyspaceRecord[];
  commands: CommandStatRecord[];
  errors: ErrorStatRecord[];
  replicas: ReplicaRecord[];
  latencies: LatencyRecord[];
  modules: ModuleRecord[];
}

export interface ParsedInfo {
  info: RedisInfo;
  rejected: number;
}

const FIELD = /^([^\s:]+):(.*)$/;
const HEADER = /^#\s*(\S.*?)\s*$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A finite number from Redis's decimal text, else undefined (`inf`, `nan`, `2.57M` are not). */
export function toNumber(text: string | undefined): number | undefined {
  if (text === undefined || !NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** A map without a prototype: keys come from the source, and `__proto__` must stay a plain key. */
export const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** `a=1,b=x` → {a: '1', b: 'x'}; undefined when a part has no `=`. */
function pairs(text: string): Record<string, string> | undefined {
  const out = dict<string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** Numbers of `fields`; undefined when any required one is missing or not a number. */
function numbers<K extends string>(p: Record<string, string>, required: readonly K[]): Record<K, number> | undefined {
  const out = {} as Record<K, number>;
  for (const key of required) {
    const value = toNumber(p[key]);
    if (value === undefined) return undefined;
    out[key] = value;
  }
  return out;
}

/** `{[as]: number}` when `p[key]` is a number, else `{}` (an absent field stays absent). */
export const optional = (p: Record<string, string>, key: string, as: string) => {
  const value = toNumber(p[key]);
  return value === undefined ? {} : { [as]: value };
};

function keyspace(key: string, value: string): KeyspaceRecord | undefined {
  const db = /^db(\d+)$/.exec(key);
  const p = pairs(value);
  const n = p && numbers(p, ['keys', 'expires', 'avg_ttl'] as const);
  if (!db || !p || !n) return undefined;
  return {
    type: 'keyspace',
    db: Number(db[1]),
    keys: n.keys,
    expires: n.expires,
    avgTtlMs: n.avg_ttl,
    ...optional(p, 'subexpiry', 'subexpiry'),
    ...optional(p, 'cached_keys', 'cachedKeys'),
  };
}

function commandStat(command: string, value: string): CommandStatRecord | undefined {
  const p = pairs(value);
  const n = p && numbers(p, ['calls', 'usec'] as const);
  if (!p || !n || command === '') return undefined;
  return {
    type: 'command',
    command: command.toLowerCase(),
    calls: n.calls,
    usec: n.usec,
    ...optional(p, 'usec_per_call', 'usecPerCall'),
    ...optional(p, 'rejected_calls', 'rejectedCalls'),
    ...optional(p, 'failed_calls', 'failedCalls'),
  };
}

function errorStat(error: string, value: string): ErrorStatRecord | undefined {
  const p = pairs(value);
  const n = p && numbers(p, ['count'] as const);
  return p && n && error !== '' ? { type: 'error', error, count: n.count } : undefined;
}

function replica(index: string, value: string): ReplicaRecord | undefined {
  const p = pairs(value);
  const n = p && numbers(p, ['port', 'offset'] as const);
  if (!p || !n || p.ip === undefined || p.state === undefined) return undefined;
  return { type: 'replica', index: Number(index), ip: p.ip, port: n.port, state: p.state, offset: n.offset, ...optional(p, 'lag', 'lag') };
}

function latency(command: string, value: string): LatencyRecord | undefined {
  const p = pairs(value);
  if (!p || command === '') return undefined;
  const percentilesUsec = dict<number>();
  for (const [label, text] of Object.entries(p)) {
    const usec = toNumber(text);
    if (!/^p\d+(\.\d+)?$/.test(label) || usec === undefined) return undefined;
    percentilesUsec[label] = usec;
  }
  return { type: 'latency', command: command.toLowerCase(), percentilesUsec };
}

function module(value: string): ModuleRecord | undefined {
  const p = pairs(value);
  if (!p?.name) return undefined;
  return { type: 'module', name: p.name, ...optional(p, 'ver', 'version') };
}

/** The structured line `key:value` stands for, null when it is a plain field, undefined when malformed. */
function structured(key: string, value: string): InfoItemRecord | null | undefined {
  if (/^db\d+$/.test(key)) return keyspace(key, value);
  if (key.startsWith('cmdstat_')) return commandStat(key.slice('cmdstat_'.length), value);
  if (key.startsWith('errorstat_')) return errorStat(key.slice('errorstat_'.length), value);
  if (key.startsWith('latency_percentiles_usec_')) return latency(key.slice('latency_percentiles_usec_'.length), value);
  const slave = /^slave(\d+)$/.exec(key);
  if (slave) return replica(slave[1] as string, value);
  if (key === 'module') return module(value);
  return null;
}

const LISTS = {
  keyspace: 'keyspace',
  command: 'commands',
  error: 'errors',
  replica: 'replicas',
  latency: 'latencies',
  module: 'modules',
} as const;

/** Parses the text of `INFO` or `INFO all` (LF or CRLF line ends, any sections). */
export function parseInfo(text: string): ParsedInfo {
  const info: RedisInfo = { sections: dict(), keyspace: [], commands: [], errors: [], replicas: [], latencies: [], modules: [] };
  let rejected = 0;
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const header = HEADER.exec(line);
    if (header) {
      section = header[1] as string;
      continue;
    }
    const field = FIELD.exec(line);
    if (!field) {
      rejected += 1;
      continue;
    }
    const [, key, value] = field as unknown as [string, string, string];
    const item = structured(key, value);
    if (item === undefined) rejected += 1;
    else if (item === null) (info.sections[section] ??= dict())[key] = value;
    else (info[LISTS[item.type]] as InfoItemRecord[]).push(item);
  }
  return { info, rejected };
}

/** Every plain field of every section, by key (keys are unique across INFO's sections). */
export function infoFields(info: RedisInfo): Record<string, string> {
  return Object.assign(dict<string>(), ...Object.values(info.sections)) as Record<string, string>;
}

/** Running counters of INFO, by the name tenantscope stores them under → the INFO field. */
export const REDIS_COUNTERS = {
  commandsProcessed: 'total_commands_processed',
  connectionsReceived: 'total_connections_received',
  rejectedConnections: 'rejected_connections',
  expiredKeys: 'expired_keys',
  evictedKeys: 'evicted_keys',
  keyspaceHits: 'keyspace_hits',
  keyspaceMisses: 'keyspace_misses',
} as const;
export type RedisCounter = keyof typeof REDIS_COUNTERS;

const GAUGES = {
  uptimeSeconds: 'uptime_in_seconds',
  usedMemoryBytes: 'used_memory',
  usedMemoryRssBytes: 'used_memory_rss',
  maxMemoryBytes: 'maxmemory',
  fragmentationRatio: 'mem_fragmentation_ratio',
  opsPerSecond: 'instantaneous_ops_per_sec',
  connectedClients: 'connected_clients',
  blockedClients: 'blocked_clients',
  maxClients: 'maxclients',
  connectedReplicas: 'connected_slaves',
  replicationOffsetBytes: 'master_repl_offset',
  /** On a replica: how far it has applied its master's stream. */
  replicaOffsetBytes: 'slave_repl_offset',
} as const;
export type RedisGauge = keyof typeof GAUGES;

/** The server-level numbers tenantscope keeps; each is absent when this server did not print it. */
export interface RedisServerStats {
  runId?: string;
  version?: string;
  role?: string;
  /** On a replica: `master_link_status:up`. */
  masterLinkUp?: boolean;
  gauges: Partial<Record<RedisGauge, number>>;
  counters: Partial<Record<RedisCounter, number>>;
}

export function serverStats(info: RedisInfo): RedisServerStats {
  const f = infoFields(info);
  const pick = <K extends string>(map: Record<K, string>) => {
    const out: Partial<Record<K, number>> = {};
    for (const [as, field] of Object.entries(map) as [K, string][]) {
      const value = toNumber(f[field]);
      if (value !== undefined) out[as] = value;
    }
    return out;
  };
  return {
    ...(f.run_id && { runId: f.run_id }),
    ...(f.redis_version && { version: f.redis_version }),
    ...(f.role && { role: f.role }),
    ...(f.master_link_status && { masterLinkUp: f.master_link_status === 'up' }),
    gauges: pick(GAUGES),
    counters: pick(REDIS_COUNTERS),
  };
}

/**
 * `tenantscope parse redis-info`: first a `stats` record with what the collector keeps (null
 * where the server did not say), then one `section` record per INFO section with its plain
 * fields as printed, then one record per keyspace, command, error, replica, latency and module line.
 */
export function infoRecords(text: string): { records: unknown[]; rejected: number } {
  const { info, rejected } = parseInfo(text);
  const stats = serverStats(info);
  const nulls = (keys: readonly string[], values: Record<string, number | undefined>) =>
    Object.fromEntries(keys.map((k) => [k, values[k] ?? null]));
  const records: unknown[] = [
    {
      type: 'stats',
      runId: stats.runId ?? null,
      version: stats.version ?? null,
      role: stats.role ?? null,
      masterLinkUp: stats.masterLinkUp ?? null,
      ...nulls(Object.keys(GAUGES), stats.gauges),
      ...nulls(Object.keys(REDIS_COUNTERS), stats.counters),
    },
    ...Object.entries(info.sections).map(([section, fields]) => ({ type: 'section', section, fields: { ...fields } })),
    ...info.keyspace,
    ...info.commands,
    ...info.errors,
    ...info.replicas,
    ...info.latencies,
    ...info.modules,
  ];
  return { records, rejected };
}
