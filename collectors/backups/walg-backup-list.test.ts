import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lsnText, newestBackup, parseWalgBackupList, walgBackupListRecords } from './walg-backup-list';

// `wal-g backup-list --detail --json` with `2>&1`: the stderr log line comes first.
const DETAIL = `INFO: 2024/12/04 15:13:51.941365 List backups from storages: [default]
[{"backup_name":"base_000000010000000000000004","time":"2024-12-04T15:13:42.312398+01:00","wal_file_name":"000000010000000000000004","storage_name":"default","start_time":"2024-12-04T14:13:40.071203Z","finish_time":"2024-12-04T14:13:41.295541Z","date_fmt":"%Y-%m-%dT%H:%M:%S.%fZ","hostname":"pg-eu1","data_dir":"/var/lib/postgresql/16/main","pg_version":160004,"start_lsn":67108904,"finish_lsn":67109208,"is_permanent":false,"system_identifier":7444571391340179561,"uncompressed_size":23456789,"compressed_size":3456789,"user_data":null},
{"backup_name":"base_00000001000000AB000000F3_D_000000010000000000000004","time":"2024-12-05T03:00:09.5+01:00","wal_file_name":"00000001000000AB000000F3","storage_name":"default","start_time":"2024-12-05T02:00:01.000001Z","finish_time":"2024-12-05T02:00:08.999999Z","date_fmt":"%Y-%m-%dT%H:%M:%S.%fZ","hostname":"pg-eu1","data_dir":"/var/lib/postgresql/16/main","pg_version":160004,"start_lsn":18446744073709551360,"finish_lsn":735944729640,"is_permanent":true,"system_identifier":7444571391340179561,"uncompressed_size":1234,"compressed_size":567}]
`;

// Without --detail: name, time, WAL file only (older WAL-G: no storage_name).
const PLAIN =
  '[{"backup_name":"base_000000010000000000000002","time":"2024-11-30T22:00:05-05:00","wal_file_name":"000000010000000000000002"}]';

describe('wal-g backup-list --detail --json', () => {
  it('reads a full and a delta backup, skipping the stderr log line', () => {
    const { backups, rejected } = parseWalgBackupList(DETAIL);
    expect(rejected).toBe(0);
    expect(backups).toHaveLength(2);
    expect(backups[0]).toMatchObject({
      type: 'full',
      deltaFrom: null,
      finishMs: Date.UTC(2024, 11, 4, 14, 13, 41, 295),
      timeMs: Date.UTC(2024, 11, 4, 14, 13, 42, 312),
      startLsn: '0/4000028',
      finishLsn: '0/4000158',
      isPermanent: false,
      pgVersion: 160004,
      storageName: 'default',
      uncompressedBytes: 23456789,
    });
    expect(backups[1]).toMatchObject({
      type: 'delta',
      deltaFrom: '000000010000000000000004',
      isPermanent: true,
      finishLsn: 'AB/59B96428',
      startLsn: 'FFFFFFFF/FFFFFF00',
    });
  });

  it('keeps system_identifier exact where JSON.parse would not', () => {
    const raw = DETAIL.split('\n')[1]!;
    expect(String((JSON.parse(`${raw}]`.replace(/,\]$/, ']')) as { system_identifier: number }[])[0]!.system_identifier)).not.toBe(
      '7444571391340179561',
    );
    expect(parseWalgBackupList(DETAIL).backups.map((b) => b.systemIdentifier)).toEqual(['7444571391340179561', '7444571391340179561']);
  });

  it('reads the list without --detail: finish time null, the storage time instead', () => {
    const { backups } = parseWalgBackupList(PLAIN);
    expect(backups[0]).toMatchObject({
      finishMs: null,
      timeMs: Date.UTC(2024, 11, 1, 3, 0, 5),
      systemIdentifier: null,
      startLsn: null,
      storageName: null,
    });
    expect(newestBackup(backups)?.atMs).toBe(Date.UTC(2024, 11, 1, 3, 0, 5));
  });

  it('finds the newest backup by finish time', () => {
    expect(newestBackup(parseWalgBackupList(DETAIL).backups)?.backup.type).toBe('delta');
    expect(newestBackup([])).toBeUndefined();
  });

  it.each([
    [
      'an empty storage (log line only)',
      'INFO: 2024/12/04 15:13:51.941365 List backups from storages: [default]\nNo backups found\n',
      0,
      0,
    ],
    ['not JSON', 'ERROR: 2024/12/04 15:13:51.9 failed to list', 0, 0],
    ['garbage', 'base_0000 2024-12-04', 0, 1],
    ['an object', '{"backup_name":"base_000000010000000000000002"}', 0, 1],
    [
      'an entry without a valid backup_name',
      '[{"backup_name":"pg_dump_1"},{"time":"x"},{"backup_name":"base_000000010000000000000002"}]',
      1,
      2,
    ],
  ])('%s', (_, text, backups, rejected) => {
    const out = parseWalgBackupList(text);
    expect(out.backups).toHaveLength(backups);
    expect(out.rejected).toBe(rejected);
  });

  it('converts decimal LSNs to X/X exactly, refusing what is not a uint64', () => {
    expect(lsnText(0)).toBe('0/0');
    expect(lsnText(18446744073709551615n)).toBe('FFFFFFFF/FFFFFFFF');
    expect(lsnText(18446744073709551616n)).toBeNull();
    expect(lsnText(-1)).toBeNull();
    expect(lsnText('12')).toBe('0/C');
  });

  it('prints one backup record per backup for `tenantscope parse`', () => {
    const { records } = walgBackupListRecords(DETAIL);
    expect(records[1]).toMatchObject({
      type: 'backup',
      backupType: 'delta',
      backupName: 'base_00000001000000AB000000F3_D_000000010000000000000004',
      finishTime: '2024-12-05T02:00:08.999Z',
      systemIdentifier: '7444571391340179561',
    });
  });

  it('never throws: any input gives backups or counted rejections', () => {
    const mutated = fc
      .tuple(fc.nat(DETAIL.length), fc.nat(30), fc.string())
      .map(([at, cut, insert]) => DETAIL.slice(0, at) + insert + DETAIL.slice(at + cut));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          mutated,
          fc
            .array(fc.dictionary(fc.constantFrom('backup_name', 'finish_time', 'start_lsn', 'system_identifier', 'time'), fc.jsonValue()))
            .map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const out = parseWalgBackupList(text);
          expect(out.rejected).toBeGreaterThanOrEqual(0);
          walgBackupListRecords(text);
        },
      ),
      { numRuns: 500 },
    );
  });
});
