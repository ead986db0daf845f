import { appendFileSync, writeFileSync } from 'node:fs';
import type { RequestEvent } from './model';
import type { TenantModel } from './profiles';
import { isoSeconds } from './time-format';

/**
 * The SLA evidence a batch run exports (docs/sla.md): one probe line per tenant per probe interval,
 * and per tenant and UTC minute what the ingress saw. Server errors are 5xx (which includes the
 * 502 of a watchdog kill); an aborted request (code 0) would not count, and the model makes none.
 */
export class EvidenceWriter {
  private readonly minuteCounts = new Map<number, { total: number; serverErrors: number }>();
  private lines: string[] = [];
  probes = 0;

  constructor(
    readonly file: string,
    private readonly tenants: readonly TenantModel[],
  ) {
    writeFileSync(file, '');
  }

  probe(tenant: string, ms: number, ok: boolean): void {
    this.push({ kind: 'probe', tenant, ts: isoSeconds(ms), ok });
    this.probes++;
  }

  request(ev: RequestEvent): void {
    const counts = this.minuteCounts.get(ev.tenant.index) ?? { total: 0, serverErrors: 0 };
    counts.total++;
    if (ev.ingress.code >= 500) counts.serverErrors++;
    this.minuteCounts.set(ev.tenant.index, counts);
  }

  /** Emits every tenant's counts for the minute starting at `minuteMs` (zeros included: a quiet minute is evidence too). */
  closeMinute(minuteMs: number): void {
    for (const t of this.tenants) {
      const counts = this.minuteCounts.get(t.index) ?? { total: 0, serverErrors: 0 };
      this.push({
        kind: 'requests',
        tenant: t.tenant.id,
        minute: isoSeconds(minuteMs),
        total: counts.total,
        serverErrors: counts.serverErrors,
      });
    }
    this.minuteCounts.clear();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    appendFileSync(this.file, this.lines.join(''));
    this.lines = [];
  }

  private push(value: object): void {
    this.lines.push(`${JSON.stringify(value)}\n`);
    if (this.lines.length >= 10_000) this.flush();
  }
}
