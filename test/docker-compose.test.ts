import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadFleetFile } from '../services/config/fleet';

// Checks docker-compose.yml without Docker running: `docker-compose config` validates and
// resolves it, then every file it mounts or names must exist in the repository and agree with
// the configuration that reads it. Needs docker-compose (Debian package `docker-compose`) or
// the Docker CLI compose plugin.

const ROOT = join(__dirname, '..');
/** The Dockerfile copies the repository to /app (WORKDIR /app, COPY . .). */
const APP = '/app';

function compose(args: string[]) {
  for (const [command, prefix] of [
    ['docker-compose', []],
    ['docker', ['compose']],
  ] as const) {
    const result = spawnSync(command, [...prefix, '-f', 'docker-compose.yml', ...args], { cwd: ROOT, encoding: 'utf8' });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') continue;
    if (result.error) throw result.error;
    if (command === 'docker' && /unknown command|is not a docker command/.test(result.stderr)) continue;
    return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
  }
  throw new Error('neither docker-compose nor `docker compose` is installed (Debian: apt-get install docker-compose)');
}

interface Mount {
  source: string;
  target: string;
}
interface Service {
  build?: string | { context: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: (string | { type: string; source: string; target: string })[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

/** The compose file as docker-compose resolves it, demo profile included. */
function resolvedServices(): Record<string, Service> {
  const { status, stdout, output } = compose(['--profile', 'demo', 'config']);
  if (status !== 0) throw new Error(`docker-compose config failed:\n${output}`);
  return (parse(stdout) as { services: Record<string, Service> }).services;
}

/** Bind mounts only (host path first): short `src:dst[:mode]` or long `{type: bind}` syntax. */
function bindMounts(service: Service): Mount[] {
  return (service.volumes ?? []).flatMap((v) => {
    if (typeof v !== 'string') return v.type === 'bind' ? [{ source: v.source, target: v.target }] : [];
    const [source = '', target = ''] = v.split(':');
    return source.startsWith('/') || source.startsWith('.') ? [{ source, target }] : [];
  });
}

/** Where a path inside a service's container comes from on the host, through its bind mounts. */
function hostPath(service: Service, containerPath: string): string | undefined {
  for (const { source, target } of bindMounts(service)) {
    if (containerPath === target) return source;
    if (containerPath.startsWith(`${target}/`)) return join(source, containerPath.slice(target.length + 1));
  }
  return undefined;
}

/** A path in the tenantscope image, as a path in this repository. */
function repoPath(imagePath: string): string {
  expect(imagePath.startsWith(`${APP}/`), `${imagePath} is not inside ${APP}`).toBe(true);
  return join(ROOT, imagePath.slice(APP.length + 1));
}

/** Every string in a parsed YAML document. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose, with and without the demo profile', () => {
    for (const args of [
      ['config', '-q'],
      ['--profile', 'demo', 'config', '-q'],
    ]) {
      const { status, output } = compose(args);
      expect(status, output).toBe(0);
    }
  });

  // Resolved on first use, so that a file docker-compose rejects fails the tests, not their collection.
  let resolved: Record<string, Service> | undefined;
  const services = (): Record<string, Service> => (resolved ??= resolvedServices());
  const service = (name: string): Service => {
    const found = services()[name];
    if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
    return found;
  };

  it('has the services of the stack', () => {
    expect(Object.keys(services()).sort()).toEqual([
      'alertmanager',
      'grafana',
      'postgres',
      'prometheus',
      'redis',
      'simulator',
      'tenantscope',
    ]);
  });

  it('mounts only files that exist, and builds from a folder with a Dockerfile', () => {
    for (const [name, svc] of Object.entries(services())) {
      for (const { source } of bindMounts(svc)) expect(existsSync(source), `${name}: ${source} is mounted but missing`).toBe(true);
      if (svc.build === undefined) continue;
      const context = typeof svc.build === 'string' ? svc.build : svc.build.context;
      expect(existsSync(join(context, 'Dockerfile')), `${name}: no Dockerfile in ${context}`).toBe(true);
    }
  });

  it('builds tenantscope from a Dockerfile that puts the repository in /app', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(new RegExp(`^WORKDIR ${APP}$`, 'm'));
    expect(dockerfile).toMatch(/^COPY \. \.$/m);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const needed of ['deploy', 'bin', 'services', 'collectors', 'migrations', 'package.json', 'package-lock.json']) {
      expect(ignored, `.dockerignore leaves ${needed} out of the image`).not.toContain(needed);
    }
  });

  it('gives tenantscope and the simulator a fleet file that exists', () => {
    const tenantscope = service('tenantscope');
    expect(existsSync(repoPath(tenantscope.environment?.TENANTSCOPE_FLEET_FILE ?? '')), 'TENANTSCOPE_FLEET_FILE').toBe(true);
    const command = service('simulator').command ?? [];
    const fleet = command[command.indexOf('--fleet') + 1] ?? '';
    expect(existsSync(repoPath(fleet)), 'simulate --fleet').toBe(true);
  });

  it('starts tenantscope after healthy PostgreSQL and Redis, and checks it on /readyz', () => {
    const tenantscope = service('tenantscope');
    expect(tenantscope.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(tenantscope.healthcheck?.test.join(' ')).toContain(':9470/readyz');
    expect(tenantscope.environment?.TENANTSCOPE_LISTEN).toBe('0.0.0.0:9470');
  });

  it('loads alert-rules/*.yaml into Prometheus and scrapes tenantscope', () => {
    const prometheus = service('prometheus');
    const configFile = hostPath(prometheus, '/etc/prometheus/prometheus.yml');
    expect(configFile, 'prometheus.yml is not mounted').toBeDefined();
    const config = parse(readFileSync(configFile!, 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    for (const glob of config.rule_files) {
      const dir = hostPath(prometheus, posix.dirname(glob));
      expect(dir, `${glob}: its folder is not mounted`).toBeDefined();
      const suffix = posix.basename(glob).replace(/^\*/, '');
      const loaded = readdirSync(dir!).filter((f) => f.endsWith(suffix));
      expect(loaded.length, `${glob} matches no file in ${dir}`).toBeGreaterThan(0);
    }
    const job = config.scrape_configs.find((c) => c.job_name === 'tenantscope');
    expect(job?.static_configs.flatMap((s) => s.targets)).toEqual(['tenantscope:9470']);
  });

  it('provisions the generated dashboards and the Prometheus data source in Grafana', () => {
    const grafana = service('grafana');
    const provisioning = hostPath(grafana, '/etc/grafana/provisioning');
    expect(provisioning, 'provisioning is not mounted').toBeDefined();
    const providers = parse(readFileSync(join(provisioning!, 'dashboards', 'tenantscope.yaml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    for (const { options } of providers.providers) {
      const dir = hostPath(grafana, options.path);
      expect(dir, `${options.path} is not mounted`).toBeDefined();
      expect(readdirSync(dir!).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
    }
    const sources = parse(readFileSync(join(provisioning!, 'datasources', 'prometheus.yaml'), 'utf8')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    expect(sources.datasources).toContainEqual(
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    );
  });
});

describe('deploy/fleet.compose.yaml', () => {
  const file = join(ROOT, 'deploy', 'fleet.compose.yaml');
  const composeFleet = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const exampleFleet = parse(readFileSync(join(ROOT, 'examples', 'fleet.yaml'), 'utf8')) as Record<string, unknown>;

  it('is a valid fleet file', () => {
    expect(() => loadFleetFile(file)).not.toThrow();
  });

  it('has the tiers, clusters and tenants of examples/fleet.yaml', () => {
    expect(composeFleet.tiers).toEqual(exampleFleet.tiers);
    expect(composeFleet.tenants).toEqual(exampleFleet.tenants);
    expect(Object.keys(composeFleet.clusters as object)).toEqual(Object.keys(exampleFleet.clusters as object));
  });

  it('reaches everything by compose service name, never loopback, and reads files from the simulator volume', () => {
    const values = strings(composeFleet.clusters);
    for (const value of values) expect(value).not.toMatch(/127\.0\.0\.1|localhost|\.\.\//);
    const urls = values.filter((v) => /^[a-z]+:\/\//.test(v)).map((v) => new URL(v).hostname);
    expect(new Set(urls)).toEqual(new Set(['simulator', 'postgres', 'redis']));
    const clusters = Object.values(composeFleet.clusters as Record<string, { odoo?: { logFiles?: string[] }; backups?: object }>);
    const paths = clusters.flatMap((c) => [...(c.odoo?.logFiles ?? []), ...strings(c.backups)]);
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(dirname(path)).toMatch(/^\/var\/lib\/tenantscope-sim\/[a-z0-9-]+$/);
    // start refuses log paths in a directory that does not exist: the image creates each one
    const mkdir = /^RUN mkdir -p (.*?) &&/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1]?.split(' ') ?? [];
    for (const path of paths) expect(mkdir, `the Dockerfile does not create ${dirname(path)}`).toContain(dirname(path));
  });
});
