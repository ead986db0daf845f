import pg from 'pg';
import type { Clock } from '../services/core/clock';
import type { Logger } from '../services/core/logger';
import { withPassword } from '../services/core/secret';
import type { TrafficModel } from './model';
import type { TenantModel } from './profiles';
import { STORM_CONNECTIONS } from './scenarios';

/**
 * Real load on real per-tenant databases, so the PostgreSQL collector has something true to
 * measure. Bounded for a small machine: per tenant a pool of two connections and at most four
 * queries a second, each a few milliseconds of CPU (an Odoo request spends ~15 ms in SQL),
 * started at moments spread over the second: the collector samples pg_stat_activity at a fixed
 * moment of each second, and queries all started at the tick that follows the second's end
 * were over long before it looked (pg_cpu read 0 for every tenant); one CPU-heavy loop (statement_timeout 2 s, half duty) for a noisy
 * tenant; at most STORM_CONNECTIONS idle connections for a storm. Creates a missing tenant
 * database and a `tenantscope_sim_orders` table in it; never drops anything and never connects
 * to databases that are not a tenant's.
 */

const TABLE = 'tenantscope_sim_orders';
const MAX_QUERIES_PER_TICK = 4;
const POOL_SIZE = 2;
const HEAVY_SQL = 'SELECT sum(sqrt(g)) FROM generate_series(1, 2500000) AS g';
const HEAVY_PAUSE_MS = 300;
/** The server-side work of an ORM read (computed fields, access rules): a few ms of CPU. */
const ORM_WORK = '(SELECT sum(sqrt(g)) FROM generate_series(1, 15000) AS g)';
const QUERIES = [
  {
    text: `SELECT id, partner_id, amount, state, ${ORM_WORK} AS work FROM ${TABLE} WHERE partner_id = $1 ORDER BY id DESC LIMIT 80`,
    args: (n: number) => [n % 97],
  },
  { text: `UPDATE ${TABLE} SET amount = amount + 1, write_date = now() WHERE id = $1`, args: (n: number) => [1 + (n % 2000)] },
  { text: `SELECT state, count(*), sum(amount), ${ORM_WORK} AS work FROM ${TABLE} GROUP BY state`, args: () => [] },
];
/** The requests of a tick are the second the model just played; their queries spread over the next. */
const SPREAD_MS = 1_000;
/** Golden-ratio steps: start phases that fill the second evenly, whatever the number of queries. */
const PHASE_STEP = 0.6180339887;

/**
 * Delays in [0, periodMs) for `count` queries, one per query, continuing the low-discrepancy
 * sequence from `phase` (returned for the next call): any stretch of the second gets its share.
 */
export function spreadDelays(count: number, periodMs: number, phase: number): { delays: number[]; phase: number } {
  const delays: number[] = [];
  let p = phase;
  for (let i = 0; i < count; i++) {
    p = (p + PHASE_STEP) % 1;
    delays.push(Math.floor(p * periodMs));
  }
  return { delays, phase: p };
}

interface TenantLoad {
  readonly tenant: TenantModel;
  readonly pool: pg.Pool;
  readonly config: pg.ClientConfig;
  inFlight: number;
  heavy: { running: boolean; client: pg.Client | undefined } | undefined;
  storm: pg.Client[];
  stormOpening: boolean;
}

export class PgLoad {
  private readonly loads: TenantLoad[] = [];
  private counter = 0;
  private phase = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private readonly warned = new Set<string>();
  /** Databases this run created; reported, never dropped. */
  readonly created: string[] = [];

  constructor(
    private readonly model: TrafficModel,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Odoo names its connections `odoo-<pid>`; the pid of a worker of the tenant's cluster. */
    private readonly applicationName: (t: TenantModel) => string,
  ) {}

  /** Ensures databases and tables; a cluster whose server is unreachable is logged and skipped. */
  async start(): Promise<void> {
    for (const [clusterId, cluster] of this.model.clusters) {
      const server = cluster.cluster.postgres;
      if (!server || cluster.tenants.length === 0) continue;
      const url = withPassword(server.url, server.password);
      try {
        await this.ensureDatabases(url, cluster.tenants);
      } catch (err) {
        this.logger.warn({ cluster: clusterId, err: describe(err) }, 'simulator: PostgreSQL load disabled for this cluster');
        continue;
      }
      for (const t of cluster.tenants) {
        const config: pg.ClientConfig = {
          connectionString: databaseUrl(url, t.tenant.database),
          application_name: this.applicationName(t),
          connectionTimeoutMillis: 5_000,
          statement_timeout: 2_000,
        };
        const pool = new pg.Pool({ ...config, max: POOL_SIZE, idleTimeoutMillis: 30_000 });
        pool.on('error', (err) => this.warnOnce(t.tenant.id, err));
        try {
          await ensureTable(pool);
          this.loads.push({ tenant: t, pool, config, inFlight: 0, heavy: undefined, storm: [], stormOpening: false });
        } catch (err) {
          this.warnOnce(t.tenant.id, err);
          await pool.end().catch(() => undefined);
        }
      }
    }
  }

