import type { Queryable } from '../../services/storage/db';
import { ACTIVE_TENANTS } from '../../services/config/fleet-store';

/** What /metrics reads of the Redis collector's tables (migrations/0006_redis.sql). */

export type Row = Record<string, unknown> & { cluster_id: string };

export interface RedisSnapshot {
  servers: Row[];
  dbs: Row[];
  tenants: (Row & { tenant_id: string })[];
}

const LOAD_SERVERS = `
SELECT s.*, t.commands_processed, t.connections_received, t.rejected_connections, t.expired_keys, t.evicted_keys,
       t.keyspace_hits, t.keyspace_misses, t.resets
FROM redis_server_state s LEFT JOIN redis_server_total t USING (cluster_id) ORDER BY s.cluster_id`;
const LOAD_DBS = 'SELECT cluster_id, db, keys, expires, avg_ttl_ms FROM redis_db_state ORDER BY cluster_id, db';
const LOAD_TENANTS = `
SELECT s.tenant_id, s.cluster_id, s.clients, s.client_memory_bytes, s.keys, s.commands_total
FROM redis_tenant_state s JOIN ${ACTIVE_TENANTS} a ON a.id = s.tenant_id ORDER BY s.tenant_id`;

export async function readRedisSnapshot(db: Queryable): Promise<RedisSnapshot> {
  const [servers, dbs, tenants] = await Promise.all([db.query(LOAD_SERVERS), db.query(LOAD_DBS), db.query(LOAD_TENANTS)]);
  return { servers: servers.rows, dbs: dbs.rows, tenants: tenants.rows };
}
