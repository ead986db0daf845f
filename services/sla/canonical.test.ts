import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from './canonical';
import { reportsFor, slaFleet } from '../../test/helpers/sla-fleet';
import { seal, verifySeal } from './signature';

const key = Buffer.from('a test key, never a real one');

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ d: true, c: null }], é: 'x', A: 0.5 })).toBe('{"A":0.5,"a":[{"c":null,"d":true}],"b":1,"é":"x"}');
  });

  it('writes numbers in one fixed form', () => {
    expect(canonicalJson([1, 1.0, -0, 1e21, 1e-7, 99.93055555555556, 100])).toBe('[1,1,0,1e+21,1e-7,99.93055555555556,100]');
  });

  it('refuses what JSON cannot carry exactly', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow('$.a is NaN');
    expect(() => canonicalJson({ a: [1n] })).toThrow('$.a[0] is a bigint');
    expect(() => canonicalJson({ a: Infinity })).toThrow();
  });

  it('is the same for any key order, and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shuffled = JSON.parse(
          JSON.stringify(value, (_k, v) =>
            v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
          ),
        );
        expect(canonicalJson(shuffled)).toBe(canonicalJson(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('gives a report a stable digest', () => {
    const report = reportsFor(slaFleet(), '2026-03', [{ kind: 'probe', tenant: 'a', ts: '2026-03-02T10:00:00Z', ok: false }]).a!;
    const again = JSON.parse(JSON.stringify(report));
    expect(sha256Hex(again)).toBe(sha256Hex(report));
    expect(sha256Hex(report)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the report seal', () => {
  const report = reportsFor(slaFleet(), '2026-03', []).a!;

  it('verifies for the same content and key, whatever the key order', () => {
    const sealed = seal(report, key);
    expect(sealed.algorithm).toBe('hmac-sha256');
    expect(sealed.digest).toBe(sha256Hex(report));
    expect(verifySeal(JSON.parse(JSON.stringify(report)), sealed, key)).toBe(true);
  });

  it('fails on any change of content, digest, signature or key', () => {
    const sealed = seal(report, key);
    expect(verifySeal({ ...report, creditMinor: '1' }, sealed, key)).toBe(false);
    expect(verifySeal({ ...report, minutes: { ...report.minutes, bad: 1 } }, sealed, key)).toBe(false);
    expect(verifySeal(report, { ...sealed, signature: sealed.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, key)).toBe(false);
    expect(verifySeal(report, { ...sealed, digest: sha256Hex({}) }, key)).toBe(false);
    expect(verifySeal(report, sealed, Buffer.from('another key'))).toBe(false);
    expect(verifySeal(report, sealed, Buffer.alloc(0))).toBe(false);
  });
});
