import { DateTime, IANAZone } from 'luxon';
import { detectorConfig, type DetectorConfig } from './noisy-thresholds';
import type { Resource } from './noisy-thresholds';
import type { MaintenanceInput, NoisyInput } from './fleet-schema';
import type { MaintenanceWindow, MonthlyFee } from './fleet-types';

/**
 * Semantic checks of the fleet file. Each returns the resolved value, or pushes a problem
 * naming the key path and what was expected and returns undefined.
 */
export type Problems = string[];

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export function checkZone(zone: string, path: string, problems: Problems): string | undefined {
  if (IANAZone.isValidZone(zone)) return zone;
  problems.push(`${path}: expected an IANA time zone such as Europe/Berlin, got ${JSON.stringify(zone)}`);
  return undefined;
}

const SUPPORTED_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function checkFee(amount: string, currency: string, path: string, problems: Problems): MonthlyFee | undefined {
  if (!SUPPORTED_CURRENCIES.has(currency)) {
    problems.push(`${path}.currency: expected an ISO 4217 currency code such as EUR, got ${JSON.stringify(currency)}`);
    return undefined;
  }
  const digits = currencyDigits(currency);
  const [whole, fraction = ''] = amount.split('.');
  if (fraction.length > digits) {
    problems.push(`${path}.amount: ${currency} has ${digits} decimal digits, got ${JSON.stringify(amount)}`);
    return undefined;
  }
  const minor = BigInt(whole as string) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  return { amount, currency, digits, minor };
}

/** Resolves maintenance windows; a `once` window without an offset is in the owner's zone. */
export function checkWindows(
  windows: readonly MaintenanceInput[] | undefined,
  zone: string,
  path: string,
  problems: Problems,
): MaintenanceWindow[] {
  const out: MaintenanceWindow[] = [];
  (windows ?? []).forEach((window, i) => {
    const at = `${path}[${i}]`;
    if ((window.weekly === undefined) === (window.once === undefined)) {
      problems.push(`${at}: expected exactly one of weekly or once`);
      return;
    }
    if (window.weekly !== undefined) {
      const w = window.weekly;
      out.push({
        kind: 'weekly',
        days: [...new Set(w.days.map((d) => WEEKDAYS.indexOf(d) + 1))].sort(),
        start: w.start,
        minutes: w.minutes,
        reason: w.reason ?? 'scheduled maintenance',
      });
      return;
    }
    const once = window.once as NonNullable<MaintenanceInput['once']>;
    const start = DateTime.fromISO(once.start, { zone });
    const end = DateTime.fromISO(once.end, { zone });
    if (!start.isValid)
      problems.push(`${at}.once.start: expected a date and time such as 2026-03-14T22:00, got ${JSON.stringify(once.start)}`);
    if (!end.isValid) problems.push(`${at}.once.end: expected a date and time such as 2026-03-15T01:00, got ${JSON.stringify(once.end)}`);
    if (!start.isValid || !end.isValid) return;
    if (end <= start) {
      problems.push(`${at}.once.end: expected a time after start ${once.start}, got ${once.end}`);
      return;
    }
    out.push({
      kind: 'once',
      start: start.toUTC().toISO() as string,
      end: end.toUTC().toISO() as string,
      reason: once.reason ?? 'scheduled maintenance',
    });
  });
  return out;
}

/**
 * The detector's thresholds: the overrides merged over the defaults (noisy-thresholds.ts), then the orderings
 * checked on the merged values, so a one-sided override that breaks one is refused, naming the key
 * that was written (the other side's value is quoted, marked when it is the default).
 */
export function checkNoisy(input: NoisyInput | undefined, path: string, problems: Problems): DetectorConfig {
  const given = input ?? {};
  const config = detectorConfig(given);
  for (const [r, gate] of Object.entries(config.gates) as [Resource, DetectorConfig['gates'][Resource]][]) {
    const set = given.gates?.[r] ?? {};
    const missing = (['open', 'close'] as const).filter((k) => gate?.[k] === undefined);
    if (missing.length > 0) {
      problems.push(`${path}.gates.${r}: expected both open and close (${r} has no default gate), ${missing.join(' and ')} missing`);
      continue;
    }
    ordered(`${path}.gates.${r}`, ['close', gate!.close, set.close], ['open', gate!.open, set.open], true, ' for hysteresis', problems);
  }
  const v = config.victim;
  const gv = given.victim ?? {};
  ordered(
    `${path}.victim`,
    ['persistenceK', v.persistenceK, gv.persistenceK],
    ['persistenceN', v.persistenceN, gv.persistenceN],
    false,
    '',
    problems,
  );
  ordered(
    `${path}.victim`,
    ['minBaselinePoints', v.minBaselinePoints, gv.minBaselinePoints],
    ['baselineMinutes', v.baselineMinutes, gv.baselineMinutes],
    false,
    '',
    problems,
  );
  const lc = config.lifecycle;
  const gl = given.lifecycle ?? {};
  ordered(
    `${path}.lifecycle`,
    ['suspectAfter', lc.suspectAfter, gl.suspectAfter],
    ['confirmAfter', lc.confirmAfter, gl.confirmAfter],
    false,
    '',
    problems,
  );
  return config;
}

type Side = [key: string, value: number, given: number | undefined];

/** low < high (strict) or low <= high; blames the low key when it was written, else the high one. */
function ordered(at: string, low: Side, high: Side, strict: boolean, why: string, problems: Problems): void {
  if (strict ? low[1] < high[1] : low[1] <= high[1]) return;
  const quote = ([key, value, given]: Side) => `${key} (${value}${given === undefined ? ', the default' : ''})`;
  if (low[2] !== undefined)
    problems.push(`${at}.${low[0]}: expected a value ${strict ? 'below' : 'at most'} ${quote(high)}${why}, got ${low[1]}`);
  else problems.push(`${at}.${high[0]}: expected a value ${strict ? 'above' : 'at least'} ${quote(low)}${why}, got ${high[1]}`);
}
