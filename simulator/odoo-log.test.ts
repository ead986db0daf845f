import { mkdtempSync, readFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRON_JOBS, pyRepr } from './odoo-catalog';
import { TrafficModel, type RequestEvent } from './model';
import { OdooLogWriter, formatOdooRecord } from './odoo-log-writer';
import { LIMIT_REQUEST, OdooProcesses } from './odoo-workers';
import { planScenario } from './scenarios';
import { testFleet } from '../test/helpers/test-fleet';

/** The header regex of docs/parse-records.md */
const HEADER =
  /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\d+) (DEBUG|INFO|WARNING|ERROR|CRITICAL)(?: uid:\S+)? (\S+)(?: rid:\S+)? ([\w.-]+): (.*)$/;
const PERF = / (\d+) (\d+\.\d{3}) (\d+\.\d{3})$/;
const WERKZEUG = /^\S+ - - \[\d\d\/\w{3}\/\d{4} \d\d:\d\d:\d\d\] "(GET|POST) \S+ HTTP\/1\.1" \d{3} - \d+ \d+\.\d{3} \d+\.\d{3}$/;

const dir = mkdtempSync(join(tmpdir(), 'tssim-log-'));
const fleet = testFleet(dir);
const FROM = Date.UTC(2026, 2, 1); // 2026-03-01T00:00Z, 01:00 in Berlin
const model = new TrafficModel(fleet, planScenario(fleet, { scenario: 'normal' }, FROM));
const c1 = model.clusters.get('c1')!;
const alpha = model.tenant('alpha')!;

function request(overrides: Partial<RequestEvent> = {}): RequestEvent {
  return {
    kind: 'request',
    ms: FROM + 15_042,
    tenant: alpha,
    method: 'GET',
    path: '/web/login',
    protocol: 'http',
    addr: '203.0.113.7',
    odoo: { status: 200, queryCount: 12, sqlSeconds: 0.015, otherSeconds: 0.043, traceback: undefined, killed: false, gevent: false },
    ingress: { code: 200, seconds: 0.06, requestBytes: 0, responseBytes: 4000 },
    workerPick: 0,
    memoryPick: 0.5,
    ...overrides,
  };
}

function lines(records: ReturnType<OdooProcesses['request']>): string[] {
  return records.flatMap((r) => formatOdooRecord(r, 'Europe/Berlin').split('\n')).filter((l) => l !== '');
}

