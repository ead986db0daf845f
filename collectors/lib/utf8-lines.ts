import { isUtf8 } from 'node:buffer';

/**
 * The lines of `bytes` (newline-separated), and which of them are not UTF-8: decoded, those
 * would carry U+FFFD where the source wrote something else, so readers reject them (counted as
 * invalid_utf8) instead of storing them. Every line is returned, so line numbers stay right.
 */
export function utf8Lines(bytes: Buffer): { lines: string[]; invalidUtf8: number[] } {
  if (isUtf8(bytes)) return { lines: bytes.toString('utf8').split('\n'), invalidUtf8: [] };
  const lines: string[] = [];
  const invalidUtf8: number[] = [];
  for (let start = 0; start <= bytes.length;) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    const line = bytes.subarray(start, end);
    if (!isUtf8(line)) invalidUtf8.push(lines.length);
    lines.push(line.toString('utf8'));
    start = end + 1;
  }
  return { lines, invalidUtf8 };
}

/** `lines` without the ones at `skip` (sorted indices). */
export function withoutLines(lines: readonly string[], skip: readonly number[]): string[] {
  if (skip.length === 0) return [...lines];
  const drop = new Set(skip);
  return lines.filter((_, i) => !drop.has(i));
}
