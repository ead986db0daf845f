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
  private readonly startMs: number;
  written = 0;

  /**
   * Lines start at 10:00 of `day`, a date in the range a running tenantscope accepts (yesterday is
   * safe), in `zone`, the log's time zone; or at the instant `start` when given. 400 lines a minute.
   */
  constructor(
    day: string,
    private readonly databases: readonly string[],
    private readonly zone: string,
    start?: number,
  ) {
    this.startMs = start ?? DateTime.fromISO(`${day}T10:00`, { zone }).toMillis();
  }

  /** Lines from 10:00 yesterday in the test fleet's zone (Europe/Berlin), for t1..t3's databases. */
  static yesterday(): OdooLogTruth {
    return new OdooLogTruth(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), ['db_t1', 'db_t2', 'db_t3'], 'Europe/Berlin');
  }

  /** Appends `count` request lines to `file`. */
  write(file: string, count: number): void {
    let text = '';
    for (let i = 0; i < count; i++, this.written++) {
      const n = this.written;
      const minute = DateTime.fromMillis(this.startMs + (Math.floor(n / 400) % 60) * 60_000, { zone: this.zone });
      const local = minute.toFormat('yyyy-MM-dd HH:mm');
      const db = this.databases[n % this.databases.length]!;
      const pid = 4000 + (n % 4);
      if (n % 97 === 0) text += `${local}:30,000 ${pid} ERROR ${db} odoo.http: boom \nTraceback (most recent call last):\nKeyError: 1\n`;
      const second = `${String(n % 60).padStart(2, '0')},${String(n % 1000).padStart(3, '0')}`;
      text += `${local}:${second} ${pid} INFO ${db} werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:00] "POST /web/dataset/call_kw HTTP/1.1" 200 - 3 0.010 0.020\n`;
      const key = `${db}|${minute.toUTC().toFormat("yyyy-MM-dd'T'HH:mm")}`;
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

/** Request lines tenantscope stored so far, all tenants (their running totals). */
export async function storedRequests(db: Queryable): Promise<number> {
  return Number((await db.query<{ n: string }>('SELECT coalesce(sum(odoo_requests_2xx), 0) AS n FROM tenant_total')).rows[0]!.n);
}
