/**
 * Per tenant and UTC minute, what the Odoo log and the probes showed. Only fields a source
 * reported are set; an absent field is written as NULL, never as 0.
 */

/** Upper bounds (seconds) of the request wall-time histogram; one more bucket holds +Inf. */
export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export type CodeClass = '2xx' | '3xx' | '4xx' | '5xx' | 'other';
export const CODE_CLASSES: readonly CodeClass[] = ['2xx', '3xx', '4xx', '5xx', 'other'];

export interface OdooMinute {
  requests: Record<CodeClass, number>;
  held: number;
  queries: number;
  sqlSeconds: number;
  pythonSeconds: number;
  durationCounts: number[];
  durationSum: number;
}

export interface ProbeMinute {
  ok: number;
  failed: number;
  secondsSum: number;
}

export interface MinuteRow {
  tenantId: string;
  minute: number;
  odoo?: OdooMinute;
  probe?: ProbeMinute;
}

export function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

const BY_HUNDREDS: readonly CodeClass[] = ['other', 'other', '2xx', '3xx', '4xx', '5xx'];

export function codeClass(status: number): CodeClass {
  return status >= 200 && status < 600 ? BY_HUNDREDS[Math.floor(status / 100)]! : 'other';
}

/** Long-polling and websocket requests hold a worker while idle: counted, kept out of latency. */
export function isHeldRequest(path: string): boolean {
  return path.startsWith('/longpolling/') || path === '/websocket' || path.startsWith('/websocket?');
}

export function bucketIndex(seconds: number): number {
  for (let i = 0; i < DURATION_BUCKETS.length; i++) if (seconds <= DURATION_BUCKETS[i]!) return i;
  return DURATION_BUCKETS.length;
}

/** Collects rows keyed by tenant and minute. */
export class MinuteRollup {
  private readonly rows = new Map<string, MinuteRow>();
  /** Each tenant's row looked up last: a log's next line for a tenant is mostly in the same minute. */
  private readonly latest = new Map<string, MinuteRow>();

  row(tenantId: string, ts: number): MinuteRow {
    const minute = minuteOf(ts);
    const latest = this.latest.get(tenantId);
    if (latest?.minute === minute) return latest;
    const key = `${tenantId}\u0000${minute}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { tenantId, minute };
      this.rows.set(key, row);
    }
    this.latest.set(tenantId, row);
    return row;
  }

  odoo(tenantId: string, ts: number): OdooMinute {
    const row = this.row(tenantId, ts);
    row.odoo ??= {
      requests: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 },
      held: 0,
      queries: 0,
      sqlSeconds: 0,
      pythonSeconds: 0,
      durationCounts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0),
      durationSum: 0,
    };
    return row.odoo;
  }

  probe(tenantId: string, ts: number): ProbeMinute {
    const row = this.row(tenantId, ts);
    row.probe ??= { ok: 0, failed: 0, secondsSum: 0 };
    return row.probe;
  }

  all(): MinuteRow[] {
    return [...this.rows.values()];
  }
}
