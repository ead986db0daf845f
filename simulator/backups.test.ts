import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobsFinishedIn } from './backup-jobs';
import { BackupModel } from './backup-model';
import { BackupWriter, JOB_BACKFILL_MS } from './backup-writer';
import { TrafficModel } from './model';
import { pgbackrestInfoText, stanzaInfo } from './pgbackrest-info';
import { planScenario } from './scenarios';
import { testFleet } from '../test/helpers/test-fleet';

const FROM = Date.UTC(2026, 2, 1, 12);
const LABEL = /^\d{8}-\d{6}F(_\d{8}-\d{6}I)?$/;
const WAL = /^[0-9A-F]{24}$/;

interface Backup {
  label: string;
  type: string;
  prior: string | null;
  reference: string[] | null;
  timestamp: { start: number; stop: number };
  archive: { start: string; stop: string };
  info: { size: number; delta: number; repository: { size: number; delta: number } };
  database: { id: number; 'repo-key': number };
  error: boolean;
  lsn: { start: string; stop: string };
}

function setup(scenario: 'normal' | 'failed-backup', tenant?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tssim-bk-'));
  const fleet = testFleet(dir);
  const plan = planScenario(
    fleet,
    { scenario, ...(tenant && { scenarioTenant: tenant }), scenarioStartSeconds: 0, scenarioMinutes: 180 },
    FROM,
  );
  const model = new TrafficModel(fleet, plan);
  return { dir, fleet, plan, model, c1: model.clusters.get('c1')! };
}

function info(model: BackupModel, c1: ReturnType<typeof setup>['c1'], ms: number) {
  const text = pgbackrestInfoText([stanzaInfo(model, c1.tenants, 1, ms)]);
  return { text, stanza: (JSON.parse(text) as Record<string, unknown>[])[0] as Record<string, unknown> & { backup: Backup[] } };
}

describe('pgbackrest info --output=json', () => {
  it('has the stanza shape pgBackRest prints, keys sorted, system-id beyond 2^53 as a bare number', () => {
    const { plan, c1 } = setup('normal');
    const { text, stanza } = info(new BackupModel(c1, plan), c1, FROM);
    expect(text.endsWith('}]\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
    expect(Object.keys(stanza)).toEqual(['archive', 'backup', 'cipher', 'db', 'name', 'repo', 'status']);
    expect(stanza.name).toBe('c1');
    expect(stanza.status).toEqual({ code: 0, lock: { backup: { held: false }, restore: { held: false } }, message: 'ok' });
    expect(stanza.repo).toEqual([{ cipher: 'none', key: 1, status: { code: 0, message: 'ok' } }]);
    expect(text).toMatch(/"system-id":7\d{18},"version":"16"/);
    const archive = (stanza.archive as { id: string; min: string; max: string }[])[0]!;
    expect(archive.id).toBe('16-1');
    expect(archive.min).toMatch(WAL);
    expect(archive.max >= archive.min).toBe(true);
  });

  it('keeps two fulls a day apart with hourly incrementals chained by prior and reference', () => {
    const { plan, c1 } = setup('normal');
    const { stanza } = info(new BackupModel(c1, plan), c1, FROM);
    const backups = stanza.backup;
    const fulls = backups.filter((b) => b.type === 'full');
    expect(fulls).toHaveLength(2);
    expect(fulls[1]!.timestamp.start - fulls[0]!.timestamp.start).toBeGreaterThan(23 * 3600);
    for (const [i, b] of backups.entries()) {
      expect(b.label).toMatch(LABEL);
      expect(b.archive.start).toMatch(WAL);
      expect(b.timestamp.stop).toBeGreaterThan(b.timestamp.start);
      expect(b.error).toBe(false);
      expect(b.lsn.start).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      if (b.type === 'incr') {
        const prior = backups[i - 1]!;
        expect(b.prior).toBe(prior.label);
        expect(b.reference).toEqual([...(prior.reference ?? []), prior.label]);
        expect(b.label.startsWith(`${b.reference![0]}_`)).toBe(true);
        expect(b.timestamp.start - prior.timestamp.start).toBeGreaterThan(3000);
        expect(b.timestamp.start - prior.timestamp.start).toBeLessThan(3 * 3600);
        expect(b.info.delta).toBeLessThan(b.info.size);
      } else {
        expect(b.prior).toBeNull();
        expect(b.reference).toBeNull();
        expect(b.info.delta).toBe(b.info.size);
      }
    }
    // The newest backup finished within the last hour and a bit.
    expect(FROM / 1000 - backups.at(-1)!.timestamp.stop).toBeLessThan(3700);
  });

  it('in failed-backup, the newest timestamp.stop goes stale while the stanza status stays ok', () => {
    const { plan, c1 } = setup('failed-backup', 'alpha');
    const model = new BackupModel(c1, plan);
    const later = FROM + 150 * 60_000;
    const { stanza } = info(model, c1, later);
    expect((stanza.status as { code: number }).code).toBe(0);
    const newest = Math.max(...stanza.backup.map((b) => b.timestamp.stop));
    expect(newest).toBeLessThan(FROM / 1000); // nothing completed in the 150 min since
    const normal = setup('normal');
    const healthy = info(new BackupModel(normal.c1, normal.plan), normal.c1, later).stanza;
    expect(Math.max(...healthy.backup.map((b) => b.timestamp.stop))).toBeGreaterThan(FROM / 1000);
  });
});

describe('backup job results', () => {
  it('writes dump jobs every 15 minutes and restore tests, as JSON lines with ISO UTC times', () => {
    const { dir, plan, model } = setup('normal');
    const writer = new BackupWriter(model.clusters.values(), plan);
    writer.open(FROM, true);
    writer.refresh(FROM + 3_600_000);
    const lines = readFileSync(join(dir, 'c1', 'backup-jobs.ndjson'), 'utf8')
      .trim()
      .split('\n');
    const jobs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const [i, job] of jobs.entries()) {
      expect(Object.keys(job)).toEqual(['tenant', 'kind', 'status', 'started', 'finished', 'bytes']);
      expect(job.started).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(String(job.finished) >= String(job.started)).toBe(true);
      if (i > 0) expect(String(job.finished) >= String(jobs[i - 1]!.finished)).toBe(true);
    }
    const alphaDumps = jobs.filter((j) => j.tenant === 'alpha' && j.kind === 'backup');
    expect(alphaDumps.length).toBeGreaterThanOrEqual((JOB_BACKFILL_MS + 3_600_000) / 900_000 - 2);
    expect(jobs.some((j) => j.kind === 'restore-test')).toBe(true);
    expect(jobs.every((j) => j.status === 'ok' && (j.bytes as number) > 0)).toBe(true);
    expect(new Set(jobs.map((j) => j.tenant))).toEqual(new Set(['alpha', 'bravo', 'charlie']));
  });

  it('fails only the targeted tenant jobs during failed-backup', () => {
    const { plan, model } = setup('failed-backup', 'bravo');
    const jobs = jobsFinishedIn(model.tenants, plan, FROM, FROM + 3 * 3_600_000);
    const failed = jobs.filter((j) => j.status === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(10);
    expect(new Set(failed.map((j) => j.tenant))).toEqual(new Set(['bravo']));
    expect(jobs.filter((j) => j.tenant === 'bravo' && j.status === 'ok')).toHaveLength(0);
  });
});
