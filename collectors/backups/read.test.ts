import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, type FileCheckpoint } from './read';

let n = 0;
const job = (status = 'ok') =>
  `${JSON.stringify({ tenant: 'acme', kind: 'backup', status, started: new Date(Date.UTC(2026, 2, 1, 0, n)).toISOString(), finished: new Date(Date.UTC(2026, 2, 1, 0, n++, 30)).toISOString(), bytes: 10 })}\n`;
const jobs = (count: number) => Array.from({ length: count }, () => job()).join('');

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ts-backups-'));
  file = join(dir, 'jobs.ndjson');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tail = (checkpoint?: FileCheckpoint, maxBytes?: number) =>
  collect({ stanza: 'eu1', jobResultsFile: file, ...(checkpoint && { jobsCheckpoint: checkpoint }), ...(maxBytes && { maxBytes }) });

describe('backups collector: job results tail', () => {
  it('reads complete lines once, resuming after the last one', async () => {
    writeFileSync(file, jobs(3) + '{"tenant":"acme","kind":"ba');
    const first = await tail();
    expect(first.jobs!.results).toHaveLength(3);
    appendFileSync(file, 'ckup","status":"ok","started":"2026-03-01T00:00:00Z","finished":"2026-03-01T00:00:01Z"}\n');
    const second = await tail(first.jobs!.checkpoint);
    expect(second.jobs!.results).toHaveLength(1);
    expect((await tail(second.jobs!.checkpoint)).jobs!.results).toHaveLength(0);
  });

  it('counts a malformed line with its line number in the file, also after a checkpoint', async () => {
    writeFileSync(file, jobs(2));
    const first = await tail();
    appendFileSync(file, `${jobs(1)}not json\n${job('maybe')}`);
    const second = await tail(first.jobs!.checkpoint);
    expect(second.jobs!.results).toHaveLength(1);
    expect(second.jobs!.rejected).toEqual([
      { line: 4, reason: 'not JSON', kind: 'malformed' },
      { line: 5, reason: 'status: expected "ok" or "failed"', kind: 'malformed' },
    ]);
  });

  it('follows a rename rotation: the rest of the old file, then the new one, nothing twice', async () => {
    writeFileSync(file, jobs(2));
    const first = await tail();
    appendFileSync(file, jobs(3));
    renameSync(file, `${file}.1`);
    writeFileSync(file, jobs(4));
    const second = await tail(first.jobs!.checkpoint);
    expect(second.jobs!.results).toHaveLength(7);
    expect((await tail(second.jobs!.checkpoint)).jobs!.results).toHaveLength(0);
  });

  it('starts again at 0 after copytruncate', async () => {
    writeFileSync(file, jobs(5));
    const first = await tail();
    truncateSync(file, 0);
    appendFileSync(file, jobs(2));
    expect((await tail(first.jobs!.checkpoint)).jobs!.results).toHaveLength(2);
  });

  it('takes a backlog in steps of maxBytes', async () => {
    writeFileSync(file, jobs(50));
    let checkpoint: FileCheckpoint | undefined;
    let total = 0;
    for (let i = 0; i < 40; i++) {
      const batch = await tail(checkpoint, 1_000);
      total += batch.jobs!.results.length;
      checkpoint = batch.jobs!.checkpoint;
    }
    expect(total).toBe(50);
  });
});

describe('backups collector: files', () => {
  it('picks the cluster stanza, and an only [invalid] stanza', async () => {
    const info = join(dir, 'info.json');
    writeFileSync(info, '[{"name":"us1","status":{"code":0}},{"name":"eu1","status":{"code":2,"message":"no valid backups"}}]');
    expect((await collect({ stanza: 'eu1', pgbackrestInfoFile: info })).pgbackrest!.stanza).toMatchObject({ name: 'eu1', statusCode: 2 });
    writeFileSync(info, '[{"name":"[invalid]","status":{"code":99,"message":"other"}}]');
    expect((await collect({ stanza: 'eu1', pgbackrestInfoFile: info })).pgbackrest!.stanza).toMatchObject({ statusCode: 99 });
  });

  it('names each file it cannot read or a stanza it cannot find, and still reads the others', async () => {
    const info = join(dir, 'info.json');
    writeFileSync(info, '[{"name":"us1"}]');
    writeFileSync(file, jobs(1));
    const batch = await collect({
      stanza: 'eu1',
      pgbackrestInfoFile: info,
      walgBackupListFile: join(dir, 'missing.json'),
      jobResultsFile: file,
    });
    expect(batch.jobs!.results).toHaveLength(1);
    expect(batch.problems).toEqual([
      `pgBackRest info ${info} has no stanza eu1`,
      `backup file ${join(dir, 'missing.json')} cannot be read (ENOENT)`,
    ]);
  });
});
