import type { Fleet } from '../services/config/fleet-types';
import type { RequestEvent } from './model';
import { OdooLogWriter } from './odoo-log-writer';
import { ENTRYPOINT, routerName, serviceName } from './traefik-routers';

/**
 * Traefik's access log as Traefik v3 writes it, for clusters known by their access log
 * (`traefik.accessLogFiles`): JSON (`accessLog.format: json`, logrus's keys in alphabetical order)
 * when the file name ends in `.json`, else the default Common Log Format. One line per request
 * the ingress answered, at the request's start; rotated by size like the Odoo log.
 */
export type AccessLogFormat = 'json' | 'clf';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function accessLogFormatOf(file: string): AccessLogFormat {
  return file.endsWith('.json') ? 'json' : 'clf';
}

/** One request as a line of `format`, `count` being Traefik's process-wide request counter. */
export function formatAccessLine(ev: RequestEvent, format: AccessLogFormat, count: number): string {
  const tenant = ev.tenant.tenant;
  const startMs = ev.ms - Math.round(ev.ingress.seconds * 1000);
  const status = ev.ingress.code;
  // a 502 in an outage: Traefik answered alone, the origin gave nothing
  const serviceUrl = `http://odoo-${tenant.id}:8069`;
  const protocol = ev.protocol === 'websocket' ? 'HTTP/1.1' : 'HTTP/2.0';
  if (format === 'clf') {
    return `${ev.addr} - - [${clfTime(startMs)}] "${ev.method} ${ev.path} ${protocol}" ${status} ${ev.ingress.responseBytes} "-" "Mozilla/5.0" ${count} "${routerName(tenant)}" "${serviceUrl}" ${Math.round(ev.ingress.seconds * 1000)}ms\n`;
  }
  const startIso = new Date(startMs).toISOString();
  const entry: Record<string, unknown> = {
    ClientAddr: `${ev.addr}:51234`,
    ClientHost: ev.addr,
    ClientPort: '51234',
    ClientUsername: '-',
    DownstreamContentSize: ev.ingress.responseBytes,
    DownstreamStatus: status,
    Duration: Math.round(ev.ingress.seconds * 1e9),
    OriginContentSize: ev.odoo ? ev.ingress.responseBytes : 0,
    OriginDuration: Math.round(ev.ingress.seconds * 0.98e9),
    OriginStatus: ev.odoo ? status : 0,
    Overhead: Math.round(ev.ingress.seconds * 0.02e9),
    RequestAddr: tenant.hosts[0],
    RequestContentSize: ev.ingress.requestBytes,
    RequestCount: count,
    RequestHost: tenant.hosts[0],
    RequestMethod: ev.method,
    RequestPath: ev.path,
    RequestPort: '-',
    RequestProtocol: protocol,
    RequestScheme: 'https',
    RetryAttempts: 0,
    RouterName: routerName(tenant),
    ServiceName: serviceName(tenant),
    ServiceURL: serviceUrl,
    StartLocal: startIso,
    StartUTC: startIso,
    entryPointName: ENTRYPOINT,
    level: 'info',
    msg: '',
    time: new Date(ev.ms).toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  return `${JSON.stringify(entry)}\n`;
}

/** `02/Jan/2006:15:04:05 -0700` in UTC, as a Traefik in a UTC container writes it. */
function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** The access logs of the fleet's clusters, one writer per file, and Traefik's request counter per file. */
export class AccessLogs {
  private readonly byCluster = new Map<string, { writer: OdooLogWriter; format: AccessLogFormat; counter: { n: number } }>();

  constructor(fleet: Fleet, rotateBytes: number | undefined, fresh: boolean) {
    const byFile = new Map<string, { writer: OdooLogWriter; format: AccessLogFormat; counter: { n: number } }>();
    for (const cluster of Object.values(fleet.clusters)) {
      const file = cluster.traefik?.accessLogFiles?.[0];
      if (!file) continue;
      let log = byFile.get(file);
      if (!log) {
        const writer = new OdooLogWriter(file, rotateBytes);
        writer.open(fresh);
        log = { writer, format: accessLogFormatOf(file), counter: { n: 0 } };
        byFile.set(file, log);
      }
      this.byCluster.set(cluster.id, log);
    }
  }

  request(ev: RequestEvent): void {
    const log = this.byCluster.get(ev.tenant.tenant.cluster);
    if (!log) return;
    log.counter.n += 1;
    log.writer.append(formatAccessLine(ev, log.format, log.counter.n));
  }

  flush(): void {
    for (const log of new Set(this.byCluster.values())) log.writer.flush();
  }

  files(): Record<string, string> {
    return Object.fromEntries([...this.byCluster].map(([id, log]) => [id, log.writer.file]));
  }
}
