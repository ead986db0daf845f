/**
 * A JSON reader that keeps integers exact. `JSON.parse` turns every number into a double, so a
 * PostgreSQL system identifier (uint64, above 2^53) or a WAL-G LSN loses its last digits. Here an
 * integer outside the safe range comes back as a `bigint` (row.ts integerText reads it as exact
 * decimal text); everything else is as JSON.parse gives.
 */
export type ExactJson = null | boolean | number | bigint | string | ExactJson[] | { [key: string]: ExactJson };

export class ExactJsonError extends Error {
  override readonly name = 'ExactJsonError';
}

const MAX_DEPTH = 256;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** Parses one JSON document; throws ExactJsonError with the offset on anything else. */
export function parseExactJson(text: string): ExactJson {
  let at = 0;
  const fail = (what: string): never => {
    throw new ExactJsonError(`${what} at offset ${at}`);
  };
  const space = () => {
    while (at < text.length && ' \t\r\n'.includes(text[at] as string)) at += 1;
  };
  const value = (depth: number): ExactJson => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    space();
    const c = text[at];
    if (c === '{') {
      at += 1;
      const out: { [key: string]: ExactJson } = {};
      space();
      if (text[at] === '}') return ((at += 1), out);
      for (;;) {
        space();
        if (text[at] !== '"') fail('expected a key');
        const key = string();
        space();
        if (text[at] !== ':') fail('expected ":"');
        at += 1;
        // defineProperty: a "__proto__" key is data here, never the prototype.
        Object.defineProperty(out, key, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        space();
        if (text[at] === ',') at += 1;
        else if (text[at] === '}') return ((at += 1), out);
        else fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      at += 1;
      const out: ExactJson[] = [];
      space();
      if (text[at] === ']') return ((at += 1), out);
      for (;;) {
        out.push(value(depth + 1));
        space();
        if (text[at] === ',') at += 1;
        else if (text[at] === ']') return ((at += 1), out);
        else fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, at)) return ((at += word.length), v);
    }
    NUMBER.lastIndex = at;
    const m = NUMBER.exec(text);
    if (!m) return fail('unexpected input');
    at += m[0].length;
    const n = Number(m[0]);
    if (/^-?\d+$/.test(m[0]) && !Number.isSafeInteger(n)) return BigInt(m[0]);
    return n;
  };
  const string = (): string => {
    STRING.lastIndex = at;
    const m = STRING.exec(text);
    if (!m) return fail('bad string');
    at += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const out = value(0);
  space();
  if (at !== text.length) fail('unexpected text after the document');
  return out;
}

export function isObject(v: ExactJson | undefined): v is { [key: string]: ExactJson } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field readers that give undefined for a missing or mistyped field (every source field is optional). */
export const field = {
  str: (o: ExactJson | undefined, key: string): string | undefined =>
    isObject(o) && typeof o[key] === 'string' ? (o[key] as string) : undefined,
  num: (o: ExactJson | undefined, key: string): number | undefined => {
    const v = isObject(o) ? o[key] : undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    return typeof v === 'bigint' ? Number(v) : undefined;
  },
  bool: (o: ExactJson | undefined, key: string): boolean | undefined =>
    isObject(o) && typeof o[key] === 'boolean' ? (o[key] as boolean) : undefined,
  obj: (o: ExactJson | undefined, key: string): { [key: string]: ExactJson } | undefined => {
    const v = isObject(o) ? o[key] : undefined;
    return isObject(v) ? v : undefined;
  },
  arr: (o: ExactJson | undefined, key: string): ExactJson[] => {
    const v = isObject(o) ? o[key] : undefined;
    return Array.isArray(v) ? v : [];
  },
};
