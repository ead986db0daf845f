/**
 * One decoder for values read from a database row (node-postgres hands int8 and numeric as text,
 * other drivers arrays as `{1,2}` text). Each function tells SQL NULL (null) from a value of the
 * wrong kind (undefined), so a caller can reject a row instead of inventing a value; none throws.
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

/** null for SQL NULL, the number for a number or numeric string, undefined for anything else. */
export function optionalNumber(value: unknown): number | null | undefined {
  return value === null || value === undefined ? null : number(value);
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
