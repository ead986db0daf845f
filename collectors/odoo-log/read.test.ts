import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { collect, type LogCheckpoint } from './read';

const ZONE = 'UTC';
let n = 0;
const line = (path = '/web') =>
  `2026-03-01 10:00:${String(n % 60).padStart(2, '0')},000 ${100 + (n++ % 3)} INFO acme werkzeug: 1.2.3.4 - - [01/Mar/2026 10:00:00] "GET ${path} HTTP/1.1" 200 - 2 0.010 0.020\n`;
const lines = (count: number) => Array.from({ length: count }, () => line()).join('');

let file: string;
beforeEach(() => {
  file = join(mkdtempSync(join(tmpdir(), 'odoo-log-')), 'odoo.log');
});

async function all(checkpoint?: LogCheckpoint, maxBytes?: number) {
  return collect({ file, zone: ZONE, now: Date.UTC(2026, 2, 2), ...(checkpoint && { checkpoint }), ...(maxBytes && { maxBytes }) });
}

describe('odoo-log tail', () => {
  it('reads only complete lines and resumes after the last one', async () => {
    writeFileSync(file, lines(3) + '2026-03-01 10:00:59,000 1 INFO acme werkzeug: 1.2.3.4 - - [01');
    const first = await all();
    expect(first.records).toHaveLength(3);
    appendFileSync(file, '/Mar/2026 10:00:59] "GET /x HTTP/1.1" 200 - 1 0.001 0.001\n' + lines(2));
    const second = await all(first.checkpoint);
    expect(second.records).toHaveLength(3);
    expect(second.records[0]).toMatchObject({ type: 'request', path: '/x' });
    const third = await all(second.checkpoint);
    expect(third.records).toHaveLength(0);
    expect(third.checkpoint).toEqual(second.checkpoint);
  });

  it('follows a rename rotation: the rest of the old file, then the new one, nothing twice', async () => {
    writeFileSync(file, lines(5));
    const first = await all();
    appendFileSync(file, lines(4)); // written before the rotation, not read yet
    renameSync(file, `${file}.1`);
    writeFileSync(file, lines(6));
    const second = await all(first.checkpoint);
    expect(second.records).toHaveLength(10);
    expect(second.checkpoint.fileIdentity).not.toBe(first.checkpoint.fileIdentity);
    expect((await all(second.checkpoint)).records).toHaveLength(0);
  });

  it('finds the old file even after two rotations', async () => {
    writeFileSync(file, lines(2));
    const first = await all();
    appendFileSync(file, lines(1));
    renameSync(file, `${file}.1`);
    renameSync(`${file}.1`, `${file}.2`);
    writeFileSync(file, lines(2));
    expect((await all(first.checkpoint)).records).toHaveLength(3);
  });

  it('starts again at 0 after copytruncate', async () => {
    writeFileSync(file, lines(5));
    const first = await all();
    truncateSync(file, 0);
    appendFileSync(file, lines(2));
    const second = await all(first.checkpoint);
    expect(second.records).toHaveLength(2);
    expect(second.checkpoint.offset).toBeLessThan(first.checkpoint.offset);
  });

  it('takes a large backlog in steps of maxBytes', async () => {
    writeFileSync(file, lines(100));
    let checkpoint: LogCheckpoint | undefined;
    let total = 0;
    const more: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      const batch = await all(checkpoint, 2_000);
      total += batch.records.length;
      checkpoint = batch.checkpoint;
      more.push(batch.more);
      if (batch.records.length === 0) break;
    }
    expect(total).toBe(100);
    // Behind while the limit stopped the read, caught up from the read that reached the end.
    const caughtUp = more.indexOf(false);
    expect(caughtUp).toBeGreaterThan(0);
    expect(more.slice(0, caughtUp).every(Boolean)).toBe(true);
    expect(more.slice(caughtUp).some(Boolean)).toBe(false);
    // A line still being written is not a backlog.
    appendFileSync(file, '2026-03-02 10:00:00,000 4242 INFO db werkzeug: half a li');
    expect((await all(checkpoint, 2_000)).more).toBe(false);
  });

  it('counts a line longer than the read limit as rejected and moves on', async () => {
    writeFileSync(file, `${'x'.repeat(5_000)}\n${lines(1)}`);
    const first = await all(undefined, 1_000);
    expect(first.rejections.total).toBe(1);
    let checkpoint = first.checkpoint;
    let records = 0;
    for (let i = 0; i < 10; i++) {
      const batch = await all(checkpoint, 1_000);
      records += batch.records.length;
      checkpoint = batch.checkpoint;
    }
    expect(records).toBe(1);
  });

  it('attaches continuation lines to the record before them, and rejects orphans', async () => {
    writeFileSync(
      file,
      'Traceback (most recent call last):\n' +
        '2026-03-01 10:00:00,000 1 ERROR acme odoo.http: Exception during request handling.\n' +
        'Traceback (most recent call last):\n  File "x.py", line 1\nKeyError: 1\n' +
        lines(1),
    );
    const batch = await all();
    expect(batch.rejections.total).toBe(1);
    expect(batch.records).toHaveLength(2);
    expect(batch.records[0]).toMatchObject({
      type: 'log',
      level: 'ERROR',
      message: 'Exception during request handling.\nTraceback (most recent call last):\n  File "x.py", line 1\nKeyError: 1',
    });
  });

  it('fails with the path when the file is missing', async () => {
    await expect(all()).rejects.toThrow(`log file ${file} does not exist`);
  });
});
