/**
 * Who a request acts as, and what that lets it see. Pure: the API and the CLI share these rules,
 * and nothing here knows about HTTP.
 */
export type Role = 'admin' | 'read-only' | 'tenant' | 'ingest';
export const ROLES: readonly Role[] = ['admin', 'read-only', 'tenant', 'ingest'];

export type Principal =
  | { readonly name: string; readonly role: 'admin' | 'read-only' }
  | { readonly name: string; readonly role: 'tenant'; readonly tenant: string }
  | { readonly name: string; readonly role: 'ingest'; readonly clusters: readonly string[] };

/**
 * Whether a token reads /api/v1 at all. An ingest token is a log shipper's: it pushes evidence and
 * reads nothing, so a leaked shipper config shows no customer's report.
 */
export function canRead(who: Principal): boolean {
  return who.role !== 'ingest';
}

/** A tenant token sees its own tenant only; admin and read-only tokens see every tenant; ingest none. */
export function canSeeTenant(who: Principal, tenant: string): boolean {
  switch (who.role) {
    case 'admin':
    case 'read-only':
      return true;
    case 'tenant':
      return who.tenant === tenant;
    case 'ingest':
      return false;
  }
}

/**
 * A cluster-wide window touches every tenant of its cluster, so a tenant token sees the windows of
 * its own cluster (they appear in its report anyway) and no other cluster's.
 */
export function canSeeCluster(who: Principal, cluster: string, clusterOfTenant: (tenant: string) => string | undefined): boolean {
  switch (who.role) {
    case 'admin':
    case 'read-only':
      return true;
    case 'tenant':
      return clusterOfTenant(who.tenant) === cluster;
    case 'ingest':
      return false;
  }
}

/** Only admins record or revoke exclusion windows: they change what customers are owed. */
export function canWrite(who: Principal): boolean {
  return who.role === 'admin';
}

/**
 * Only an ingest token pushes evidence, and only for the clusters it names: evidence decides
 * credits, so not even an admin token adds log lines.
 */
export function canPush(who: Principal, cluster: string): boolean {
  return who.role === 'ingest' && who.clusters.includes(cluster);
}
