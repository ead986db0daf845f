import { describe, expect, it } from 'vitest';
import { buildFleet } from '../test/helpers/fleet-builder';
import { redact } from '../services/core/redact';
import { listTargets } from './targets';

const PW = 'S3cr3t-77c1';
const cluster = (n: number, auth: string) => ({
  timezone: 'UTC',
  probe: { url: `http://${auth}ingress-${n}:80/?token=${PW}` },
  traefik: { metricsUrl: `http://${auth}10.0.0.${n}:8082/metrics?password=${PW}`, apiUrl: `http://${auth}10.0.0.${n}:8080/` },
  postgres: { url: `postgres://${auth}db-${n}:5432/postgres?sslmode=require` },
  redis: { url: `redis://${auth}cache-${n}:6379/0` },
});
const tenant = (id: string, c: string) => ({
  id,
  name: id,
  cluster: c,
  tier: 'business',
  hosts: [`${id}.example.test`],
  monthlyFee: { amount: '1.00', currency: 'EUR' },
});

describe('collector target ids', () => {
  const fleet = buildFleet({
    clusters: { c1: cluster(1, `u:${PW}@`), c2: cluster(2, `u:${PW}@`) },
    tenants: [tenant('a', 'c1'), tenant('b', 'c2')],
  });
  const targets = listTargets(fleet);

  it('hold no password of any fleet URL, and are unique', () => {
    expect(targets.length).toBe(2 /* probes */ + 2 /* traefik */ + 6 /* postgres */ + 2 /* odoo-jobs */ + 2 /* redis */);
    for (const t of targets) {
      expect(t.target).not.toContain(PW);
      expect(redact(t.target)).toBe(t.target);
    }
    expect(new Set(targets.map((t) => `${t.collector}|${t.target}`)).size).toBe(targets.length);
  });

  it("keep a Traefik's host, port and path, so they still say which server they name", () => {
    expect(targets.filter((t) => t.collector === 'traefik').map((t) => t.target)).toEqual([
      'http://10.0.0.1:8082/metrics?password=***',
      'http://10.0.0.2:8082/metrics?password=***',
    ]);
  });

  it('are the same as before for URLs without credentials', () => {
    const url = 'http://10.0.0.1:8082/metrics';
    const plain = buildFleet({ clusters: { c1: { timezone: 'UTC', traefik: { metricsUrl: url } } }, tenants: [tenant('a', 'c1')] });
    expect(listTargets(plain).map((t) => t.target)).toEqual([url]);
  });
});
