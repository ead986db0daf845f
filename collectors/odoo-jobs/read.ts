import pg from 'pg';
import { CRON, QUEUE, QUEUE_STATES, TABLES, type QueueState } from './queries';

/**
 * Reads the job backlogs of each tenant database of a cluster (queries.ts), a few databases at a
 * time, each through its own short connection: a database that cannot be read (gone, no CONNECT,
 * too slow) is reported as such and the others are read on.
 */
export const name = 'odoo-jobs';

export interface TenantJobs {
  database: string;
  /** Null when the database has no ir_cron: not an Odoo database. */
  cron: { active: number; overdue: number; oldestOverdueSeconds: number | null } | null;
  /** Null when queue_job is not installed. */
  queue: { jobs: Record<QueueState, number>; oldestPendingSeconds: number | null } | null;
}

export interface JobsRead {
  database: string;
  jobs?: TenantJobs;
  /** Why the database could not be read, in product words (never the URL). */
  error?: string;
}

export interface JobsInput {
  /** The monitored server's URL (with its password); each database is reached by replacing its path. */
  url: string;
  databases: readonly string[];
  overdueSeconds: number;
  concurrency: number;
  signal: AbortSignal;
  timeoutMs?: number;
}

export async function collect(input: JobsInput): Promise<JobsRead[]> {
  const out: JobsRead[] = new Array(input.databases.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < input.databases.length; i = next++) {
      if (input.signal.aborted) throw input.signal.reason;
      const database = input.databases[i]!;
      try {
        out[i] = { database, jobs: await readDatabase(input, database) };
      } catch (err) {
        out[i] = { database, error: describe(err) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, input.databases.length)) }, worker));
  return out;
}

async function readDatabase(input: JobsInput, database: string): Promise<TenantJobs> {
  const url = new URL(input.url);
  url.pathname = `/${encodeURIComponent(database)}`;
  const timeout = input.timeoutMs ?? 5_000;
  const client = new pg.Client({
    connectionString: url.toString(),
    application_name: 'tenantscope-collector',
    statement_timeout: timeout,
    connectionTimeoutMillis: timeout,
  });
  client.on('error', () => undefined);
  const stop = () => void client.end().catch(() => undefined);
  input.signal.addEventListener('abort', stop, { once: true });
  try {
    await client.connect();
    const tables = (await client.query<{ has_cron: boolean; has_queue: boolean }>(TABLES)).rows[0]!;
    const cron = tables.has_cron ? (await client.query(CRON, [input.overdueSeconds])).rows[0] : undefined;
    const queue = tables.has_queue ? (await client.query(QUEUE)).rows : undefined;
    return {
      database,
      cron: cron
        ? {
            active: cron.active,
            overdue: cron.overdue,
            oldestOverdueSeconds: cron.oldest_overdue_seconds === null ? null : Math.max(0, cron.oldest_overdue_seconds),
          }
        : null,
      queue: queue ? queueOf(queue) : null,
    };
  } finally {
    input.signal.removeEventListener('abort', stop);
    await client.end().catch(() => undefined);
  }
}

function queueOf(rows: { state: string; jobs: number; oldest_pending_seconds: number | null }[]): NonNullable<TenantJobs['queue']> {
  const jobs = Object.fromEntries(QUEUE_STATES.map((s) => [s, 0])) as Record<QueueState, number>;
  let oldestPendingSeconds: number | null = null;
  for (const r of rows) {
    if ((QUEUE_STATES as readonly string[]).includes(r.state)) jobs[r.state as QueueState] = r.jobs;
    if (r.oldest_pending_seconds !== null) oldestPendingSeconds = Math.max(0, r.oldest_pending_seconds);
  }
  return { jobs, oldestPendingSeconds };
}

/** The server's SQLSTATE or the socket error, never the connection string. */
function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e.code === '3D000') return 'database does not exist';
  if (e.code === '42501') return 'no permission to connect or read';
  if (e.code === '57014') return 'query timed out';
  if (e.code === '28P01' || e.code === '28000') return 'authentication failed';
  if (typeof e.code === 'string') return `PostgreSQL error ${e.code}`;
  return /timeout/i.test(e.message ?? '') ? 'connection timed out' : 'cannot connect';
}
