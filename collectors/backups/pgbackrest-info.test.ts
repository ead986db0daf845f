import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastGoodByType, parsePgbackrestInfo, pgbackrestInfoRecords, walArchiveReach } from './pgbackrest-info';

// pgBackRest 2.45 (Debian bookworm), captured from the real binary by test/backups-pgbackrest.test.ts.
const V2_45 =
  '[{"archive":[{"database":{"id":1,"repo-key":1},"id":"15-1","max":"000000010000000000000002","min":"000000010000000000000001"}],"backup":[{"archive":{"start":"000000010000000000000002","stop":"000000010000000000000002"},"backrest":{"format":5,"version":"2.45"},"database":{"id":1,"repo-key":1},"error":false,"info":{"delta":23213867,"repository":{"delta":3062606,"size":3062606},"size":23213867},"label":"20261122-053222F","lsn":{"start":"0/2000028","stop":"0/2000100"},"prior":null,"reference":null,"timestamp":{"start":1795325542,"stop":1795325544},"type":"full"}],"cipher":"none","db":[{"id":1,"repo-key":1,"system-id":7710864482021131640,"version":"15"}],"name":"ts","repo":[{"cipher":"none","key":1,"status":{"code":0,"message":"ok"}}],"status":{"code":0,"lock":{"backup":{"held":false}},"message":"ok"}}]\n';

// 2.27: no repo[], no repo-key, no error, no lsn; pretty-printed over several lines.
const V2_27 = `[
  {
    "archive": [{"database": {"id": 1}, "id": "12-1", "max": "00000001000000000000000A", "min": "000000010000000000000003"}],
    "backup": [
      {"archive": {"start": "000000010000000000000003", "stop": "000000010000000000000003"}, "backrest": {"format": 5, "version": "2.27"},
       "database": {"id": 1}, "info": {"delta": 24000000, "repository": {"delta": 2900000, "size": 2900000}, "size": 24000000},
       "label": "20200601-010000F", "prior": null, "reference": null, "timestamp": {"start": 1590973200, "stop": 1590973260}, "type": "full"},
      {"archive": {"start": "000000010000000000000008", "stop": "000000010000000000000008"}, "backrest": {"format": 5, "version": "2.27"},
       "database": {"id": 1}, "info": {"delta": 100000, "repository": {"delta": 9000, "size": 2909000}, "size": 24100000},
       "label": "20200601-010000F_20200601-130000D", "prior": "20200601-010000F", "reference": ["20200601-010000F"],
       "timestamp": {"start": 1591016400, "stop": 1591016410}, "type": "diff"}
    ],
    "cipher": "none",
    "db": [{"id": 1, "system-id": 6837373893047271224, "version": "12"}],
    "name": "eu1",
    "status": {"code": 0, "message": "ok"}
  }
]`;

// 2.5x with two repositories that disagree (4 mixed), an incremental with checksum errors, block incremental (size-map, no repository.size).
const MIXED = JSON.stringify([
  {
    archive: [
      { database: { id: 1, 'repo-key': 1 }, id: '16-1', max: '0000000100000003000000A0', min: '000000010000000300000010' },
      { database: { id: 1, 'repo-key': 2 }, id: '16-1', max: '000000010000000300000090', min: '000000010000000300000010' },
    ],
    backup: [
      {
        label: '20260301-010000F',
        type: 'full',
        error: false,
        database: { id: 1, 'repo-key': 1 },
        timestamp: { start: 1772326800, stop: 1772327400 },
        archive: { start: '000000010000000300000010', stop: '000000010000000300000011' },
        'database-ref': [
          { name: 'acme', oid: 16385 },
          { name: 'postgres', oid: 5 },
        ],
      },
      {
        label: '20260301-010000F_20260301-030000I',
        type: 'incr',
        error: false,
        database: { id: 1, 'repo-key': 1 },
        timestamp: { start: 1772334000, stop: 1772334060 },
      },
      {
        label: '20260301-010000F_20260301-050000I',
        type: 'incr',
        error: true,
        database: { id: 1, 'repo-key': 1 },
        timestamp: { start: 1772341200, stop: 1772341260 },
      },
      {
        label: '20260301-010000F_20260301-040000D',
        type: 'diff',
        database: { id: 1, 'repo-key': 1 },
        timestamp: { start: 1772337600, stop: 1772337700 },
        info: { size: 5, delta: 1, repository: { 'size-map': 10, 'delta-map': 2 } },
      },
    ],
    cipher: 'mixed',
    db: [{ id: 1, 'repo-key': 1, 'system-id': 7310864482021131999n.toString(), version: '16' }],
    name: 'eu1',
    repo: [
      { cipher: 'none', key: 1, status: { code: 0, message: 'ok' } },
      { cipher: 'aes-256-cbc', key: 2, status: { code: 2, message: 'no valid backups' } },
    ],
    status: { code: 4, lock: { backup: { held: true, size: 100, 'size-cplt': 50 } }, message: 'different across repos' },
  },
]);

