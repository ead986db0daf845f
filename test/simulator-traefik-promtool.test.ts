import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TraefikMetrics } from '../simulator/traefik-metrics';
import { routerName, serviceName } from '../simulator/traefik-routers';
import { testFleet } from './helpers/test-fleet';

// The simulator stands in for Traefik, so its exposition must pass the same lint a real one does.
// promtool is installed by .ci/run; without it this test fails rather than skips.
describe('the simulated Traefik /metrics', () => {
  it('passes promtool check metrics', () => {
    const [alpha, bravo] = testFleet('/tmp/tssim-traefik-promtool').tenants;
    const metrics = new TraefikMetrics(Date.UTC(2026, 2, 1));
    for (const [tenant, code, seconds] of [
      [alpha!, 200, 0.05],
      [alpha!, 200, 7],
      [bravo!, 502, 0.002],
    ] as const) {
      metrics.record({
        router: routerName(tenant),
        service: serviceName(tenant),
        code,
        method: 'POST',
        protocol: 'http',
        seconds,
        requestBytes: 500,
        responseBytes: 9000,
      });
    }
    metrics.record({ code: 404, method: 'GET', protocol: 'http', seconds: 0.0002, requestBytes: 0, responseBytes: 19 });
    metrics.setOpenConnections(12);
    const result = spawnSync('promtool', ['check', 'metrics'], { input: metrics.render(), encoding: 'utf8' });
    expect(result.error, 'promtool must be installed (apt-get install prometheus)').toBeUndefined();
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });
});
