import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testFleetYaml } from './helpers/fleets';
import { runTenantscope } from './helpers/processes';

const tenantscope = (args: string[], env: Record<string, string> = {}) => runTenantscope(args, env, { timeoutMs: 20_000 });

const dir = mkdtempSync(join(tmpdir(), 'tenantscope-cli-'));
function fleetFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const good = testFleetYaml();
const broken: [string, string, string][] = [
  ['unknown tier', good.replace('tier: business', 'tier: platinum'), 'tenants[0].tier: expected a known tier'],
  [
    'bad timezone',
    good.replace('    name: Tenant 2', '    name: Tenant 2\n    timezone: Europe/Nowhere'),
    'tenants[1].timezone: expected an IANA time zone',
  ],
  ['duplicate id', good.replace('id: t3', 'id: t1'), 'tenants[2].id: expected a unique tenant id, "t1" is already tenants[0]'],
  [
    'window without end',
    good.replace('    name: Tenant 3', '    name: Tenant 3\n    maintenance:\n      - once: {start: "2026-03-14T22:00"}'),
    'tenants[2].maintenance[0].once.end: expected required property',
  ],
  [
    'gate close above open',
    `${good}noisy: {gates: {pg_cpu: {close: 0.75}}}\n`,
    'noisy.gates.pg_cpu.close: expected a value below open (0.7, the default) for hysteresis, got 0.75',
  ],
];

describe('a broken fleet file', () => {
  it.each(broken)('%s: check-config exits 2 naming the file and the key path', async (name, text, expected) => {
    const file = fleetFile(`${name.replace(/ /g, '-')}.yaml`, text);
    const result = await tenantscope(['check-config', '--fleet', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`fleet file ${file}: ${expected}`);
  });

  it.each(broken)('%s: start exits 2 before touching anything', async (name, text, expected) => {
    const file = fleetFile(`start-${name.replace(/ /g, '-')}.yaml`, text);
    // an unusable database URL proves start refused the file before connecting
    const result = await tenantscope(['start', '--fleet', file], { TENANTSCOPE_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`fleet file ${file}: ${expected}`);
  });

  it('a missing file exits 2 with its path', async () => {
    const result = await tenantscope(['check-config', '--fleet', join(dir, 'absent.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`fleet file ${join(dir, 'absent.yaml')}: cannot be read (ENOENT)`);
  });
});

// YAML the library throws on, URLs that cannot be used, log paths that cannot be read: exit 2, never a stack trace.
const bomb = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  ...'bcdefgh'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
];
const unusable: [string, string, string][] = [
  [
    'an alias to no anchor',
    good.replace('    name: Tenant 1', '    name: *tenant1'),
    'line 6, column 11: not valid YAML (alias *tenant1 names no anchor',
  ],
  ['an alias bomb', `${bomb.join('\n')}\n${good}`, 'line 2, column 8: not valid YAML (its aliases expand to more than 100 nodes'],
  ['a syntax error', good.replace('    tier: business', '    tier: [business'), 'line 9, column 5: not valid YAML (Flow sequence'],
  [
    'a port past 65535',
    good.replace('  c1:\n', '  c1:\n    redis: {url: "redis://cache:99999"}\n'),
    'clusters.c1.redis.url: expected a redis:// or rediss:// URL',
  ],
  ['a URL that does not parse', good.replace('  c1:\n', '  c1:\n    redis: {url: "redis://[bad"}\n'), 'clusters.c1.redis.url: expected'],
  [
    'a log in a missing directory',
    good.replace('  c1:\n', `  c1:\n    odoo: {logFiles: [${join(dir, 'nowhere', 'odoo.log')}]}\n`),
    `clusters.c1.odoo.logFiles[0]: expected a file in a readable directory, directory ${join(dir, 'nowhere')} does not exist`,
  ],
];

describe('an unusable fleet file', () => {
  it.each(unusable)('%s: check-config exits 2 with the file, the line or key and what was wrong', async (name, text, expected) => {
    const file = fleetFile(`unusable-${name.replace(/ /g, '-')}.yaml`, text);
    const result = await tenantscope(['check-config', '--fleet', file]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`fleet file ${file}: ${expected}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('start --role worker refuses a log in a missing directory; --role api does not read logs', async () => {
    const file = fleetFile('worker-log.yaml', unusable.at(-1)![1]);
    const env = { TENANTSCOPE_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const worker = await tenantscope(['start', '--role', 'worker', '--fleet', file], env);
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain('clusters.c1.odoo.logFiles[0]: expected a file in a readable directory');
    const api = await tenantscope(['start', '--role', 'api', '--fleet', file], env);
    expect(api.stderr).not.toContain('clusters.c1.odoo.logFiles[0]');
  });
});

describe('the tenantscope bin', () => {
  it('check-config accepts the demo fleet', async () => {
    // its logs live in ../var/demo/<cluster>, which the demo's simulator creates: a copy with those folders
    const root = mkdtempSync(join(tmpdir(), 'tenantscope-demo-fleet-'));
    for (const cluster of ['eu1', 'us1']) mkdirSync(join(root, 'var', 'demo', cluster), { recursive: true });
    mkdirSync(join(root, 'examples'));
    copyFileSync(join(__dirname, '..', 'examples', 'fleet.yaml'), join(root, 'examples', 'fleet.yaml'));
    const result = await tenantscope(['check-config', '--fleet', join(root, 'examples', 'fleet.yaml')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('12 tenants');
  });

  it('--help lists every command', async () => {
    const result = await tenantscope(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['start', 'check-config', 'migrate', 'simulate', 'demo'])
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('an unknown command or flag is a usage error (exit 2)', async () => {
    expect((await tenantscope(['launch'])).code).toBe(2);
    const flag = await tenantscope(['check-config', '--fleat', 'x']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--fleat'");
  });

  it('start refuses an unknown role', async () => {
    const result = await tenantscope(['start', '--role', 'janitor', '--fleet', fleetFile('ok.yaml', good)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--role expected one of all, api, worker, scheduler, got "janitor"');
  });
});
