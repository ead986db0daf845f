import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson, sha256Hex } from './canonical';

/** A report's digest and signature, as stored beside a frozen report. */
export interface ReportSeal {
  readonly algorithm: 'hmac-sha256';
  /** SHA-256 of the canonical JSON, hex: identifies the content, needs no key. */
  readonly digest: string;
  /** HMAC-SHA-256 of the canonical JSON with the signing key, hex: proves who froze it. */
  readonly signature: string;
}

/** Signs the canonical JSON of `value` with `key` (TENANTSCOPE_SIGNING_KEY_FILE's bytes). */
export function seal(value: unknown, key: Uint8Array): ReportSeal {
  if (key.length === 0) throw new RangeError('signing key is empty');
  const canonical = canonicalJson(value);
  return {
    algorithm: 'hmac-sha256',
    digest: sha256Hex(value),
    signature: createHmac('sha256', key).update(canonical, 'utf8').digest('hex'),
  };
}

/**
 * Whether `sealed` is the seal of `value` under `key`: the digest and the signature both match.
 * The comparison takes constant time so a forger learns nothing from timing.
 */
export function verifySeal(value: unknown, sealed: ReportSeal, key: Uint8Array): boolean {
  if (sealed.algorithm !== 'hmac-sha256' || key.length === 0) return false;
  const expected = seal(value, key);
  return sameHex(expected.digest, sealed.digest) && sameHex(expected.signature, sealed.signature);
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
