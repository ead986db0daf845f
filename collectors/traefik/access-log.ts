import { normaliseHost } from './rules';
import { parseClfLine, withoutContainerPrefix } from './access-clf';

/**
 * Traefik's access log, one request per line, in either of its formats:
 * - JSON (`accessLog.format: json`, v2 and v3, pkg/middlewares/accesslog/logdata.go):
 *   `RequestHost` is the tenant key; `RouterName` and the service fields are absent when no
 *   router matched (Traefik's own 404); `DownstreamStatus` is 0 when the client went away;
 *   `ServiceURL` is a Go url.URL object in v2 and a string in v3;
 * - the default Common Log Format (access-clf.ts): no Host, so the tenant comes from the router.
 * A line that is neither is counted as rejected.
 */
export const name = 'traefik-access';

export interface AccessRecord {
  type: 'access';
  format: 'json' | 'clf';
  /** `StartUTC` (else `time`), ms since the epoch. */
  ts: number;
  /** `RequestHost`, lower-cased, without port: the tenant key. Null in CLF, which has no Host. */
  host: string | null;
  /** Null when no router matched (a Traefik 404), and in v3's genericCLF. */
  router: string | null;
  service: string | null;
  serviceUrl: string | null;
  method: string | null;
  path: string | null;
  protocol: string | null;
  /**
   * `DownstreamStatus`: what the client got; 0 when it went away first. CLF before v3 logs the
   * origin's status instead, and `-` (null) when there was none.
   */
  status: number | null;
  /** True when status is 0. */
  aborted: boolean;
  originStatus: number | null;
  /** `Duration` (ns) in seconds. */
  durationSeconds: number | null;
  requestBytes: number | null;
  responseBytes: number | null;
  clientHost: string | null;
}

export type AccessLine = { kind: 'record'; record: AccessRecord } | { kind: 'rejected' } | { kind: 'blank' };

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== '-' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** v2 serialises Go's url.URL: rebuild `scheme://host/path` from it. */
function serviceUrl(v: unknown): string | null {
  if (typeof v === 'string') return str(v);
  if (v === null || typeof v !== 'object') return null;
  const u = v as Record<string, unknown>;
  if (typeof u.Opaque === 'string' && u.Opaque !== '') return `${str(u.Scheme) ?? ''}:${u.Opaque}`;
  const host = str(u.Host);
  if (!host) return null;
  return `${str(u.Scheme) ?? 'http'}://${host}${str(u.Path) ?? ''}`;
}

function timestamp(entry: Record<string, unknown>): number | null {
  for (const key of ['StartUTC', 'time', 'StartLocal']) {
    const v = entry[key];
    if (typeof v !== 'string') continue;
    // RFC3339Nano: Date reads milliseconds; cut the extra fraction digits so it parses.
    const ms = Date.parse(v.replace(/(\.\d{3})\d+/, '$1'));
    if (Number.isFinite(ms)) return ms;
  }
  return null;
}

export function parseAccessLine(line: string): AccessLine {
  const text = line.trim();
  if (text === '') return { kind: 'blank' };
  const body = withoutContainerPrefix(text);
  return body.startsWith('{') ? parseJsonLine(body) : parseClf(body);
}

function parseClf(text: string): AccessLine {
  const f = parseClfLine(text);
  if (!f) return { kind: 'rejected' };
  return {
    kind: 'record',
    record: {
      type: 'access',
      format: 'clf',
      ts: f.ts,
      host: null,
      router: f.router,
      service: null,
      serviceUrl: f.serviceUrl,
      method: f.method,
      path: f.path,
      protocol: f.protocol,
      status: f.status,
      aborted: f.status === 0,
      originStatus: null,
      durationSeconds: f.durationSeconds,
      requestBytes: null,
      responseBytes: f.responseBytes,
      clientHost: f.clientHost,
    },
  };
}

function parseJsonLine(text: string): AccessLine {
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return { kind: 'rejected' };
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return { kind: 'rejected' };
  const e = entry as Record<string, unknown>;
  const ts = timestamp(e);
  const host = str(e.RequestHost);
  const status = int(e.DownstreamStatus);
  if (ts === null || host === null || status === null) return { kind: 'rejected' };
  const duration = int(e.Duration);
  return {
    kind: 'record',
    record: {
      type: 'access',
      format: 'json',
      ts,
      host: normaliseHost(host),
      router: str(e.RouterName),
      service: str(e.ServiceName),
      serviceUrl: serviceUrl(e.ServiceURL),
      method: str(e.RequestMethod),
      path: str(e.RequestPath),
      protocol: str(e.RequestProtocol),
      status,
      aborted: status === 0,
      originStatus: int(e.OriginStatus),
      durationSeconds: duration === null ? null : duration / 1e9,
      requestBytes: int(e.RequestContentSize),
      responseBytes: int(e.DownstreamContentSize),
      clientHost: str(e.ClientHost),
    },
  };
}

/** Every line of a text: the records, and the lines that were not a Traefik access-log line. */
export function collect(text: string): { records: AccessRecord[]; rejected: number } {
  const records: AccessRecord[] = [];
  let rejected = 0;
  for (const line of text.split('\n')) {
    const parsed = parseAccessLine(line);
    if (parsed.kind === 'record') records.push(parsed.record);
    else if (parsed.kind === 'rejected') rejected += 1;
  }
  return { records, rejected };
}

/** `tenantscope parse traefik-access`: the records with `ts` as ISO 8601 UTC. */
export function parseAccessText(text: string): { records: unknown[]; rejected: number } {
  const { records, rejected } = collect(text);
  return { records: records.map((r) => ({ ...r, ts: new Date(r.ts).toISOString() })), rejected };
}
