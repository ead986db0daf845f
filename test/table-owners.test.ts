import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every table has one owner: the SQL that reads or writes it lives in the owning module's store
// files (store.ts, *-store.ts, or a store/ folder), and other files call their functions. The
// owning module is a source folder of collectors/, collectors/lib, or a folder of services/;
// services/storage (the migration ledger) is the database layer itself and owns in any file.
// Other stores that join their rows to the fleet (the active flag, a tenant's cluster) do it
// through the relations services/config/fleet-store.ts exports, so they name no fleet table.
const ROOT = join(__dirname, '..');

const OWNERS: Record<string, string> = {
  schema_migration: 'services/storage',
  api_token: 'services/auth',
  ui_session: 'services/auth',
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
  postgres_unreachable: 'collectors/postgres',
  pg_tenant_total: 'collectors/postgres',
  pg_tenant_wait_total: 'collectors/postgres',
  pg_tenant_state: 'collectors/postgres',
  pg_cluster_state: 'collectors/postgres',
  pg_cluster_total: 'collectors/postgres',
  pg_counter_state: 'collectors/postgres',
  pg_replication_state: 'collectors/postgres',
  pg_replication_slot_state: 'collectors/postgres',
  pg_statement_state: 'collectors/postgres',
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
  odoo_job_backlog: 'collectors/odoo-jobs',
};

/** Whether `file` is one of the store files of `owner` (a folder). */
export function ownedBy(file: string, owner: string): boolean {
  if (!file.startsWith(`${owner}/`)) return false;
  if (owner === 'services/storage') return true;
  const rest = file.slice(owner.length + 1);
  return rest.startsWith('store/') || /^(?:[\w-]+-)?store\.ts$/.test(rest);
}

/**
 * Tables a piece of SQL text names, read (FROM, JOIN) or written (INTO, UPDATE, DELETE FROM,
 * TABLE), also through a monthly partition, written out (`tenant_minute_y2026m03`) or built from
 * the base name in a template (`tenant_minute_y${...}`), schema-qualified or quoted.
 */
export function tablesIn(text: string, tables: readonly string[]): { table: string; write: boolean }[] {
  const found: { table: string; write: boolean }[] = [];
  for (const table of tables) {
    const name = `(?:public\\.)?"?${table}(?:_y(?:\\d{4}m\\d\\d\\b|\\$\\{)|"|\\b)`;
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
    expect(tablesIn('DELETE FROM tenant_minute_y${month} WHERE true', ['tenant_minute'])).toEqual([
      { table: 'tenant_minute', write: true },
    ]);
    expect(tablesIn('SELECT 1 FROM public."tenant" t', ['tenant'])).toEqual([{ table: 'tenant', write: false }]);
    // a longer table's name, a column, a relation exported by an owner: none is the table
    expect(tablesIn('SELECT tenant_id FROM tenant_minute JOIN ${ACTIVE_TENANTS} t ON true', ['tenant'])).toEqual([]);
  });

  it('tells the store files of an owner from its other files', () => {
    expect(ownedBy('collectors/postgres/store.ts', 'collectors/postgres')).toBe(true);
    expect(ownedBy('collectors/postgres/metrics-store.ts', 'collectors/postgres')).toBe(true);
    expect(ownedBy('services/sla/store/report-store.ts', 'services/sla')).toBe(true);
    expect(ownedBy('services/sla/freeze.ts', 'services/sla')).toBe(false);
    expect(ownedBy('collectors/odoo-log/push.ts', 'collectors/odoo-log')).toBe(false);
    expect(ownedBy('collectors/lib/collector-run-retention.ts', 'collectors/lib')).toBe(false);
    expect(ownedBy('collectors/postgres-extra/store.ts', 'collectors/postgres')).toBe(false);
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
      for (const { table, write } of tablesIn(readFileSync(join(ROOT, file), 'utf8'), Object.keys(OWNERS))) {
        if (ownedBy(file, OWNERS[table]!)) continue;
        outside.push(`${file}: ${write ? 'writes' : 'reads'} ${table} (owner: the store files of ${OWNERS[table]})`);
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
      .filter((line) => line !== '' && !line.startsWith('services/storage/locks.ts:'));
    expect(hits).toEqual([]);
  });
});
