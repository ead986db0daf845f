import { describe, expect, it } from 'vitest';
import { routerResolver, seriesResolver, serviceResolver } from './tenant-resolver';
import type { Tenant } from '../../services/config/fleet-types';

const tenants = [
  { id: 'acme', hosts: ['acme.erp.example.com'] },
  { id: 'bergmann', hosts: ['bergmann.erp.example.com', 'shop.bergmann.de'] },
] as unknown as Tenant[];
// /api/http/routers: services within the router's provider, or qualified with another one
const routers = [
  { name: 'acme-web@docker', rule: 'Host(`acme.erp.example.com`)', service: 'acme-odoo@docker' },
  { name: 'acme-longpoll@docker', rule: 'Host(`acme.erp.example.com`) && PathPrefix(`/longpolling`)', service: 'acme-chat@docker' },
  { name: 'bergmann-web@docker', rule: 'Host(`bergmann.erp.example.com`)', service: 'bergmann-odoo@docker' },
  { name: 'bergmann-shop@file', rule: 'Host(`shop.bergmann.de`)', service: 'bergmann-odoo@docker' },
  // one service behind two tenants' routers: no one's
  { name: 'acme-api@docker', rule: 'Host(`acme.erp.example.com`)', service: 'shared-gw@file' },
  { name: 'bergmann-api@docker', rule: 'Host(`bergmann.erp.example.com`)', service: 'shared-gw@file' },
  { name: 'legacy@file', rule: 'PathPrefix(`/legacy`)', service: 'legacy-odoo@file' },
];

describe('traefik series to tenants', () => {
  it('maps routers by the Host of their rule, then by the fleet map with or without @provider', () => {
    const of = routerResolver(routers, tenants, { legacy: 'acme', ghost: 'nobody' });
    expect(['acme-web@docker', 'bergmann-shop@file', 'legacy@file', 'ghost@file', 'unknown@docker'].map(of)).toEqual([
      'acme',
      'bergmann',
      'acme',
      undefined,
      undefined,
    ]);
  });

  it('maps a service through the routers that send to it when they agree, else through serviceTenants', () => {
    const of = serviceResolver(routers, tenants, {}, { 'shared-gw': 'bergmann' });
    expect(['acme-odoo@docker', 'acme-chat@docker', 'bergmann-odoo@docker', 'shared-gw@file', 'legacy-odoo@file'].map(of)).toEqual([
      'acme',
      'acme',
      'bergmann',
      'bergmann',
      undefined,
    ]);
    expect(serviceResolver(routers, tenants, {}, {})('shared-gw@file')).toBeUndefined();
    expect(serviceResolver(undefined, tenants, {}, { 'acme-odoo': 'acme' })('acme-odoo@docker')).toBe('acme');
  });

  it('takes the router for router series and the service for service series', () => {
    const of = seriesResolver(routers, tenants, {}, {});
    expect(of({ router: 'bergmann-web@docker', service: 'acme-odoo@docker' })).toBe('bergmann');
    expect(of({ router: '', service: 'acme-odoo@docker' })).toBe('acme');
  });
});
