/**
 * Every command of the `tenantscope` bin with its help; `tenantscope --help` lists them all.
 * A command's code loads only when it runs, so `check-config` does not load fastify or BullMQ.
 */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading, see above */
export const COMMANDS: readonly Command[] = [
  {
    name: 'start',
    summary: 'run the service: api, worker and scheduler (--role to split them)',
    usage: [
      'tenantscope start [--role all|api|worker|scheduler] [--fleet FILE]',
      '  all (default) runs everything in one process. api serves /metrics, /healthz, /readyz;',
      '  worker runs collector jobs from the Redis queues (run as many as you like);',
      '  scheduler registers one job scheduler per collector target.',
    ].join('\n'),
    run: (args) => (require('./start-command') as typeof import('./start-command')).run(args),
  },
  {
    name: 'retention',
    summary: 'drop monthly partitions past their retention (--dry-run lists what would go and why the rest stays)',
    usage: [
      'tenantscope retention [--dry-run]',
      '  Lists every monthly partition per table class (raw-samples, minute-rollups, sla-minutes,',
      '  noisy-attribution) with its month and size: what goes, and why each kept one stays. Without',
      '  --dry-run it drops what goes (logged); TENANTSCOPE_RETENTION_*_MONTHS set the retention.',
      '  Evidence of an SLA month not yet frozen and re-checked is never dropped. Safe to re-run.',
    ].join('\n'),
    run: (args) => (require('./retention-command') as typeof import('./retention-command')).run(args),
  },
  {
    name: 'check-config',
    summary: 'validate a fleet file; exit 2 naming each bad key',
    usage:
      'tenantscope check-config --fleet FILE\n  Validates the fleet file and prints a summary. Exit 2 with file, key path and what was expected when it is bad.',
    run: (args) => (require('./check-config-command') as typeof import('./check-config-command')).run(args),
  },
  {
    name: 'parse',
    summary: 'print what a collector makes of a file, as NDJSON (rejected lines counted)',
    usage: [
      'tenantscope parse <kind> <file|-> [--zone IANA]',
      '  Kinds: see `tenantscope parse --help`; odoo-log reads its timestamps in --zone (default UTC).',
      '  One JSON record per line on stdout; on stderr a last line {"records":N,"rejected":M}.',
      '  An unreadable file exits 2 with its path; rejected lines do not change the exit code.',
    ].join('\n'),
    run: (args) => (require('./parse-command') as typeof import('./parse-command')).run(args),
  },
  {
    name: 'sla',
    summary: 'SLA months: compute offline, export the evidence of a stored report, recompute it',
    usage: [
      'tenantscope sla compute --fleet FILE --evidence FILE|- --month YYYY-MM [--tenant ID]',
      '  Prints one canonical JSON report per tenant per line, without a database. Evidence is NDJSON',
      '  (probe, requests, exclusion, signal, recovery-point, restore-test; see docs/sla.md). A malformed line',
      '  is reported on stderr with its number and skipped; a bad fleet file, month, tenant or flag exits 2.',
      'tenantscope sla export --month YYYY-MM --tenant ID [--fleet FILE] > bundle.ndjson',
      '  Writes the stored report (latest revision) with every piece of evidence it was computed from.',
      'tenantscope sla recompute bundle.ndjson',
      '  Rebuilds the report from the bundle alone; exit 0 when it reproduces the stored canonical JSON',
      '  byte for byte, 1 with the first difference otherwise.',
    ].join('\n'),
    run: (args) => (require('./sla-command') as typeof import('./sla-command')).run(args),
  },
  {
    name: 'report',
    summary: 'print SLA reports from the database: JSON, billing CSV or the printable HTML page',
    usage: [
      'tenantscope report --month YYYY-MM [--tenant ID] [--format json|csv|html] [--fleet FILE]',
      '  The reports the API serves (frozen revision, else computed now), from TENANTSCOPE_DATABASE_URL.',
      "  csv: one row per tenant for billing; html: one tenant's printable page (needs --tenant).",
    ].join('\n'),
    run: (args) => (require('./report-command') as typeof import('./report-command')).run(args),
  },
  {
    name: 'noisy',
    summary: 'list noisy-neighbour incidents: resource, antagonists with blame, victims, times',
    usage: [
      'tenantscope noisy list [--from ISO] [--to ISO] [--tenant ID] [--format json|table]',
      '  Confirmed incidents overlapping [from, to) from TENANTSCOPE_DATABASE_URL; --tenant keeps those naming it.',
    ].join('\n'),
    run: (args) => (require('./noisy-command') as typeof import('./noisy-command')).run(args),
  },
  {
    name: 'usage',
    summary: 'monthly chargeback: usage share per resource, idle spread by usage, storage, placement advice',
    usage: [
      'tenantscope usage --month YYYY-MM [--format csv|json] [--fleet FILE]',
      "  The month in each cluster's time zone, as GET /api/v1/usage/:month serves it.",
    ].join('\n'),
    run: (args) => (require('./usage-command') as typeof import('./usage-command')).run(args),
  },
  {
    name: 'token',
    summary: 'API bearer tokens: create (printed once), list, revoke',
    usage: [
      'tenantscope token create --name NAME --role admin|read-only|tenant|ingest [--tenant ID] [--cluster ID ...]',
      'tenantscope token list',
      'tenantscope token revoke NAME',
      '  Only the SHA-256 of a token is stored. A tenant token sees its own tenant only; read-only cannot write.',
    ].join('\n'),
    run: (args) => (require('./token-command') as typeof import('./token-command')).run(args),
  },
  {
    name: 'migrate',
    summary: 'apply pending database migrations and exit',
    usage:
      'tenantscope migrate\n  Applies migrations/NNNN_*.sql to TENANTSCOPE_DATABASE_URL under an advisory lock. Non-zero exit on failure.',
    run: (args) => (require('./migrate-command') as typeof import('./migrate-command')).run(args),
  },
  {
    name: 'simulate',
    summary: 'run the fleet simulator (live, or --batch in event time)',
    usage: [
      'tenantscope simulate --fleet FILE [--scenario NAME] [--tenant ID] [--seed N] [--start-seconds N | --start-at ISO]',
      '                     [--scenario-minutes N] [--history MINUTES | --batch --from ISO --minutes N --out DIR]',
      '  Scenarios: normal, tenant-outage, noisy-tenant, connection-storm, failed-backup. The scenario starts',
      '  --start-seconds after the start (default 120) or at the instant --start-at.',
      '  Live (default): writes Odoo logs, answers probes and serves Traefik /metrics and router API on the',
      '  addresses the fleet file declares, loads PostgreSQL and Redis, writes backup results. Ctrl-C stops it.',
      '  --history MINUTES: first plays that many minutes before now into fresh Odoo logs (baselines to learn from).',
      '  --batch: plays [from, from + minutes) in event time as fast as possible and writes the same data,',
      '  with probe and request evidence, the Traefik exposition and the ground truth under --out.',
    ].join('\n'),
    run: (args) => (require('./simulate-command') as typeof import('./simulate-command')).run(args),
  },
  {
    name: 'demo',
    summary: 'run migrations, the simulated fleet and tenantscope together; Ctrl-C stops all',
    usage: [
      'tenantscope demo [--scenario NAME] [--fleet FILE] [--port-base N] [--fresh]',
      '  Runs the simulator and `tenantscope start` on examples/fleet.yaml (or --fleet) as run tsdemo_N',
      '  (or <database of TENANTSCOPE_DATABASE_URL>_N): its own database, queue prefix, tenant databases and',
      '  folder var/demo/N/ (fleet copy, logs, read-only token, reused while it verifies). N: --port-base, the',
      '  API port (default that of TENANTSCOPE_LISTEN, 9470); with --port-base the simulator listens on N+1...',
      "  --fresh drops the run's databases, Redis keys and folder first. Prints the scenario's tenant and",
      '  start time, the browser, api and cli lines; a busy port exits 2 naming it. Ctrl-C stops everything.',
    ].join('\n'),
    run: (args) => (require('./demo-command') as typeof import('./demo-command')).run(args),
  },
];

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'tenantscope: tenant-aware observability and SLA measurement for multi-tenant Odoo hosting',
    '',
    'Usage: tenantscope <command> [flags]   (tenantscope <command> --help for its flags)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Environment: TENANTSCOPE_DATABASE_URL, TENANTSCOPE_REDIS_URL, TENANTSCOPE_LISTEN, TENANTSCOPE_FLEET_FILE,',
    'TENANTSCOPE_SIGNING_KEY_FILE, TENANTSCOPE_QUEUE_PREFIX, TENANTSCOPE_WORKER_CONCURRENCY,',
    'TENANTSCOPE_COLLECTOR_TIMEOUT_SECONDS, TENANTSCOPE_LOG_LEVEL, TENANTSCOPE_DATABASE_POOL_SIZE, OTEL_EXPORTER_OTLP_ENDPOINT (see docs/configuration.md).',
    '',
  ].join('\n');
}
