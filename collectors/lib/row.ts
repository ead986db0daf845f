/**
 * One decoder for values read from a database row or a parsed document (node-postgres hands
 * numeric, and int8 in text-mode queries, as text; other drivers arrays as `{1,2}` text; the exact
 * JSON reader integers past 2^53 as bigint). Each function tells SQL NULL (null) from a value of
 * the wrong kind (undefined), so a caller can reject a row instead of inventing a value; none
 * throws. numberOrNull is for callers that treat both alike.
 */

/** A finite number from a number or a numeric string; undefined otherwise (NULL included). */
export function number(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * A safe integer from a number or an integer's text (int8 as text); undefined otherwise, also for
 * an integer past 2^53, which a number would round: read those with integerText.
 */
export function integer(value: unknown): number | undefined {
  const n = number(value);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/** An integer as exact decimal text (a bigint, an integral number or a digit string), e.g. an int8 or uint64 past 2^53; else undefined. */
export function integerText(value: unknown): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
  return undefined;
}

/** null for SQL NULL, the number for a number or numeric string, undefined for anything else. */
export function optionalNumber(value: unknown): number | null | undefined {
  return value === null || value === undefined ? null : number(value);
}

/** The number for a number or numeric string; null for SQL NULL and for anything else alike. */
export function numberOrNull(value: unknown): number | null {
  return number(value) ?? null;
}

/** null for SQL NULL, the string for a string, undefined for anything else. */
export function optionalText(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : undefined;
}

/** A boolean from a boolean or PostgreSQL's text forms (`t`, `f`, `true`, `false`); undefined otherwise. */
export function boolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 't' || value === 'true') return true;
  if (value === 'f' || value === 'false') return false;
  return undefined;
}

/**
 * An integer array: a JavaScript array (node-postgres) or PostgreSQL's text form `{1,-2,3}`, every
 * element a safe integer. null for SQL NULL; undefined for anything else, or any element that is not.
 */
export function integerArray(value: unknown): number[] | null | undefined {
  if (value === null || value === undefined) return null;
  const items = Array.isArray(value)
    ? value
    : typeof value === 'string' && /^\{[-\d,\s]*\}$/.test(value)
      ? value
          .slice(1, -1)
          .split(',')
          .filter((s) => s.trim() !== '')
      : undefined;
  if (!items) return undefined;
  const out = items.map(integer);
  return out.every((n): n is number => n !== undefined) ? out : undefined;
}
