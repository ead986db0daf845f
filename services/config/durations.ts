const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses a duration such as `90s`, `15m`, `1h`, `1h30m` or `3d` into whole seconds.
 * Returns undefined when the text is not a duration, so the caller can name the key.
 */
export function parseDurationSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+[smhd])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const part of trimmed.matchAll(/(\d+)([smhd])/g)) {
    total += Number(part[1]) * (UNIT_SECONDS[part[2] as string] as number);
  }
  return total > 0 ? total : undefined;
}
