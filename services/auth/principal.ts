/**
 * Who a request acts as, and what that lets it see. Pure: the API and the CLI share these rules,
 * and nothing here knows about HTTP.
 */
export type Role = 'admin' | 'read-only' | 'tenant';
export const ROLES: readonly Role[] = ['admin', 'read-only', 'tenant'];

export type Principal =
  | { readonly name: string; readonly role: 'admin' | 'read-only' }
  | { readonly name: string; readonly role: 'tenant'; readonly tenant: string };

/** A tenant token sees its own tenant only; the other roles see every tenant. */
export function canSeeTenant(who: Principal, tenant: string): boolean {
  return who.role !== 'tenant' || who.tenant === tenant;
}

/**
 * A cluster-wide window touches every tenant of its cluster, so a tenant token sees the windows of
 * its own cluster (they appear in its report anyway) and no other cluster's.
 */
export function canSeeCluster(who: Principal, cluster: string, clusterOfTenant: (tenant: string) => string | undefined): boolean {
  return who.role !== 'tenant' || clusterOfTenant(who.tenant) === cluster;
}

/** Only admins record or revoke exclusion windows: they change what customers are owed. */
export function canWrite(who: Principal): boolean {
  return who.role === 'admin';
}
