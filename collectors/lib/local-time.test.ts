import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { localToEpochMs, syslogTimestampToMs } from './local-time';

const at = (zone: string, text: string) => {
  const [date, time] = text.split(' ') as [string, string];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number];
  return new Date(localToEpochMs(zone, y, mo, d, h, mi, s, 0)).toISOString();
};

describe('localToEpochMs', () => {
  it.each([
    ['Europe/Berlin', '2026-07-01 12:00:00', '2026-07-01T10:00:00.000Z'],
    ['Europe/Berlin', '2026-01-15 00:30:00', '2026-01-14T23:30:00.000Z'],
    ['Europe/Berlin', '2026-03-29 01:59:59', '2026-03-29T00:59:59.000Z'],
    ['Europe/Berlin', '2026-03-29 03:00:00', '2026-03-29T01:00:00.000Z'],
    // 02:30 does not exist that day: forward by the gap, as luxon resolves it
    ['Europe/Berlin', '2026-03-29 02:30:00', '2026-03-29T01:30:00.000Z'],
    ['America/New_York', '2026-11-01 12:00:00', '2026-11-01T17:00:00.000Z'],
    ['America/New_York', '2026-03-08 02:17:00', '2026-03-08T07:17:00.000Z'],
    // the repeated hour at fall-back reads as standard time
    ['Europe/Berlin', '2026-10-25 02:17:00', '2026-10-25T01:17:00.000Z'],
    ['UTC', '2026-02-28 23:30:00', '2026-02-28T23:30:00.000Z'],
  ])('%s %s is %s', (zone, local, utc) => {
    expect(at(zone, local)).toBe(utc);
  });

  it('resolves every wall-clock hour of 2026 as luxon does, gaps and repeated hours included', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe']) {
      for (let day = DateTime.utc(2026, 1, 1); day.year === 2026; day = day.plus({ days: 1 })) {
        for (let hour = 0; hour < 24; hour++) {
          const wall = { year: day.year, month: day.month, day: day.day, hour, minute: 17 };
          const ms = localToEpochMs(zone, wall.year, wall.month, wall.day, hour, 17, 0, 0);
          const back = DateTime.fromMillis(ms, { zone });
          if (back.hour === hour && back.day === wall.day) continue; // a true reading of that wall time
          // only a wall time skipped at spring-forward may move, and then as luxon moves it
          expect(ms, `${zone} ${JSON.stringify(wall)}`).toBe(DateTime.fromObject(wall, { zone }).toMillis());
        }
      }
    }
  });
});

describe('syslogTimestampToMs', () => {
  const REF = Date.UTC(2026, 2, 10, 12);
  it.each([
    ['Mar  1 10:00:07', 'Europe/Berlin', '2026-03-01T09:00:07.000Z'],
    ['Mar 01 10:00:07.123456', 'Europe/Berlin', '2026-03-01T09:00:07.123Z'],
    ['Mar 12 00:30:00', 'UTC', '2026-03-12T00:30:00.000Z'], // within two days ahead: clock skew, same year
    ['Mar 20 00:30:00', 'UTC', '2025-03-20T00:30:00.000Z'], // further ahead: last year
    ['2026-03-01T10:00:07+01:00', 'America/New_York', '2026-03-01T09:00:07.000Z'],
    ['2026-03-01T10:00:07.5-0500', 'UTC', '2026-03-01T15:00:07.500Z'],
    ['2026-03-01T09:00:07.250123Z', 'Europe/Berlin', '2026-03-01T09:00:07.250Z'],
    ['2026-03-01 10:00:07', 'Europe/Berlin', '2026-03-01T09:00:07.000Z'],
  ])('%s in %s is %s', (text, zone, iso) => {
    expect(new Date(syslogTimestampToMs(text, zone, REF)!).toISOString()).toBe(iso);
  });

  it.each(['Foo  1 10:00:07', 'Feb 30 10:00:00', '2026-02-30T10:00:00Z', 'yesterday'])('refuses %s', (text) => {
    expect(syslogTimestampToMs(text, 'UTC', REF)).toBeUndefined();
  });
});
