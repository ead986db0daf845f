import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(__dirname, '../bin/tenantscope.js');
const FIXTURE = join(__dirname, 'fixtures/redis-info/info-7.0-all-crlf.txt');

describe('tenantscope parse redis-info', () => {
  it('prints one JSON record per line and the counts last on stderr', async () => {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'parse', 'redis-info', FIXTURE]);
    const records = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(records[0]).toMatchObject({ type: 'stats', version: '7.0.15', role: 'master' });
    expect(new Set(records.map((r) => r.type))).toEqual(new Set(['stats', 'section', 'keyspace', 'command', 'error', 'latency']));
    expect(JSON.parse(stderr.trim().split('\n').at(-1) as string)).toEqual({ records: records.length, rejected: 0 });
  });

  it('counts rejected lines without changing the exit code', async () => {
    const child = run(process.execPath, [BIN, 'parse', 'redis-info', '-']);
    child.child.stdin?.end('# Memory\r\nnot a field\r\nused_memory:5\r\n');
    const { stdout, stderr } = await child;
    expect(JSON.parse(stdout.split('\n')[0] as string)).toMatchObject({ usedMemoryBytes: 5, maxMemoryBytes: null });
    expect(stderr.trim().split('\n').at(-1)).toBe('{"records":2,"rejected":1}');
  });
});
