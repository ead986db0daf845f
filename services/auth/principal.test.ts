import { describe, expect, it } from 'vitest';
import { canSeeCluster, canSeeTenant, canWrite, type Principal } from './principal';
import { tokenHash } from './token-store';

const admin: Principal = { name: 'ops', role: 'admin' };
const reader: Principal = { name: 'grafana', role: 'read-only' };
const acme: Principal = { name: 'acme-portal', role: 'tenant', tenant: 'acme' };
const clusterOf = (t: string) => ({ acme: 'eu1', beta: 'us1' })[t];

describe('access rules', () => {
  it.each([
    [admin, 'beta', true],
    [reader, 'beta', true],
    [acme, 'acme', true],
    [acme, 'beta', false],
  ] as const)('%o sees tenant %s: %s', (who, tenant, expected) => expect(canSeeTenant(who, tenant)).toBe(expected));

  it("shows a tenant token its own cluster's windows only", () => {
    expect(canSeeCluster(acme, 'eu1', clusterOf)).toBe(true);
    expect(canSeeCluster(acme, 'us1', clusterOf)).toBe(false);
    expect(canSeeCluster(reader, 'us1', clusterOf)).toBe(true);
  });

  it('lets only admins write', () => {
    expect([admin, reader, acme].map(canWrite)).toEqual([true, false, false]);
  });

  it('hashes tokens with SHA-256', () => {
    expect(tokenHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
