import { parseOdooLogLine, type OdooLogRecord } from '../../collectors/odoo-log-parser';

/**
 * What `tenantscope parse <kind> <file>` can read: each kind turns a source's text into the
 * records its collector would make (JSON-ready: times as ISO 8601 UTC) and counts what it
 * rejected. Adding a kind is one entry here.
 */
export interface ParseOptions {
  /** IANA zone of timestamps written without one (Odoo logs). */
  zone: string;
}

export interface ParseResult {
  records: unknown[];
  rejected: number;
}

export interface ParseKind {
  kind: string;
  description: string;
  parse(text: string, options: ParseOptions): ParseResult;
}

const iso = (ms: number) => new Date(ms).toISOString();

function odooLog(text: string, { zone }: ParseOptions): ParseResult {
  const records: (OdooLogRecord & { ts: number })[] = [];
  let rejected = 0;
  for (const line of text.split('\n')) {
    const parsed = parseOdooLogLine(line, zone);
    if (!parsed) continue;
    const last = records[records.length - 1];
    if (parsed.kind === 'record') records.push(parsed.record);
    else if (last?.type === 'log') last.message += `\n${parsed.text}`;
    else if (!last) rejected += 1;
  }
  return { records: records.map((r) => ({ ...r, ts: iso(r.ts) })), rejected };
}

export const PARSE_KINDS: readonly ParseKind[] = [
  { kind: 'odoo-log', description: 'Odoo server log (werkzeug requests, workers, cron, other lines)', parse: odooLog },
];
