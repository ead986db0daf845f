import type { DailySeries } from './daily';
import { escapeHtml } from './escape';

const WIDTH = 720;
const PLOT_TOP = 10;
const PLOT_HEIGHT = 160;
const STRIP_HEIGHT = 10;
const LEFT = 44;

/**
 * The daily availability chart as inline SVG: one `rect.bar` per local day, a dashed target
 * line, and below the axis a strip per day showing the excluded share (grey) and, when the report
 * carries it, the share without data (hatched). The y axis starts low enough to show the worst
 * day and the target, because 99.5 % and 100 % are indistinguishable on a 0–100 scale.
 */
export function dailyChart(series: DailySeries, targetPercent: number): string {
  const days = series.days;
  const values = days.flatMap((d) => (d.availabilityPercent === null ? [] : [d.availabilityPercent]));
  const floor = axisFloor(Math.min(targetPercent, ...values));
  const y = (percent: number) => PLOT_TOP + ((100 - percent) / (100 - floor)) * PLOT_HEIGHT;
  const slot = (WIDTH - LEFT - 4) / Math.max(1, days.length);
  const barWidth = Math.max(2, slot * 0.75);
  const stripTop = PLOT_TOP + PLOT_HEIGHT + 6;
  const parts: string[] = [];
  for (const tick of [floor, (floor + 100) / 2, 100]) {
    parts.push(`<line class="grid" x1="${LEFT}" x2="${WIDTH}" y1="${fmt(y(tick))}" y2="${fmt(y(tick))}"/>`);
    parts.push(`<text class="tick" x="${LEFT - 4}" y="${fmt(y(tick) + 3)}" text-anchor="end">${escapeHtml(trim(tick))}%</text>`);
  }
  days.forEach((d, i) => {
    const x = LEFT + i * slot + (slot - barWidth) / 2;
    const label = `${d.date}: ${d.availabilityPercent === null ? 'no counted minute' : `${trim(d.availabilityPercent, 3)} %`}, ${d.bad} bad, ${d.excluded} excluded${d.nodata === null ? '' : `, ${d.nodata} without data`} of ${d.total} minutes`;
    if (d.availabilityPercent === null) {
      parts.push(
        `<rect class="bar empty" data-day="${escapeHtml(d.date)}" x="${fmt(x)}" y="${PLOT_TOP}" width="${fmt(barWidth)}" height="${PLOT_HEIGHT}"><title>${escapeHtml(label)}</title></rect>`,
      );
    } else {
      const top = y(Math.max(floor, d.availabilityPercent));
      const cls = d.availabilityPercent >= targetPercent ? 'met' : 'missed';
      parts.push(
        `<rect class="bar ${cls}" data-day="${escapeHtml(d.date)}" x="${fmt(x)}" y="${fmt(top)}" width="${fmt(barWidth)}" height="${fmt(Math.max(1, PLOT_TOP + PLOT_HEIGHT - top))}"><title>${escapeHtml(label)}</title></rect>`,
      );
    }
    const excludedWidth = d.total === 0 ? 0 : (d.excluded / d.total) * barWidth;
    if (excludedWidth > 0)
      parts.push(
        `<rect class="excluded" x="${fmt(x)}" y="${stripTop}" width="${fmt(Math.max(1, excludedWidth))}" height="${STRIP_HEIGHT}"/>`,
      );
    if (d.nodata)
      parts.push(
        `<rect class="nodata" x="${fmt(x + excludedWidth)}" y="${stripTop}" width="${fmt(Math.max(1, (d.nodata / d.total) * barWidth))}" height="${STRIP_HEIGHT}"/>`,
      );
    if (i % 5 === 0 || i === days.length - 1) {
      parts.push(
        `<text class="tick" x="${fmt(x + barWidth / 2)}" y="${stripTop + STRIP_HEIGHT + 12}" text-anchor="middle">${escapeHtml(d.date.slice(8))}</text>`,
      );
    }
  });
  const targetY = fmt(y(targetPercent));
  parts.push(`<line class="target" x1="${LEFT}" x2="${WIDTH}" y1="${targetY}" y2="${targetY}"/>`);
  parts.push(
    `<text class="target-label" x="${WIDTH}" y="${fmt(y(targetPercent) - 3)}" text-anchor="end">target ${escapeHtml(trim(targetPercent))}%</text>`,
  );
  const height = stripTop + STRIP_HEIGHT + 18;
  return [
    `<svg class="daily" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="Daily availability, one bar per day">`,
    '<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2" height="4" fill="#b7791f"/></pattern></defs>',
    ...parts,
    '</svg>',
  ].join('\n');
}

/** 90 when every value is at least 90, else the next multiple of 10 below the lowest. */
function axisFloor(lowest: number): number {
  return lowest >= 90 ? 90 : Math.max(0, Math.floor(lowest / 10) * 10);
}

function trim(value: number, digits = 2): string {
  const factor = 10 ** digits;
  return String(Math.trunc(value * factor) / factor);
}

function fmt(value: number): string {
  return value.toFixed(1);
}
