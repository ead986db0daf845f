import { DateTime } from 'luxon';
import type { Fleet } from '../../services/config/fleet-types';

/**
 * A deliberately plain SLA calculator for the property test: one loop over the month's minutes,
 * Maps instead of typed arrays, every rule re-read from docs/sla.md and written again without
 * looking at the engine. Slow, obvious, and only for comparison. Decimals from the fleet file
 * are compared as integers scaled by 10^6 (the generators use at most 6 decimal places).
 */
export type RawLine = Record<string, unknown>;

export interface ReferenceResult {
  total: number;
  excluded: number;
  good: number;
  bad: number;
  nodata: number;
  countedGood: number;
  countedBad: number;
  targetMet: boolean | null;
  creditPercent: number;
  creditMinor: string;
  incidents: { start: string; end: string; minutes: number }[];
}

const MIN = 60_000;
const micro = (x: number) => BigInt(Math.round(x * 1e6));

export function referenceReport(fleet: Fleet, tenantId: string, month: string, lines: readonly RawLine[]): ReferenceResult {
  const tenant = fleet.tenants.find((t) => t.id === tenantId)!;
  const cluster = fleet.clusters[tenant.cluster]!;
  const tier = fleet.tiers[tenant.tier]!;
  const first = DateTime.fromISO(`${month}-01T00:00`, { zone: tenant.timezone });
  const startMs = first.toMillis();
  const endMs = first.plus({ months: 1 }).toMillis();

  // Every window as [start, end) in ms.
  const windows: [number, number][] = [];
  const owners = [
    { list: tenant.maintenance, zone: tenant.timezone },
    { list: cluster.maintenance, zone: cluster.timezone },
  ];
  for (const { list, zone } of owners) {
    for (const w of list) {
      if (w.kind === 'once') {
        windows.push([Date.parse(w.start), Date.parse(w.end)]);
        continue;
      }
      // Weekly windows last at most 7 days: 9 days back is enough.
      let day = DateTime.fromMillis(startMs, { zone }).minus({ days: 9 }).startOf('day');
      while (day.toMillis() < endMs + 86_400_000) {
        if (w.days.includes(day.weekday)) {
          const s = DateTime.fromISO(`${day.toISODate()}T${w.start}`, { zone }).toMillis();
          windows.push([s, s + w.minutes * MIN]);
        }
        day = day.plus({ days: 1 });
      }
    }
  }
  for (const l of lines) {
    if (l.kind !== 'exclusion') continue;
    if (l.tenant === tenant.id || l.cluster === tenant.cluster) windows.push([Date.parse(l.start as string), Date.parse(l.end as string)]);
  }

  const probes = new Map<number, { ok: number; fail: number }>();
  const requests = new Map<string, { total: number; errors: number }>();
  for (const l of lines) {
    if (l.tenant !== tenant.id) continue;
    if (l.kind === 'probe') {
      const t = Date.parse(l.ts as string);
      const m = t - (((t % MIN) + MIN) % MIN);
      const p = probes.get(m) ?? { ok: 0, fail: 0 };
      if (l.ok) p.ok++;
      else p.fail++;
      probes.set(m, p);
    } else if (l.kind === 'requests') {
      const key = `${(l.source as string | undefined) ?? 'ingress'} ${Date.parse(l.minute as string)}`;
      const r = requests.get(key) ?? { total: 0, errors: 0 };
      r.total += l.total as number;
      r.errors += l.serverErrors as number;
      requests.set(key, r);
    }
  }

  const ratio = micro(tier.downtime.errorRatio);
  const states: string[] = [];
  for (let m = startMs; m < endMs; m += MIN) {
    if (windows.some(([s, e]) => s <= m && m + MIN <= e)) {
      states.push('excluded');
      continue;
    }
    const p = probes.get(m);
    const r = requests.get(`ingress ${m}`) ?? requests.get(`odoo ${m}`);
    const probeSays = p === undefined ? 'none' : p.ok === 0 ? 'bad' : 'good';
    let requestSays = 'none';
    if (r !== undefined && r.total >= tier.downtime.minRequests) {
      requestSays = BigInt(r.errors) * 1_000_000n > ratio * BigInt(r.total) ? 'bad' : 'good';
    }
    if (probeSays === 'bad' || requestSays === 'bad') states.push('bad');
    else if (probeSays === 'good' || requestSays === 'good') states.push('good');
    else states.push('nodata');
  }

  const count = (s: string) => states.filter((x) => x === s).length;
  const nodata = count('nodata');
  const countedGood = count('good') + (tier.nodata === 'good' ? nodata : 0);
  const countedBad = count('bad') + (tier.nodata === 'bad' ? nodata : 0);
  const measured = countedGood + countedBad;
  // availability < x %  ⇔  good × 100 × 10^6 < x × 10^6 × measured
  const below = (percent: number) => BigInt(countedGood) * 100_000_000n < micro(percent) * BigInt(measured);
  let creditPercent = 0;
  if (measured > 0) for (const c of tier.credits) if (below(c.belowPercent) && c.percent > creditPercent) creditPercent = c.percent;
  creditPercent = Math.min(creditPercent, tier.creditCapPercent);
  // fee × percent / 100, half up (fees are never negative).
  const scaled = tenant.monthlyFee.minor * micro(creditPercent);
  const creditMinor = (scaled + 50_000_000n) / 100_000_000n;

  const incidents: ReferenceResult['incidents'] = [];
  const isDown = (s: string | undefined) => s === 'bad' || (s === 'nodata' && tier.nodata === 'bad');
  for (let i = 0; i < states.length; i++) {
    if (!isDown(states[i]) || isDown(states[i - 1])) continue;
    let j = i;
    while (isDown(states[j])) j++;
    incidents.push({ start: new Date(startMs + i * MIN).toISOString(), end: new Date(startMs + j * MIN).toISOString(), minutes: j - i });
  }

  return {
    total: states.length,
    excluded: count('excluded'),
    good: count('good'),
    bad: count('bad'),
    nodata,
    countedGood,
    countedBad,
    targetMet: measured === 0 ? null : !below(tier.targetPercent),
    creditPercent,
    creditMinor: creditMinor.toString(),
    incidents,
  };
}