  /** One tick: queries in proportion to the requests each tenant just served, and scenario load. */
  tick(requests: ReadonlyMap<number, number>, ms: number): void {
    if (this.stopped) return;
    for (const load of this.loads) {
      const effects = this.model.effects(load.tenant, ms);
      this.heavy(load, effects.heavyQueries);
      this.storm(load, Math.min(effects.stormConnections, STORM_CONNECTIONS));
      if (effects.outage) continue; // its Odoo cannot reach the database
      const wanted = Math.min(MAX_QUERIES_PER_TICK, requests.get(load.tenant.index) ?? 0, Math.max(0, POOL_SIZE * 2 - load.inFlight));
      const { delays, phase } = spreadDelays(wanted, SPREAD_MS, this.phase);
      this.phase = phase;
      for (const delay of delays) {
        const query = QUERIES[this.counter++ % QUERIES.length] as (typeof QUERIES)[number];
        const args = query.args(this.counter * 7919);
        load.inFlight++;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (this.stopped) return void load.inFlight--;
          load.pool
            .query(query.text, args)
            .catch((err: unknown) => this.warnOnce(load.tenant.tenant.id, err))
            .finally(() => load.inFlight--);
        }, delay);
        this.timers.add(timer);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(
      this.loads.map(async (load) => {
        if (load.heavy) load.heavy.running = false;
        await Promise.all([
          load.heavy?.client?.end().catch(() => undefined),
          ...load.storm.splice(0).map((c) => c.end().catch(() => undefined)),
        ]);
        await load.pool.end().catch(() => undefined);
      }),
    );
  }

  /** A report that burns CPU for a few hundred ms, again and again, while the scenario lasts. */
  private heavy(load: TenantLoad, wanted: boolean): void {
    if (!wanted || load.heavy?.running) return;
    const state: NonNullable<TenantLoad['heavy']> = { running: true, client: undefined };
    load.heavy = state;
    const run = async () => {
      const client = new pg.Client(load.config);
      state.client = client;
      client.on('error', (err) => this.warnOnce(load.tenant.tenant.id, err));
      try {
        await client.connect();
        while (state.running && !this.stopped && this.model.effects(load.tenant, this.clock.now()).heavyQueries) {
          await client.query(HEAVY_SQL).catch((err: unknown) => this.warnOnce(load.tenant.tenant.id, err));
          await new Promise((resolve) => setTimeout(resolve, HEAVY_PAUSE_MS));
        }
      } catch (err) {
        this.warnOnce(load.tenant.tenant.id, err);
      } finally {
        state.running = false;
        await client.end().catch(() => undefined);
      }
    };
    void run();
  }

  /** Opens idle connections up to `wanted`, or closes them all when the storm is over. */
  private storm(load: TenantLoad, wanted: number): void {
    if (wanted === 0 && load.storm.length > 0) {
      for (const client of load.storm.splice(0)) void client.end().catch(() => undefined);
      return;
    }
    if (load.stormOpening || load.storm.length >= wanted) return;
    load.stormOpening = true;
    const missing = wanted - load.storm.length;
    void Promise.all(
      Array.from({ length: missing }, async () => {
        const client = new pg.Client(load.config);
        client.on('error', (err) => this.warnOnce(load.tenant.tenant.id, err));
        try {
          await client.connect();
          if (this.stopped) await client.end();
          else load.storm.push(client);
        } catch (err) {
          this.warnOnce(load.tenant.tenant.id, err);
        }
      }),
    ).finally(() => (load.stormOpening = false));
  }

  private async ensureDatabases(url: string, tenants: readonly TenantModel[]): Promise<void> {
    const admin = new pg.Client({ connectionString: url, application_name: 'tenantscope-simulator', connectionTimeoutMillis: 5_000 });
    await admin.connect();
    try {
      const names = tenants.map((t) => t.tenant.database);
      const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1::text[])', [names]);
      const existing = new Set(rows.map((r) => r.datname));
      for (const name of names.filter((n) => !existing.has(n))) {
        try {
          await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
          this.created.push(name);
          this.logger.info({ database: name }, 'simulator: created tenant database');
        } catch (err) {
          if ((err as { code?: string }).code !== '42P04') throw err; // created meanwhile by someone else
        }
      }
    } finally {
      await admin.end().catch(() => undefined);
    }
  }

  private warnOnce(tenant: string, err: unknown): void {
    if (this.stopped || this.warned.has(tenant)) return;
    this.warned.add(tenant);
    this.logger.warn({ tenant, err: describe(err) }, 'simulator: PostgreSQL load failing for tenant (further errors not logged)');
  }
}

async function ensureTable(pool: pg.Pool): Promise<void> {
  try {
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (id bigint PRIMARY KEY, partner_id int NOT NULL, amount numeric(12,2) NOT NULL, state text NOT NULL, write_date timestamptz NOT NULL DEFAULT now())`,
    );
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42P07' && code !== '23505') throw err; // a concurrent simulator created it first
  }
  await pool.query(
    `INSERT INTO ${TABLE} (id, partner_id, amount, state)
     SELECT g, g % 97, round((g * 37 % 1000)::numeric, 2), (ARRAY['draft','sale','done'])[1 + g % 3]
     FROM generate_series(1, 2000) AS g ON CONFLICT (id) DO NOTHING`,
  );
}

/** The server URL with the tenant's database as its path; user, password and options kept. */
function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** An error's code and message without a DSN (pg messages never carry the password). */
function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(' ');
}
