import { createHash, randomBytes } from 'node:crypto';
import { ConfigError } from '../core/errors';
import type { Queryable } from '../storage/db';
import type { Principal, Role } from './principal';
import { clusterExists, tenantExists } from '../config/fleet-store';

/** A token as listed: never the token itself, which exists only in the creator's hands. */
export interface TokenRecord {
  name: string;
  role: Role;
  tenant: string | null;
  /** The clusters an ingest token pushes for; null for the other roles. */
  clusters: string[] | null;
  createdAt: string;
  revokedAt: string | null;
}

export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/;
// The prefix lets secret scanners (and people) recognise a leaked token.
const TOKEN_PREFIX = 'tsk_';
const COLUMNS = 'name, role, tenant_id AS tenant, clusters, created_at, revoked_at';

/** SHA-256 hex of a token: what is stored and looked up. A fast hash suffices for 256 random bits. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const INSERT_TOKEN = `INSERT INTO api_token (name, token_hash, role, tenant_id, clusters, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`;

/** Creates a token and returns it once with its record; the database keeps only its hash. */
export async function createToken(
  db: Queryable,
  input: { name: string; role: Role; tenant?: string; clusters?: readonly string[] },
  at: Date,
): Promise<{ token: string; record: TokenRecord }> {
  if (!TOKEN_NAME.test(input.name))
    throw refused(`name: expected letters, digits and _ . @ - (up to 100), got ${JSON.stringify(input.name)}`);
  if ((input.role === 'tenant') !== (input.tenant !== undefined)) {
    throw refused(
      input.role === 'tenant'
        ? 'tenant: a tenant token needs --tenant ID'
        : `tenant: only a tenant token names a tenant (role ${input.role})`,
    );
  }
  if ((input.role === 'ingest') !== (input.clusters !== undefined && input.clusters.length > 0)) {
    throw refused(
      input.role === 'ingest'
        ? 'cluster: an ingest token needs --cluster ID (repeat it, or separate ids by commas, for several)'
        : `cluster: only an ingest token names clusters (role ${input.role})`,
    );
  }
  for (const cluster of input.clusters ?? []) {
    if (!(await clusterExists(db, cluster)))
      throw refused(
        `cluster: no cluster ${JSON.stringify(cluster)} in the database (clusters arrive when tenantscope starts with the fleet file)`,
      );
  }
  if (input.tenant !== undefined) {
    if (!(await tenantExists(db, input.tenant)))
      throw refused(
        `tenant: no tenant ${JSON.stringify(input.tenant)} in the database (tenants arrive when tenantscope starts with the fleet file)`,
      );
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const { rows } = await db.query<Row>(INSERT_TOKEN, [
    input.name,
    tokenHash(token),
    input.role,
    input.tenant ?? null,
    input.clusters ? [...new Set(input.clusters)].sort() : null,
    at,
  ]);
  if (rows.length === 0)
    throw refused(`name: a token named ${JSON.stringify(input.name)} exists already (names stay taken after revocation)`);
  return { token, record: toRecord(rows[0]!) };
}

const LIST_TOKENS = `SELECT ${COLUMNS} FROM api_token ORDER BY name`;

export async function listTokens(db: Queryable): Promise<TokenRecord[]> {
  const { rows } = await db.query<Row>(LIST_TOKENS);
  return rows.map(toRecord);
}

const REVOKE_TOKEN = `UPDATE api_token SET revoked_at = COALESCE(revoked_at, $2) WHERE name = $1 RETURNING ${COLUMNS}`;

/** Revokes a token by name; undefined when no such token exists. Revoking twice keeps the first time. */
export async function revokeToken(db: Queryable, name: string, at: Date): Promise<TokenRecord | undefined> {
  const { rows } = await db.query<Row>(REVOKE_TOKEN, [name, at]);
  return rows[0] && toRecord(rows[0]);
}

const ACTIVE_TOKEN = `SELECT ${COLUMNS} FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL`;
const ACTIVE_TOKEN_NAMED = `SELECT ${COLUMNS} FROM api_token WHERE name = $1 AND revoked_at IS NULL`;

/** The principal a presented token stands for; undefined for an unknown or revoked token. */
export async function principalOf(db: Queryable, token: string): Promise<Principal | undefined> {
  const { rows } = await db.query<Row>(ACTIVE_TOKEN, [tokenHash(token)]);
  return rows[0] && principalFrom(rows[0]);
}

/** The principal of a token by its name (a page session's token); undefined once it is revoked. */
export async function principalNamed(db: Queryable, name: string): Promise<Principal | undefined> {
  const { rows } = await db.query<Row>(ACTIVE_TOKEN_NAMED, [name]);
  return rows[0] && principalFrom(rows[0]);
}

function principalFrom(row: Row): Principal {
  switch (row.role) {
    case 'tenant':
      return { name: row.name, role: 'tenant', tenant: row.tenant as string };
    case 'ingest':
      return { name: row.name, role: 'ingest', clusters: row.clusters ?? [] };
    default:
      return { name: row.name, role: row.role };
  }
}

interface Row {
  name: string;
  role: Role;
  tenant: string | null;
  clusters: string[] | null;
  created_at: Date;
  revoked_at: Date | null;
}

/** A token the caller asked for cannot exist: a usage error of `tenantscope token create` (exit 2). */
function refused(problem: string): ConfigError {
  return new ConfigError([`tenantscope token create: ${problem}`]);
}

function toRecord(row: Row): TokenRecord {
  return {
    name: row.name,
    role: row.role,
    tenant: row.tenant,
    clusters: row.clusters,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
