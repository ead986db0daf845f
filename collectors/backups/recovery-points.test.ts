import { describe, expect, it } from 'vitest';
import { parsePgbackrestInfo } from './pgbackrest-info';
import { nextArchiveState, stanzaPoints } from './recovery-points';

const stanza = (
  max: string,
  backups = '[{"label":"F","type":"full","timestamp":{"start":100,"stop":200},"archive":{"start":"000000010000000000000002","stop":"000000010000000000000003"}}]',
) =>
  parsePgbackrestInfo(`[{"name":"eu1","archive":[{"id":"16-1","min":"000000010000000000000001","max":"${max}"}],"backup":${backups}}]`)
    .stanzas[0]!;

describe('WAL archive reach', () => {
  it('is unknown on the first read, then bounded by the read before a new segment appeared', () => {
    const first = nextArchiveState(stanza('000000010000000000000005'), undefined, 1_000_000);
    expect(first).toMatchObject({ max: '000000010000000000000005', reachAt: null, maxSeenAt: 1_000_000 });
    const same = nextArchiveState(stanza('000000010000000000000005'), first, 1_060_000);
    expect(same).toMatchObject({ reachAt: null, maxSeenAt: 1_000_000, observedAt: 1_060_000 });
    const moved = nextArchiveState(stanza('000000010000000000000006'), same, 1_120_000);
    expect(moved).toMatchObject({ max: '000000010000000000000006', reachAt: 1_060_000, maxSeenAt: 1_120_000 });
    // a stuck archive keeps its reach while time goes on: the age grows
    expect(nextArchiveState(stanza('000000010000000000000006'), moved, 9_000_000).reachAt).toBe(1_060_000);
    // the same file read again changes nothing
    expect(nextArchiveState(stanza('000000010000000000000007'), moved, 1_120_000)).toBe(moved);
  });

  it('counts the WAL reach only where the archive continues the newest good backup', () => {
    const archive = {
      min: '000000010000000000000001',
      max: '000000010000000000000006',
      maxSeenAt: 500_000,
      reachAt: 400_000,
      observedAt: 500_000,
    };
    expect(stanzaPoints(stanza('000000010000000000000006'), archive)).toEqual([
      { observedMs: 200_000, recoverableMs: 200_000 },
      { observedMs: 500_000, recoverableMs: 400_000 },
    ]);
    expect(stanzaPoints(stanza('000000010000000000000002'), { ...archive, max: '000000010000000000000002' })).toHaveLength(1);
    expect(stanzaPoints(stanza('x'), { ...archive, min: '000000010000000000000004' })).toHaveLength(1);
    expect(stanzaPoints(stanza('x'), { ...archive, reachAt: null })).toHaveLength(1);
  });

  it('skips backups with checksum errors', () => {
    const s = stanza('000000010000000000000006', '[{"label":"F","type":"full","error":true,"timestamp":{"stop":200}}]');
    expect(stanzaPoints(s, { min: null, max: null, maxSeenAt: null, reachAt: null, observedAt: 1 })).toEqual([]);
  });
});
