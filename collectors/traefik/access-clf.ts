/**
 * Traefik's default access-log format (`accessLog.format: common`, v1 to v3,
 * pkg/middlewares/accesslog/logger_formatters.go):
 *
 *   <client> - <user> [02/Jan/2006:15:04:05 -0700] "<method> <path> <proto>" <status> <size>
 *   "<referer>" "<agent>" <count> "<router>" "<service URL>" <ms>ms
 *
 * What differs between versions, and is read here:
 * - the status and size are the origin's in v1/v2 and what the client got in v3; `-` when absent
 *   (Traefik answered itself, or the client left before an answer), `0` when the client left;
 * - absent strings are `-` or `"-"`; v2.1 wrote an absent service URL as an unquoted `-`
 *   (traefik#6481);
 * - v3's `genericCLF` keeps only the first ten fields: no count, router, URL or duration;
 * - the client can be a comma list (`10.0.0.8, 192.0.2.1`), and the time `-` when unknown;
 * - shipped through Docker or Kubernetes a line may carry the container's prefix
 *   (`traefik-1  | `, `[pod/traefik-x/traefik] `).
 * The line names no Host: the tenant comes from the router, mapped through its rule.
 */

export interface ClfFields {
  ts: number;
  clientHost: string | null;
  user: string | null;
  method: string | null;
  path: string | null;
  protocol: string | null;
  /** Null when `-`. */
  status: number | null;
  responseBytes: number | null;
  referer: string | null;
  userAgent: string | null;
  requestCount: number | null;
  router: string | null;
  serviceUrl: string | null;
  durationSeconds: number | null;
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const CONTAINER_PREFIX = /^(?:[\w.-]+\s+\| |\[[^\]\s]+\] )/;

/** A line as Traefik wrote it, without the `traefik-1  | ` or `[pod/…] ` a log shipper put before it. */
export function withoutContainerPrefix(line: string): string {
  return line.replace(CONTAINER_PREFIX, '');
}

// client, user, [time], "request", status, size, then either the end (genericCLF) or
// "referer" "agent" count "router" "url" <ms>ms; the agent is greedy: it may itself hold quotes.
const LINE = new RegExp(
  [
    '^(.+?) - (\\S+) \\[([^\\]]+)\\] "([^"]*)" (\\d+|-) (\\d+|-)',
    '(?: ("[^"]*"|-) (".*"|-)(?: (\\d+|-) ("[^"]*"|-) ("[^"]*"|-) (\\d+)ms)?)?$',
  ].join(''),
);

/** The fields of one CLF line (without a container prefix), or undefined when it is not Traefik's CLF. */
export function parseClfLine(line: string): ClfFields | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const ts = clfTime(m[3]!);
  if (ts === undefined) return undefined;
  const request = m[4]!.split(' ');
  // "GET /path HTTP/1.1"; a request Traefik could not read is logged as "- - -"
  if (request.length !== 3) return undefined;
  const status = m[5] === '-' ? null : Number(m[5]);
  if (status !== null && status > 999) return undefined;
  return {
    ts,
    clientHost: dash(m[1]!),
    user: dash(m[2]!),
    method: dash(request[0]!),
    path: dash(request[1]!),
    protocol: dash(request[2]!),
    status,
    responseBytes: m[6] === '-' ? null : Number(m[6]),
    referer: quoted(m[7]),
    userAgent: quoted(m[8]),
    requestCount: m[9] === undefined || m[9] === '-' ? null : Number(m[9]),
    router: quoted(m[10]),
    serviceUrl: quoted(m[11]),
    durationSeconds: m[12] === undefined ? null : Number(m[12]) / 1000,
  };
}

/** `02/Jan/2006:15:04:05 -0700` → ms since the epoch; undefined for `-` or anything else. */
export function clfTime(text: string): number | undefined {
  const m = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const month = MONTHS[m[2]!];
  if (month === undefined) return undefined;
  const [day, hour, minute, second] = [m[1], m[4], m[5], m[6]].map(Number) as [number, number, number, number];
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const local = Date.UTC(Number(m[3]), month, day, hour, minute, second);
  // Date.UTC rolls 31 Feb over into March: such a day is not a time
  if (new Date(local).getUTCDate() !== day) return undefined;
  const offsetMinutes = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  return local - offsetMinutes * 60_000;
}

function dash(text: string): string | null {
  return text === '-' || text === '' ? null : text;
}

function quoted(text: string | undefined): string | null {
  if (text === undefined) return null;
  const inner = text.startsWith('"') && text.endsWith('"') && text.length >= 2 ? text.slice(1, -1) : text;
  return dash(inner);
}
