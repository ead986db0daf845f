import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExactJson } from './exact-json';
import { integerText } from './row';

describe('exact JSON', () => {
  it('keeps integers beyond 2^53 exact as bigint and the rest as JSON.parse does', () => {
    expect(
      parseExactJson('{"id":7710864482021131640,"n":12,"f":1.5e3,"neg":-9007199254740993,"s":"a\\u00e9\\n","b":[true,false,null]}'),
    ).toEqual({
      id: 7710864482021131640n,
      n: 12,
      f: 1500,
      neg: -9007199254740993n,
      s: 'aé\n',
      b: [true, false, null],
    });
    expect(integerText(parseExactJson('18446744073709551615'))).toBe('18446744073709551615');
  });

  it('keeps "__proto__" as a plain key', () => {
    const v = parseExactJson('{"__proto__":{"x":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
  });

  it.each(['', '{', '[1,]', '{"a" 1}', '01', '"\u0001"', 'nul', '[1] x', '['.repeat(300) + ']'.repeat(300)])('refuses %j', (text) => {
    expect(() => parseExactJson(text)).toThrow();
  });

  it('agrees with JSON.parse on every JSON document, up to the exactness of big integers', () => {
    const asDoubles = (v: unknown): unknown =>
      typeof v === 'bigint'
        ? Number(v)
        : Array.isArray(v)
          ? v.map(asDoubles)
          : v && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asDoubles(x)]))
            : v;
    fc.assert(
      fc.property(fc.json({ maxDepth: 4, noUnicodeString: false }), (text) => {
        expect(asDoubles(parseExactJson(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 200 },
    );
  });

  it('throws only its own error on any text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseExactJson(text);
        } catch (err) {
          expect((err as Error).name).toBe('ExactJsonError');
        }
      }),
      { numRuns: 500 },
    );
  });
});