// Status 99: the stanza cannot be read; the cause is in the repository's message.
const INVALID =
  '[{"archive":[],"backup":[],"cipher":"none","db":[],"name":"[invalid]","repo":[{"cipher":"none","key":1,"status":{"code":99,"message":"[PathOpenError] unable to list file info for path \'/var/lib/pgbackrest/archive\': [13] Permission denied"}}],"status":{"code":99,"lock":{"backup":{"held":false}},"message":"other"}}]';

// After a stanza-upgrade (PostgreSQL 15 -> 16): two db-ids, only the newest archive grows.
const UPGRADED =
  '[{"archive":[{"database":{"id":1,"repo-key":1},"id":"15-1","max":"0000000100000000000000FF","min":"000000010000000000000001"},{"database":{"id":2,"repo-key":1},"id":"16-2","max":"000000010000000000000005","min":"000000010000000000000003"}],"backup":[],"db":[{"id":1,"repo-key":1,"system-id":7000000000000000001,"version":"15"},{"id":2,"repo-key":1,"system-id":7000000000000000002,"version":"16"}],"name":"us1","status":{"code":2,"message":"no valid backups"}}]';

describe('pgbackrest info --output=json', () => {
  it.each([
    [
      '2.45 single repo',
      V2_45,
      {
        name: 'ts',
        statusCode: 0,
        backups: 1,
        full: 1795325544000,
        diff: undefined,
        incr: undefined,
        walMax: '000000010000000000000002',
        systemId: '7710864482021131640',
      },
    ],
    [
      '2.27 without repo-key and error',
      V2_27,
      {
        name: 'eu1',
        statusCode: 0,
        backups: 2,
        full: 1590973260000,
        diff: 1591016410000,
        incr: undefined,
        walMax: '00000001000000000000000A',
        systemId: '6837373893047271224',
      },
    ],
    [
      'two repositories, mixed',
      MIXED,
      {
        name: 'eu1',
        statusCode: 4,
        backups: 4,
        full: 1772327400000,
        diff: 1772337700000,
        incr: 1772334060000,
        walMax: '0000000100000003000000A0',
        systemId: '7310864482021131999',
      },
    ],
    [
      'status 99, [invalid]',
      INVALID,
      {
        name: '[invalid]',
        statusCode: 99,
        backups: 0,
        full: undefined,
        diff: undefined,
        incr: undefined,
        walMax: undefined,
        systemId: undefined,
      },
    ],
    [
      'after stanza-upgrade',
      UPGRADED,
      {
        name: 'us1',
        statusCode: 2,
        backups: 0,
        full: undefined,
        diff: undefined,
        incr: undefined,
        walMax: '000000010000000000000005',
        systemId: '7000000000000000002',
      },
    ],
  ])('%s', (_, text, want) => {
    const { stanzas, rejected } = parsePgbackrestInfo(text);
    expect(rejected).toBe(0);
    const s = stanzas[0]!;
    expect(s.name).toBe(want.name);
    expect(s.statusCode).toBe(want.statusCode);
    expect(s.backups).toHaveLength(want.backups);
    const last = lastGoodByType(s.backups);
    expect(last.full?.stopMs).toBe(want.full);
    expect(last.diff?.stopMs).toBe(want.diff);
    expect(last.incr?.stopMs).toBe(want.incr);
    expect(walArchiveReach(s)?.max).toBe(want.walMax);
    expect(s.systemIds[s.systemIds.length - 1]).toBe(want.systemId);
  });

  it('keeps the system identifier exact where JSON.parse would not', () => {
    expect(String((JSON.parse(V2_45) as { db: { 'system-id': number }[] }[])[0]!.db[0]!['system-id'])).not.toBe('7710864482021131640');
    expect(parsePgbackrestInfo(V2_45).stanzas[0]!.systemIds).toEqual(['7710864482021131640']);
  });

  it('reads version gaps as null, never as a made-up value', () => {
    const [full] = parsePgbackrestInfo(V2_27).stanzas[0]!.backups;
    expect(full).toMatchObject({ error: null, repoKey: null, lsnStart: null, databases: null, sizeBytes: 24000000 });
    expect(parsePgbackrestInfo(V2_27).stanzas[0]!.repos).toEqual([]);
  });

  it('reads repositories, the lock, database-ref and block incremental sizes', () => {
    const s = parsePgbackrestInfo(MIXED).stanzas[0]!;
    expect(s.repos).toEqual([
      { key: 1, code: 0, message: 'ok' },
      { key: 2, code: 2, message: 'no valid backups' },
    ]);
    expect(s.backupLockHeld).toBe(true);
    expect(s.backups[0]!.databases).toEqual(['acme', 'postgres']);
    expect(s.backups[3]).toMatchObject({ sizeBytes: 5, repoSizeBytes: null });
    expect(parsePgbackrestInfo(INVALID).stanzas[0]!.repos[0]!.message).toContain('Permission denied');
  });

  it.each([
    ['not JSON', 'ERROR: [055]: unable to load info file', 0, 1],
    ['an object, not an array', '{"name":"eu1"}', 0, 1],
    ['a stanza that is not an object', '[1, {"name":"eu1"}]', 1, 1],
    [
      'a backup without a label or stop time',
      '[{"name":"eu1","backup":[{"type":"full","timestamp":{"stop":1}},{"label":"x","timestamp":{}}]}]',
      1,
      2,
    ],
    ['an empty array (no stanzas)', '[]', 0, 0],
  ])('rejects %s, counted', (_, text, stanzas, rejected) => {
    const out = parsePgbackrestInfo(text);
    expect(out.stanzas).toHaveLength(stanzas);
    expect(out.rejected).toBe(rejected);
  });

  it('prints a stanza record and a backup record per backup for `tenantscope parse`', () => {
    const { records } = pgbackrestInfoRecords(V2_45);
    expect(records[0]).toMatchObject({
      type: 'stanza',
      stanza: 'ts',
      lastFull: '2026-11-22T05:32:24.000Z',
      walArchiveMax: '000000010000000000000002',
      systemIds: ['7710864482021131640'],
    });
    expect(records[1]).toMatchObject({
      type: 'backup',
      label: '20261122-053222F',
      backupType: 'full',
      stop: '2026-11-22T05:32:24.000Z',
      lsnStop: '0/2000100',
    });
  });

  it('never throws: any input gives stanzas or counted rejections', () => {
    const mutated = fc
      .tuple(fc.nat(V2_45.length), fc.nat(40), fc.string())
      .map(([at, cut, insert]) => V2_45.slice(0, at) + insert + V2_45.slice(at + cut));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          mutated,
          fc.jsonValue().map((v) => JSON.stringify([v])),
        ),
        (text) => {
          const out = parsePgbackrestInfo(text);
          expect(out.rejected).toBeGreaterThanOrEqual(0);
          expect(Array.isArray(out.stanzas)).toBe(true);
          pgbackrestInfoRecords(text);
        },
      ),
      { numRuns: 500 },
    );
  });
});
