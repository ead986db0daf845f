import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The peer of the Odoo log benchmark (issue #15): what someone would write in an afternoon.
 * readline over the file, one regex for the werkzeug request line, per-database sums of requests,
 * queries and SQL and Python seconds. No time zones, no other line kinds, no tracebacks, no
 * database: it only shows how fast a plain Node reader goes through the same bytes.
 */
const REQUEST = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ \w+ (\S+) werkzeug: .*" (\d{3}) \S+ (\d+) ([\d.]+) ([\d.]+)/;

export interface NaiveSums {
  lines: number;
  requests: number;
  byDb: Map<string, { requests: number; errors: number; queries: number; sqlSeconds: number; otherSeconds: number }>;
}

export async function naiveReadOdooLog(file: string): Promise<NaiveSums> {
  const sums: NaiveSums = { lines: 0, requests: 0, byDb: new Map() };
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    sums.lines += 1;
    const m = REQUEST.exec(line);
    if (!m) continue;
    sums.requests += 1;
    let db = sums.byDb.get(m[1]!);
    if (!db) {
      db = { requests: 0, errors: 0, queries: 0, sqlSeconds: 0, otherSeconds: 0 };
      sums.byDb.set(m[1]!, db);
    }
    db.requests += 1;
    if (m[2]!.startsWith('5')) db.errors += 1;
    db.queries += Number(m[3]);
    db.sqlSeconds += Number(m[4]);
    db.otherSeconds += Number(m[5]);
  }
  return sums;
}

// `tsx bench/naive-odoo-reader.ts <file>`: the same read as a process of its own (the `parse` row's peer).
if (require.main === module) {
  naiveReadOdooLog(process.argv[2]!).then(
    (sums) => process.stdout.write(`${JSON.stringify({ lines: sums.lines, requests: sums.requests, databases: sums.byDb.size })}\n`),
    (err: Error) => {
      process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    },
  );
}
