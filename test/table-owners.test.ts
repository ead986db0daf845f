import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every table has one owning module: the SQL that reads or writes it lives there, and other
// modules call the owner's functions. A module is a source folder of collectors/, collectors/lib,
// or a folder of services/. The fleet copy (tenant, cluster, tier) is written only by
// services/config and may be joined by any reader for names and the active flag: it is the
// reference every table's tenant_id points at.
const ROOT = join(__dirname, '..');

const OWNERS: Record<string, string> = {
  schema_migration: 'services/storage',
  api_token: 'services/auth',
  tier: 'services/config',
  cluster: 'services/config',
  tenant: 'services/config',
  collector_run: 'collectors/lib',
  collector_status: 'collectors/lib',
  collector_rejection: 'collectors/lib',
  ingest_checkpoint: 'collectors/lib',
  tenant_minute: 'collectors/lib',
  tenant_total: 'collectors/lib',
  probe_state: 'collectors/odoo-probe',
  odoo_push_batch: 'collectors/odoo-log',
  odoo_worker_db: 'collectors/odoo-log',
  odoo_worker_event_minute: 'collectors/odoo-log',
  odoo_worker_event_total: 'collectors/odoo-log',
  odoo_tenant_event_minute: 'collectors/odoo-log',
  odoo_tenant_event_total: 'collectors/odoo-log',
  pg_tenant_minute: 'collectors/postgres',
  pg_tenant_total: 'collectors/postgres',
  pg_tenant_wait_total: 'collectors/postgres',
  pg_tenant_state: 'collectors/postgres',
  pg_cluster_state: 'collectors/postgres',
  pg_cluster_total: 'collectors/postgres',
  pg_counter_state: 'collectors/postgres',
  pg_replication_state: 'collectors/postgres',
  pg_replication_slot_state: 'collectors/postgres',
  redis_db_state: 'collectors/redis',
  redis_minute: 'collectors/redis',
  redis_server_state: 'collectors/redis',
  redis_server_total: 'collectors/redis',
  redis_tenant_minute: 'collectors/redis',
  redis_tenant_state: 'collectors/redis',
  ingress_minute: 'collectors/traefik',
  ingress_total: 'collectors/traefik',
  ingress_unmapped_total: 'collectors/traefik',
  traefik_scrape_state: 'collectors/traefik',
  backup_job: 'collectors/backups',
  backup_job_state: 'collectors/backups',
  backup_stanza: 'collectors/backups',
  cluster_backup: 'collectors/backups',
  recovery_point: 'collectors/backups',
  recovery_point_latest: 'collectors/backups',
  sla_exclusion: 'services/sla',
  sla_exclusion_audit: 'services/sla',
  sla_minute: 'services/sla',
  sla_minute_month: 'services/sla',
  sla_minute_total: 'services/sla',
  sla_report: 'services/sla',
  noisy_detector_state: 'services/noisy',
  noisy_incident: 'services/noisy',
  tenant_resource_minute: 'services/noisy',
  tenant_resource_total: 'services/noisy',
  cluster_resource_minute: 'services/noisy',
  tenant_storage_day: 'services/noisy',
};
const REFERENCE = new Set(['tenant', 'cluster', 'tier']);

/** The module a file belongs to. */
function moduleOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'simulator' || parts[0] === 'scripts' ? parts[0] : `${parts[0]}/${parts[1]}`;
}

/** Tables a piece of SQL text names, read (FROM, JOIN) or written (INTO, UPDATE, DELETE FROM, TABLE). */
export function tablesIn(text: string, tables: readonly string[]): { table: string; write: boolean }[] {
  const found: { table: string; write: boolean }[] = [];
  for (const table of tables) {
    const name = `${table}(?:_y\\d{4}m\\d\\d)?\\b`;
    if (new RegExp(`\\b(?:INTO|UPDATE|DELETE\\s+FROM|TABLE)\\s+${name}`, 'i').test(text)) found.push({ table, write: true });
    else if (new RegExp(`\\b(?:FROM|JOIN)\\s+${name}`, 'i').test(text)) found.push({ table, write: false });
  }
  return found;
}

describe('table owners', () => {
  const migrations = readdirSync(join(ROOT, 'migrations')).filter((f) => f.endsWith('.sql'));
  const created = [
    ...new Set(
      migrations.flatMap((f) =>
        [...readFileSync(join(ROOT, 'migrations', f), 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/gi)].map((m) => m[1]!),
      ),
    ),
  ];

  it('names an owner for every table the migrations create', () => {
    expect(created.filter((t) => !(t in OWNERS)).sort()).toEqual([]);
  });

  it('finds a table named outside its owner when there is one', () => {
    expect(
      tablesIn('SELECT x FROM tenant_minute_y2026m03 m JOIN ingress_minute i ON true', ['tenant_minute', 'ingress_minute', 'tenant']),
    ).toEqual([
      { table: 'tenant_minute', write: false },
      { table: 'ingress_minute', write: false },
    ]);
    expect(tablesIn('INSERT INTO tenant (id) VALUES ($1)', ['tenant'])).toEqual([{ table: 'tenant', write: true }]);
  });

  it('keeps the SQL of every table in its owning module', () => {
    const files = execFileSync(
      'git',
      ['ls-files', '--cached', '--others', '--exclude-standard', 'services', 'collectors', 'simulator', 'scripts'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && existsSync(join(ROOT, f)));
    const outside: string[] = [];
    for (const file of files) {
      const module = moduleOf(file);
      for (const { table, write } of tablesIn(readFileSync(join(ROOT, file), 'utf8'), Object.keys(OWNERS))) {
        if (OWNERS[table] === module || (REFERENCE.has(table) && !write)) continue;
        outside.push(`${file}: ${write ? 'writes' : 'reads'} ${table} (owner ${OWNERS[table]})`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('takes advisory locks only through services/storage/locks.ts, so no two share an id', () => {
    const hits = execFileSync('git', ['grep', '-nE', 'pg_advisory|7_?461', '--', 'services', 'collectors', 'simulator', ':!*.test.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('services/storage/locks.ts:'))
      // the migration lock is a session lock around the whole migration, taken by id from LOCK
      .filter((line) => !/services\/storage\/migrate\.ts:.*\[LOCK\.migration\]/.test(line));
    expect(hits).toEqual([]);
  });
});
