import { appendFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import type { Queryable } from '../../services/storage/db';

/**
 * The ground truth of a fault case: Odoo log lines written in the real format (werkzeug request
 * lines, now and then an error with its traceback), each counted per tenant and UTC minute as it
 * is written. What tenantscope stored is then compared with it: lines lost, lines counted twice.
 */
export class OdooLogTruth {
  private readonly counts = new Map<string, number>();
  written = 0;

  /** `day` a date in the range a running tenantscope accepts (yesterday is safe), in `zone`: the log's time zone. */
  constructor(
    private readonly day: string,
    private readonly databases: readonly string[],
    private readonly zone: string,
  ) {}

  /** Appends `count` request lines to `file`. */
  write(file: string, count: number): void {
    let text = '';
    for (let i = 0; i < count; i++, this.written++) {
      const n = this.written;
      const minute = `10:${String(Math.floor(n / 400) % 60).padStart(2, '0')}`;
      const db = this.databases[n % this.databases.length]!;
      const pid = 4000 + (n % 4);
      if (n % 97 === 0)
        text += `${this.day} ${minute}:30,000 ${pid} ERROR ${db} odoo.http: boom \nTraceback (most recent call last):\nKeyError: 1\n`;
      text += `${this.day} ${minute}:${String(n % 60).padStart(2, '0')},${String(n % 1000).padStart(3, '0')} ${pid} INFO ${db} werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:00] "POST /web/dataset/call_kw HTTP/1.1" 200 - 3 0.010 0.020\n`;
      const utc = DateTime.fromISO(`${this.day}T${minute}`, { zone: this.zone }).toUTC().toFormat("yyyy-MM-dd'T'HH:mm");
      const key = `${db}|${utc}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
    appendFileSync(file, text);
  }

  /**
   * Stored against written, per database and minute: `lost` sums what is missing, `doubled` what
   * is counted more than once, over every minute (so a loss in one minute cannot hide behind a
   * double in another).
   */
  async compare(
    db: Queryable,
    tenantOfDatabase: (db: string) => string,
  ): Promise<{ truth: number; stored: number; lost: number; doubled: number }> {
    const { rows } = await db.query<{ tenant_id: string; minute: string; n: string }>(
      `SELECT tenant_id, to_char(minute AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS minute, sum(odoo_requests_2xx) AS n FROM tenant_minute GROUP BY 1, 2`,
    );
    const stored = new Map(rows.map((r) => [`${r.tenant_id}|${r.minute}`, Number(r.n)]));
    let lost = 0;
    let doubled = 0;
    const seen = new Set<string>();
    for (const [key, expected] of this.counts) {
      const [database, minute] = key.split('|') as [string, string];
      const id = `${tenantOfDatabase(database)}|${minute}`;
      seen.add(id);
      const got = stored.get(id) ?? 0;
      if (got < expected) lost += expected - got;
      if (got > expected) doubled += got - expected;
    }
    for (const [id, got] of stored) if (!seen.has(id)) doubled += got;
    return { truth: this.written, stored: [...stored.values()].reduce((a, b) => a + b, 0), lost, doubled };
  }
}
