import type { Tenant } from '../services/config/fleet-types';

/**
 * Traefik's view of the tenants: one docker-provider router per tenant (`acme-web@docker`) with a
 * Host rule over the tenant's hosts, and one service (`acme-odoo@docker`). Collectors must map a
 * router to its tenant through the rule's Host, never the name, so the names carry only the id.
 */

export const ENTRYPOINT = 'websecure';
const PROVIDER = 'docker';

export function routerName(tenant: Tenant): string {
  return `${tenant.id}-web@${PROVIDER}`;
}

export function serviceName(tenant: Tenant): string {
  return `${tenant.id}-odoo@${PROVIDER}`;
}

/** `Host(\`a.example.com\`) || Host(\`b.example.com\`)`, as a docker label would write it. */
export function hostRule(tenant: Tenant): string {
  return tenant.hosts.map((h) => `Host(\`${h}\`)`).join(' || ');
}

/**
 * `GET /api/http/routers` of Traefik v3: an array sorted by name, each a runtime RouterInfo
 * (entryPoints, service as configured (unqualified within its provider), rule, tls, status,
 * using) plus name and provider, serialised in Go struct field order.
 */
export function routersJson(tenants: readonly Tenant[]): string {
  const routers = [...tenants]
    .sort((a, b) => (routerName(a) < routerName(b) ? -1 : 1))
    .map((t) => ({
      entryPoints: [ENTRYPOINT],
      service: serviceName(t).replace(`@${PROVIDER}`, ''),
      rule: hostRule(t),
      tls: { options: 'default', certResolver: 'letsencrypt' },
      status: 'enabled',
      using: [ENTRYPOINT],
      name: routerName(t),
      provider: PROVIDER,
    }));
  return JSON.stringify(routers);
}

/** `GET /api/http/services`: one load balancer per tenant, pointing at its cluster's Odoo. */
export function servicesJson(tenants: readonly Tenant[]): string {
  const services = [...tenants]
    .sort((a, b) => (serviceName(a) < serviceName(b) ? -1 : 1))
    .map((t) => {
      const url = `http://odoo-${t.cluster}:8069`;
      return {
        loadBalancer: { servers: [{ url }], passHostHeader: true },
        status: 'enabled',
        usedBy: [routerName(t)],
        serverStatus: { [url]: 'UP' },
        name: serviceName(t),
        provider: PROVIDER,
        type: 'loadbalancer',
      };
    });
  return JSON.stringify(services);
}
