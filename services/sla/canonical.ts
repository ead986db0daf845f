import { createHash } from 'node:crypto';

/**
 * Canonical JSON: the one byte sequence a value has, so a digest or signature over a report
 * means the same thing wherever it is recomputed. It follows RFC 8785 (JCS): object keys sorted
 * by UTF-16 code units, no whitespace, strings escaped as JSON.stringify does, numbers in their
 * ECMAScript shortest round-trip form (1, 0.5, 99.93055555555556, 1e+21). Keys whose value is
 * undefined are left out, as JSON.stringify does. What JSON cannot carry exactly is refused:
 * NaN, Infinity and bigint (encode a bigint as a string of digits first), functions, symbols.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${path} is ${value}, which JSON cannot carry`);
      // -0 and 0 are one number in JSON; String(-0) is already "0".
      return String(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => (v === undefined ? 'null' : write(v, `${path}[${i}]`))).join(',')}]`;
      const keys = Object.keys(value).sort();
      const parts: string[] = [];
      for (const key of keys) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${write(v, `${path}.${key}`)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: ${path} is a ${typeof value}, which JSON cannot carry exactly`);
  }
}

/** SHA-256 of the canonical JSON's UTF-8 bytes, lower-case hex. */
export function sha256Hex(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
