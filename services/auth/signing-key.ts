import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors';

/**
 * The report signing key from TENANTSCOPE_SIGNING_KEY_FILE: its bytes, trailing newline removed
 * (`openssl rand -hex 32 > key` writes one). No file configured: null, and reports say unsigned.
 */
export function loadSigningKey(file: string | undefined): Buffer | null {
  if (file === undefined) return null;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ConfigError([
      `environment TENANTSCOPE_SIGNING_KEY_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  if (end === 0) throw new ConfigError([`environment TENANTSCOPE_SIGNING_KEY_FILE: ${file} is empty`]);
  return bytes.subarray(0, end);
}
