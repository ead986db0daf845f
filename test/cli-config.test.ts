import { mkdtempSync, writeFileSync } from 'node:fs';
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

describe('the tenantscope bin', () => {
  it('check-config accepts the demo fleet', async () => {
    const result = await tenantscope(['check-config', '--fleet', join(__dirname, '..', 'examples', 'fleet.yaml')]);
    expect(result.code).toBe(0);
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