describe('Odoo log lines', () => {
  it('writes a werkzeug request line with the perf triple, in server local time', () => {
    const [line] = lines(new OdooProcesses(c1, 1).request(request()));
    expect(line).toMatch(HEADER);
    const [, ts, pid, level, db, logger, message] = HEADER.exec(line!)!;
    expect([ts, level, db, logger]).toEqual(['2026-03-01 01:00:15,042', 'INFO', 'tssim_alpha', 'werkzeug']);
    expect(Number(pid)).toBeGreaterThan(1);
    expect(message).toMatch(WERKZEUG);
    expect(message).toContain('[01/Mar/2026 01:00:15] "GET /web/login HTTP/1.1" 200 - 12 0.015 0.043');
  });

  it('ends every non-werkzeug line with one space and continues tracebacks on lines that match no header', () => {
    const out = lines(
      new OdooProcesses(c1, 1).request(
        request({
          odoo: {
            status: 500,
            queryCount: 0,
            sqlSeconds: 0,
            otherSeconds: 0.01,
            traceback: 'db-unavailable',
            killed: false,
            gevent: false,
          },
        }),
      ),
    );
    expect(out[0]).toMatch(/ ERROR tssim_alpha odoo\.http: Exception during request handling\. $/);
    expect(out[1]).toBe('Traceback (most recent call last):');
    const continuation = out.slice(1, -1);
    expect(continuation.length).toBeGreaterThan(5);
    for (const l of continuation) expect(l).not.toMatch(HEADER);
    expect(out.at(-2)).toMatch(/^psycopg2\.OperationalError: .*database "tssim_alpha"/);
    expect(out.at(-1)).toMatch(PERF);
    expect(out.at(-1)).toContain('" 500 - 0 0.000 0.010');
  });

  it('plays the prefork lifecycle: recycling at limit_request, the soft memory limit, watchdog kills by the master', () => {
    const processes = new OdooProcesses(c1, 1);
    const boot = lines(processes.boot(FROM));
    expect(boot).toContain(`2026-03-01 01:00:00,180 1 INFO ? odoo.service.server: HTTP service (werkzeug) running on 0.0.0.0:8069 `);
    const firstPid = processes.httpPids()[0]!;
    expect(boot.some((l) => l.endsWith(`INFO ? odoo.service.server: Worker WorkerHTTP (${firstPid}) alive `))).toBe(true);

    let out: string[] = [];
    for (let i = 0; i < LIMIT_REQUEST; i++) out = lines(processes.request(request()));
    expect(out.slice(1).map((l) => HEADER.exec(l)![6])).toEqual([
      `Worker (${firstPid}) max request (8192) reached. `,
      `Worker (${firstPid}) exiting. request_count: 8192, registry count: 3. `,
      `Worker WorkerHTTP (${processes.httpPids()[0]}) alive `,
    ]);
    expect(processes.httpPids()[0]).toBeGreaterThan(firstPid);

    const memory = lines(processes.request(request({ memoryPick: 0 })));
    expect(memory[1]).toMatch(/INFO \? odoo\.service\.server: Worker \(\d+\) virtual memory limit \(\d+\) reached\. $/);

    const pid = processes.httpPids()[0];
    const killed = lines(
      processes.request(
        request({ odoo: { status: 0, queryCount: 1, sqlSeconds: 1, otherSeconds: 1, traceback: undefined, killed: true, gevent: false } }),
      ),
    );
    expect(killed[0]).toMatch(new RegExp(` 1 ERROR \\? odoo\\.service\\.server: WorkerHTTP \\(${pid}\\) timeout after 120s $`));
    expect(killed.some((l) => l.includes('werkzeug'))).toBe(false);
  });

  it('writes cron lines in the Odoo 17 form', () => {
    const processes = new OdooProcesses(c1, 1);
    const job = CRON_JOBS[0]!;
    const at = (phase: 'start' | 'done' | 'failed') =>
      formatOdooRecord(processes.cronRecord({ kind: 'cron', ms: FROM, tenant: alpha, job, phase, seconds: 0.1234, workerPick: 0 }), 'UTC');
    expect(at('start')).toMatch(
      / INFO tssim_alpha odoo\.addons\.base\.models\.ir_cron: Job 'Mail: Email Queue Manager' \(3\) starting \n$/,
    );
    expect(at('done')).toMatch(/: Job 'Mail: Email Queue Manager' \(3\) done in 0\.123s \n$/);
    expect(at('failed').split('\n')[0]).toMatch(
      / ERROR tssim_alpha odoo\.addons\.base\.models\.ir_cron: Job 'Mail: Email Queue Manager' \(3\) server action #54 failed $/,
    );
    expect(pyRepr("Partner's digest")).toBe(`"Partner's digest"`);
  });
});

describe('OdooLogWriter rotation', () => {
  it('renames the file to .1 (shifting .1 to .2, keeping three) when the next record would pass the size', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tssim-rot-')), 'deep', 'odoo.log');
    const writer = new OdooLogWriter(file, 1_000);
    writer.open(true);
    const records = Array.from(
      { length: 120 },
      (_, i) => `2026-03-01 01:00:00,000 7 INFO ? test: record ${String(i).padStart(3, '0')} ${'x'.repeat(40)} \n`,
    );
    for (const r of records) writer.append(r);
    writer.flush();
    const generations = [`${file}.3`, `${file}.2`, `${file}.1`, file];
    for (const g of generations) {
      expect(existsSync(g)).toBe(true);
      expect(statSync(g).size).toBeLessThanOrEqual(1_000);
    }
    expect(existsSync(`${file}.4`)).toBe(false);
    // Oldest to newest, the kept generations hold the tail of the records, whole and in order.
    const kept = generations.map((g) => readFileSync(g, 'utf8')).join('');
    expect(records.join('').endsWith(kept)).toBe(true);
    expect(kept.startsWith('2026-03-01')).toBe(true);
  });
});
