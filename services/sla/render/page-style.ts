/** Inline CSS of the report page; print styles keep it on A4 with tables unbroken where possible. */
export const PAGE_CSS = `
:root { --ok: #2f855a; --bad: #c53030; --muted: #718096; --line: #e2e8f0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a202c; max-width: 900px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
header p { margin: 2px 0; color: #4a5568; }
.headline { display: flex; align-items: baseline; gap: 16px; }
.availability { font-size: 34px; font-weight: 700; }
.verdict { font-weight: 700; padding: 1px 8px; border-radius: 3px; color: #fff; }
.verdict.met { background: var(--ok); } .verdict.missed { background: var(--bad); } .verdict.none { background: var(--muted); }
.warning { border-left: 4px solid #d69e2e; background: #fffaf0; padding: 6px 10px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
table.figures th { width: 150px; color: #4a5568; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.hash { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
.unsigned { color: var(--bad); }
.scope, .note { color: var(--muted); font-size: 12px; }
svg.daily { display: block; margin: 8px 0; }
svg.daily .bar.met { fill: var(--ok); } svg.daily .bar.missed { fill: var(--bad); }
svg.daily .bar.empty { fill: url(#hatch); opacity: 0.35; }
svg.daily .excluded { fill: #a0aec0; } svg.daily .nodata { fill: url(#hatch); }
svg.daily .grid { stroke: var(--line); } svg.daily .target { stroke: #2b6cb0; stroke-width: 1.5; stroke-dasharray: 5 3; }
svg.daily .tick { font-size: 10px; fill: var(--muted); } svg.daily .target-label { font-size: 10px; fill: #2b6cb0; }
.legend .key { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; vertical-align: middle; }
.key.met { background: var(--ok); } .key.missed { background: var(--bad); } .key.excluded { background: #a0aec0; } .key.nodata { background: #b7791f; } .key.empty { background: repeating-linear-gradient(45deg, #b7791f 0 2px, transparent 2px 4px); opacity: 0.35; }
@media print {
  @page { size: A4; margin: 14mm; }
  body { margin: 0; max-width: none; font-size: 11px; }
  section { break-inside: avoid; }
  tr { break-inside: avoid; }
  .verdict, .key, svg.daily rect { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
