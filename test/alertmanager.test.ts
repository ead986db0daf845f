import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { freePort, waitFor } from './helpers/processes';

// deploy/alertmanager/alertmanager.yml run by a real Alertmanager, its `page` receiver replaced
// by the file's own "real webhook" example, which posts to a webhook served here. Alerts are
// sent with amtool, as Prometheus would send them. Needs amtool and the Alertmanager binary
// (Debian package `prometheus-alertmanager`, binary `prometheus-alertmanager`; upstream
// `alertmanager`).

const ROOT = join(__dirname, '..');
const CONFIG = join(ROOT, 'deploy', 'alertmanager', 'alertmanager.yml');
const TOKEN = 'pager-token-for-the-test';

interface Receiver {
  name: string;
  webhook_configs?: { url: string; http_config?: { authorization?: { credentials_file?: string } } }[];
}
interface AlertmanagerConfig {
  route: { group_wait?: string };
  receivers: Receiver[];
}
interface Notification {
  path: string;
  headers: IncomingHttpHeaders;
  body: { receiver: string; status: string; groupLabels: Record<string, string>; alerts: { labels: Record<string, string> }[] };
}

/** The commented example between `# example: real webhook` and `# end of example`, uncommented. */
function exampleReceiver(text: string): Receiver {
  const block = /^# example: real webhook\n((?:#.*\n)+?)# end of example$/m.exec(text);
  if (!block) throw new Error(`${CONFIG}: no "# example: real webhook" ... "# end of example" block`);
  const yaml = block[1]!.replace(/^# ?/gm, '');
  const receivers = parse(yaml) as Receiver[];
  expect(receivers).toHaveLength(1);
  return receivers[0]!;
}

function binary(): string {
  for (const name of ['prometheus-alertmanager', 'alertmanager']) {
    if (spawnSync(name, ['--version']).error === undefined) return name;
  }
  throw new Error('no Alertmanager binary on PATH (Debian: apt-get install prometheus-alertmanager)');
}

function amtool(args: string[]) {
  const result = spawnSync('amtool', args, { encoding: 'utf8' });
  if (result.error) throw new Error(`amtool could not run (${result.error.message}); install prometheus-alertmanager`);
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

describe('Alertmanager with the real-webhook example (deploy/alertmanager/alertmanager.yml)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenantscope-am-'));
  const configFile = join(dir, 'alertmanager.yml');
  const notifications: Notification[] = [];
  let hook: Server;
  let alertmanager: ChildProcess | undefined;
  let url = '';
  let log = '';

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        notifications.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(body) as Notification['body'] });
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;

    const text = readFileSync(CONFIG, 'utf8');
    const example = exampleReceiver(text);
    const webhook = example.webhook_configs![0]!;
    expect(webhook.url).toMatch(/^https:\/\//);
    // Only the addresses change: where the pager is and where its token file lies.
    webhook.url = `${hookUrl}/pager`;
    webhook.http_config!.authorization!.credentials_file = join(dir, 'pager-token');
    writeFileSync(join(dir, 'pager-token'), `${TOKEN}\n`);
    const config = parse(text) as AlertmanagerConfig;
    config.receivers = config.receivers.map((r) => (r.name === example.name ? example : r));
    for (const r of config.receivers) for (const w of r.webhook_configs ?? []) w.url = w.url.replace('http://127.0.0.1:5001', hookUrl);
    // The first notification of a group waits group_wait (30s); a test need not.
    config.route.group_wait = '1s';
    writeFileSync(configFile, stringify(config));

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    alertmanager = spawn(
      binary(),
      [
        `--config.file=${configFile}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    alertmanager.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    alertmanager.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await waitFor('Alertmanager to be ready', async () => {
      try {
        return (await fetch(`${url}/-/ready`)).ok;
      } catch {
        return false;
      }
    });
  }, 30_000);

  afterAll(async () => {
    alertmanager?.kill('SIGTERM');
    await new Promise((resolve) => hook.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const add = (labels: Record<string, string>) => {
    const { status, output } = amtool([
      'alert',
      'add',
      `--alertmanager.url=${url}`,
      ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
    ]);
    expect(status, output).toBe(0);
  };

  it('passes amtool check-config with the example in place of the page placeholder', () => {
    const { status, output } = amtool(['check-config', configFile]);
    expect(status, output).toBe(0);
  });

  it('pages once for a tenant that is down, through the webhook with its bearer token', async () => {
    // acme (eu1) is down: its probes fail and its error budget burns. granite (eu1) burns from
    // errors its probes do not see. acme's 5xx ticket is a consequence too. lumen is down on us1.
    add({ alertname: 'TenantscopeTenantDown', severity: 'critical', tenant: 'acme', cluster: 'eu1', tier: 'business' });
    add({ alertname: 'TenantscopeErrorBudgetBurnFast', severity: 'critical', tenant: 'acme', cluster: 'eu1', tier: 'business' });
    add({ alertname: 'TenantscopeErrorBudgetBurnFast', severity: 'critical', tenant: 'granite', cluster: 'eu1', tier: 'business' });
    add({ alertname: 'TenantscopeTenantServerErrors', severity: 'warning', tenant: 'acme', cluster: 'eu1', tier: 'business' });
    add({ alertname: 'TenantscopeTenantDown', severity: 'critical', tenant: 'lumen', cluster: 'us1', tier: 'standard' });

    await waitFor('a page for eu1 and one for us1', () => notifications.length >= 2, 20_000);
    // a second notification of a group would only come after group_interval (5m): none here
    await new Promise((r) => setTimeout(r, 2_000));
    expect(notifications, log).toHaveLength(2);
    const byCluster = new Map(notifications.map((n) => [n.body.groupLabels.cluster, n] as const));
    for (const n of notifications) {
      expect(n.path).toBe('/pager');
      expect(n.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(n.body).toMatchObject({ receiver: 'page', status: 'firing' });
    }
    const alerts = (cluster: string) =>
      byCluster
        .get(cluster)!
        .body.alerts.map((a) => `${a.labels.alertname} ${a.labels.tenant}`)
        .sort();
    // acme's burn is inhibited by its probe failure (same tenant); granite's is not, and joins the
    // cluster's one page; the ticket for acme's errors is inhibited by its page.
    expect(alerts('eu1')).toEqual(['TenantscopeErrorBudgetBurnFast granite', 'TenantscopeTenantDown acme']);
    expect(alerts('us1')).toEqual(['TenantscopeTenantDown lumen']);

    // amtool lists the inhibited alerts beside the active ones; each names what inhibits it
    const listed = amtool(['alert', 'query', `--alertmanager.url=${url}`, '--inhibited', '-o', 'json']);
    expect(listed.status, listed.output).toBe(0);
    const inhibited = (JSON.parse(listed.stdout) as { labels: Record<string, string>; status: { inhibitedBy: string[] } }[])
      .filter((a) => a.status.inhibitedBy.length > 0)
      .map((a) => `${a.labels.alertname} ${a.labels.tenant}`);
    expect(inhibited.sort()).toEqual(['TenantscopeErrorBudgetBurnFast acme', 'TenantscopeTenantServerErrors acme']);
  }, 40_000);

  it('pages once for a cluster-wide outage, muting the tenants of that cluster', async () => {
    const before = notifications.length;
    add({ alertname: 'TenantscopeClusterDown', severity: 'critical', cluster: 'eu2' });
    add({ alertname: 'TenantscopeTenantDown', severity: 'critical', tenant: 'aster', cluster: 'eu2', tier: 'mission' });
    add({ alertname: 'TenantscopeTenantDown', severity: 'critical', tenant: 'birch', cluster: 'eu2', tier: 'business' });
    add({ alertname: 'TenantscopeErrorBudgetBurnFast', severity: 'critical', tenant: 'cedar', cluster: 'eu2', tier: 'standard' });
    add({ alertname: 'TenantscopeTenantServerErrors', severity: 'warning', tenant: 'cedar', cluster: 'eu2', tier: 'standard' });
    // another cluster's tenant is not muted: it pages in its own group
    add({ alertname: 'TenantscopeTenantDown', severity: 'critical', tenant: 'dune', cluster: 'us2', tier: 'business' });

    await waitFor('a page for eu2 and one for us2', () => notifications.length >= before + 2, 20_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const added = notifications.slice(before);
    expect(added, log).toHaveLength(2);
    const byCluster = new Map(
      added.map((n) => [n.body.groupLabels.cluster, n.body.alerts.map((a) => `${a.labels.alertname} ${a.labels.tenant ?? ''}`.trim())]),
    );
    expect(byCluster.get('eu2')).toEqual(['TenantscopeClusterDown']);
    expect(byCluster.get('us2')).toEqual(['TenantscopeTenantDown dune']);
  }, 40_000);
});
