import { describe, expect, it } from 'vitest';
import { canPush, canRead, canSeeCluster, canSeeTenant, canWrite, type Principal } from './principal';
import { tokenHash } from './token-store';

const admin: Principal = { name: 'ops', role: 'admin' };
const reader: Principal = { name: 'grafana', role: 'read-only' };
const acme: Principal = { name: 'acme-portal', role: 'tenant', tenant: 'acme' };
const shipper: Principal = { name: 'vector-eu', role: 'ingest', clusters: ['eu1', 'eu2'] };
const clusterOf = (t: string) => ({ acme: 'eu1', beta: 'us1' })[t];

describe('access rules', () => {
  it.each([
    [admin, 'beta', true],
    [reader, 'beta', true],
    [acme, 'acme', true],
    [acme, 'beta', false],
    [shipper, 'acme', false],
  ] as const)('%o sees tenant %s: %s', (who, tenant, expected) => expect(canSeeTenant(who, tenant)).toBe(expected));

  it("shows a tenant token its own cluster's windows only", () => {
    expect(canSeeCluster(acme, 'eu1', clusterOf)).toBe(true);
    expect(canSeeCluster(acme, 'us1', clusterOf)).toBe(false);
    expect(canSeeCluster(reader, 'us1', clusterOf)).toBe(true);
    expect(canSeeCluster(shipper, 'eu1', clusterOf)).toBe(false);
  });

  it('lets only admins write', () => {
    expect([admin, reader, acme, shipper].map(canWrite)).toEqual([true, false, false, false]);
  });

  it('lets only ingest tokens push, and only for their clusters; they read nothing', () => {
    expect([admin, reader, acme, shipper].map((who) => canPush(who, 'eu1'))).toEqual([false, false, false, true]);
    expect(canPush(shipper, 'eu2')).toBe(true);
    expect(canPush(shipper, 'us1')).toBe(false);
    expect([admin, reader, acme, shipper].map(canRead)).toEqual([true, true, true, false]);
  });

  it('hashes tokens with SHA-256', () => {
    expect(tokenHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
