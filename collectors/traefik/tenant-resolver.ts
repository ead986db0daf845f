import type { RouterRule } from './read';
import { tenantOfRule } from './rules';
import type { Tenant } from '../../services/config/fleet-types';

/** The tenant a Traefik series serves: by its router, or by its service when it names no router (v2 service series). */
export type SeriesTenant = (series: { router: string; service: string }) => string | undefined;

/**
 * Router name → tenant id: the one tenant whose hosts the router's rule routes, else the
 * fleet's `routerTenants` (by full name or name without `@provider`), else none.
 */
export function routerResolver(
  routers: readonly RouterRule[] | undefined,
  tenants: readonly Tenant[],
  fallback: Readonly<Record<string, string>>,
): (router: string) => string | undefined {
  const ids = new Set(tenants.map((t) => t.id));
  const byRule = new Map<string, string>();
  for (const r of routers ?? []) {
    const tenant = tenantOfRule(r.rule, tenants);
    if (tenant) byRule.set(r.name, tenant);
  }
  return (router) => {
    const found = byRule.get(router) ?? byName(fallback, router);
    return found !== undefined && ids.has(found) ? found : undefined;
  };
}

/**
 * Service name → tenant id, for a Traefik v2 without router labels (`addRoutersLabels: false`),
 * whose /metrics has service series only: the fleet's `serviceTenants` first (by full name or
 * name without `@provider`), else through the API's routers, when every router that sends to the
 * service maps to one and the same tenant. A service shared by two tenants' routers is no one's:
 * its requests are counted unmapped, never split by guess.
 */
export function serviceResolver(
  routers: readonly RouterRule[] | undefined,
  tenants: readonly Tenant[],
  routerTenants: Readonly<Record<string, string>>,
  fallback: Readonly<Record<string, string>>,
): (service: string) => string | undefined {
  const ids = new Set(tenants.map((t) => t.id));
  const tenantOfRouter = routerResolver(routers, tenants, routerTenants);
  const byRouters = new Map<string, string | null>();
  for (const r of routers ?? []) {
    if (r.service === undefined) continue;
    const tenant = tenantOfRouter(r.name) ?? null;
    const seen = byRouters.get(r.service);
    byRouters.set(r.service, seen === undefined || seen === tenant ? tenant : null);
  }
  return (service) => {
    const found = byName(fallback, service) ?? byRouters.get(service) ?? undefined;
    return found !== undefined && ids.has(found) ? found : undefined;
  };
}

export function seriesResolver(
  routers: readonly RouterRule[] | undefined,
  tenants: readonly Tenant[],
  routerTenants: Readonly<Record<string, string>>,
  serviceTenants: Readonly<Record<string, string>>,
): SeriesTenant {
  const router = routerResolver(routers, tenants, routerTenants);
  const service = serviceResolver(routers, tenants, routerTenants, serviceTenants);
  return (s) => (s.router === '' ? service(s.service) : router(s.router));
}

function byName(map: Readonly<Record<string, string>>, name: string): string | undefined {
  return map[name] ?? map[name.replace(/@[^@]*$/, '')];
}
