import { Redis } from 'ioredis';
import type { Logger } from '../services/core/logger';
import { withPassword } from '../services/core/secret';
import type { TrafficModel } from './model';
import type { TenantModel } from './profiles';

/**
 * Per tenant one Redis client named like Odoo's session store would be (`acme:web`, from the
 * tenant's `clientPrefix`; CLIENT SETNAME allows no spaces), doing GET/SET/EXPIRE on keys under
 * that prefix in proportion to the tenant's requests. Keys expire on their own; nothing is deleted.
 */

const MAX_OPS_PER_TICK = 12;
const SESSION_TTL_SECONDS = 1_800;

interface TenantClient {
  readonly tenant: TenantModel;
  readonly client: Redis;
  readonly prefix: string;
  busy: boolean;
}

/** `acme:` → `acme:web`; no prefix → `<tenant id>:web`. */
export function clientName(t: TenantModel): string {
  return `${keyPrefix(t)}web`.replace(/\s+/g, '_');
}

function keyPrefix(t: TenantModel): string {
  return t.tenant.redis.clientPrefix ?? `${t.tenant.id}:`;
}

export class RedisLoad {
  private readonly clients: TenantClient[] = [];
  private readonly warned = new Set<string>();
  private counter = 0;
  private stopped = false;

  constructor(
    private readonly model: TrafficModel,
    private readonly logger: Logger,
  ) {}

  /** Connects every tenant's client; a server that cannot be reached is logged and retried by ioredis. */
  async start(): Promise<void> {
    const connecting: Promise<void>[] = [];
    for (const cluster of this.model.clusters.values()) {
      const redis = cluster.cluster.redis;
      if (!redis) continue;
      const url = withPassword(redis.url, redis.password);
      for (const t of cluster.tenants) {
        const client = new Redis(url, {
          connectionName: clientName(t),
          ...(t.tenant.redis.db !== undefined && { db: t.tenant.redis.db }),
          lazyConnect: true,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 5_000,
          retryStrategy: (attempt) => Math.min(attempt * 500, 5_000),
        });
        client.on('error', (err: Error) => this.warnOnce(t.tenant.id, err));
        this.clients.push({ tenant: t, client, prefix: keyPrefix(t), busy: false });
        connecting.push(client.connect().catch((err: unknown) => this.warnOnce(t.tenant.id, err)));
      }
    }
    await Promise.all(connecting);
  }

  tick(requests: ReadonlyMap<number, number>, ms: number): void {
    if (this.stopped) return;
    for (const c of this.clients) {
      if (c.busy || c.client.status !== 'ready' || this.model.effects(c.tenant, ms).outage) continue;
      const ops = Math.min(MAX_OPS_PER_TICK, 2 * (requests.get(c.tenant.index) ?? 0));
      if (ops === 0) continue;
      const pipeline = c.client.pipeline();
      for (let i = 0; i < ops; i += 2) {
        const key = `${c.prefix}session:${(this.counter++ * 7919) % 500}`;
        pipeline.set(key, `{"uid": ${this.counter % 40}, "ts": ${Math.floor(ms / 1000)}}`);
        pipeline.expire(key, SESSION_TTL_SECONDS);
        pipeline.get(`${c.prefix}session:${(this.counter * 104_729) % 500}`);
      }
      c.busy = true;
      pipeline
        .exec()
        .catch((err: unknown) => this.warnOnce(c.tenant.tenant.id, err))
        .finally(() => (c.busy = false));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      this.clients.splice(0).map(async ({ client }) => {
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
        else client.disconnect();
      }),
    );
  }

  private warnOnce(tenant: string, err: unknown): void {
    if (this.stopped || this.warned.has(tenant)) return;
    this.warned.add(tenant);
    this.logger.warn({ tenant, err }, 'simulator: Redis load failing for tenant (further errors not logged)');
  }
}
