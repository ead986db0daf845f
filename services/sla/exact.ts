/**
 * Exact arithmetic for SLA figures. A contract says "99.9 %", and the fleet file gives us the
 * double nearest to 99.9; its shortest decimal text is what the contract wrote, so every
 * comparison works on that decimal as an integer fraction and never on floats.
 */

/** A non-negative decimal as `units / 10^scale`. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/** The decimal a fleet-file number was written as (ES shortest round-trip text, exponent included). */
export function decimalOf(value: number): Decimal {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`expected a finite non-negative number, got ${value}`);
  const [mantissa, exponentText] = String(value).toLowerCase().split('e');
  const [whole, fraction = ''] = (mantissa as string).split('.');
  let scale = fraction.length - Number(exponentText ?? 0);
  let units = BigInt(`${whole}${fraction}`);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/** good / measured ≥ percent / 100, exactly. `measured` must be > 0. */
export function ratioAtLeastPercent(good: number, measured: number, percent: number): boolean {
  const p = decimalOf(percent);
  return BigInt(good) * 100n * 10n ** BigInt(p.scale) >= p.units * BigInt(measured);
}

/** A ratio prepared for the per-minute test; see `ratioAbove`. */
export interface PreparedRatio {
  readonly decimal: Decimal;
  readonly num: number;
  readonly den: number;
}

export function prepareRatio(ratio: number): PreparedRatio {
  const decimal = decimalOf(ratio);
  return { decimal, num: Number(decimal.units), den: 10 ** decimal.scale };
}

/** errors / total > ratio, exactly (the downtime rule's "> errorRatio"). */
export function ratioAbove(errors: number, total: number, ratio: PreparedRatio): boolean {
  // The products stay far below 2^53 for per-minute request counts, so Numbers are exact here;
  // BigInt only when a count is absurdly large.
  const left = errors * ratio.den;
  const right = ratio.num * total;
  if (left <= Number.MAX_SAFE_INTEGER && right <= Number.MAX_SAFE_INTEGER) return left > right;
  return BigInt(errors) * 10n ** BigInt(ratio.decimal.scale) > ratio.decimal.units * BigInt(total);
}

/**
 * `amountMinor × percent / 100`, rounded half away from zero, in integer minor units.
 * 10 % of 99999 (999.99 EUR) is 9999.9 → 10000.
 */
export function percentOfMinor(amountMinor: bigint, percent: number): bigint {
  const p = decimalOf(percent);
  const numerator = amountMinor * p.units;
  const denominator = 100n * 10n ** BigInt(p.scale);
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (magnitude * 2n + denominator) / (denominator * 2n);
  return negative ? -rounded : rounded;
}

/** good / measured × 100 truncated to `digits` decimals, as text: 99.9999 % shows as "99.99". */
export function truncatedPercent(good: number, measured: number, digits = 2): string {
  const scaled = (BigInt(good) * 100n * 10n ** BigInt(digits)) / BigInt(measured);
  if (digits === 0) return scaled.toString();
  const text = scaled.toString().padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
