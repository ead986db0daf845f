import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Probes one tenant through the ingress: `GET <url><path>` with the tenant's Host header, as a
 * user's browser would reach it. A redirect to another place on the same host (Odoo 17+ sends
 * `/` to `/odoo`) is followed, at most three times; a redirect to another host or scheme is a
 * failed probe with its status, never followed. The whole probe, redirects and body included,
 * runs under one timeout.
 */
export const name = 'odoo-probe';

export type ProbeFailure = 'timeout' | 'refused' | 'tls' | 'status' | 'unexpected-body' | 'network';

export interface ProbeRecord {
  type: 'probe';
  host: string;
  /** When the probe started, ms since the epoch. */
  ts: number;
  ok: boolean;
  durationSeconds: number;
  status: number | null;
  reason: ProbeFailure | null;
}

export interface ProbeInput {
  url: string;
  path: string;
  host: string;
  timeoutSeconds: number;
  /** Clock reading for the record's timestamp and the duration. */
  now: () => number;
  /** Aborted when the run timed out: the request is destroyed and collect() rejects with the signal's reason. */
  signal?: AbortSignal;
}

const MAX_BODY = 256 * 1024;
const MAX_REDIRECTS = 3;

type Answer = { status: number; location?: string; body: string } | { failure: ProbeFailure };

export async function collect(input: ProbeInput): Promise<ProbeRecord> {
  const started = input.now();
  input.signal?.throwIfAborted();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), input.timeoutSeconds * 1000);
  // the run's own abort ends the request as the probe's timeout does, but fails the run instead of recording a probe
  const stop = () => controller.abort();
  input.signal?.addEventListener('abort', stop, { once: true });
  const result = (ok: boolean, status: number | null, reason: ProbeFailure | null): ProbeRecord => ({
    type: 'probe',
    host: input.host,
    ts: started,
    ok,
    status,
    reason,
    durationSeconds: (input.now() - started) / 1000,
  });
  try {
    let target = new URL(input.path, input.url);
    for (let hop = 0; ; hop++) {
      const answer = await get(target, input.host, controller.signal);
      input.signal?.throwIfAborted();
      if ('failure' in answer) return result(false, null, answer.failure);
      const next = answer.location === undefined ? undefined : sameHostRedirect(answer.location, target, input.host);
      if (answer.status >= 300 && answer.status < 400 && next && hop < MAX_REDIRECTS) {
        target = next;
        continue;
      }
      if (answer.status < 200 || answer.status >= 300) return result(false, answer.status, 'status');
      const ok = looksLikeOdoo(target.pathname, answer.body);
      return result(ok, answer.status, ok ? null : 'unexpected-body');
    }
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', stop);
  }
}

/**
 * The ingress URL to follow a redirect on, when `location` stays on the tenant's host and the
 * scheme the probe uses; undefined for any other host.
 */
function sameHostRedirect(location: string, from: URL, host: string): URL | undefined {
  let to: URL;
  try {
    to = new URL(location, `${from.protocol}//${host}${from.pathname}`);
  } catch {
    return undefined;
  }
  if (to.hostname.toLowerCase() !== host.toLowerCase().replace(/:\d+$/, '') || to.protocol !== from.protocol) return undefined;
  return new URL(to.pathname + to.search, from);
}

function get(target: URL, host: string, signal: AbortSignal): Promise<Answer> {
  const send = target.protocol === 'https:' ? httpsRequest : request;
  return new Promise<Answer>((resolve) => {
    let settled = false;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(answer);
    };
    const onAbort = () => finish({ failure: 'timeout' });
    const headers = { Host: host, 'User-Agent': 'tenantscope-probe', Accept: 'text/html,application/json' };
    const req = send(target, { method: 'GET', headers, servername: host.replace(/:\d+$/, '') }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status < 200 || status >= 300) {
        res.resume();
        finish({ status, body: '', ...(location !== undefined && { location }) });
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        // enough to judge; no need to read a huge page to its end
        if (body.length >= MAX_BODY) finish({ status, body });
      });
      res.on('end', () => finish({ status, body }));
      res.on('error', () => finish({ failure: signal.aborted ? 'timeout' : 'network' }));
    });
    if (signal.aborted) return finish({ failure: 'timeout' });
    signal.addEventListener('abort', onAbort);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ failure: signal.aborted ? 'timeout' : classify(err) }));
    req.end();
  });
}

/** `/web/health` answers `{"status": "pass"}`; a login page carries Odoo's login form. */
function looksLikeOdoo(path: string, body: string): boolean {
  if (path === '/web/health') return /"status"\s*:\s*"pass"/.test(body);
  if (path.startsWith('/web/login')) return /name="login"|oe_login_form|o_login/.test(body);
  return true;
}

// OpenSSL verification codes name certificates, issuers and signatures; handshake errors say SSL or TLS.
const TLS_CODES = /^ERR_TLS|^ERR_SSL|CERT|ISSUER|SIGNATURE|^EPROTO$|^HOSTNAME_MISMATCH$/;

function classify(err: NodeJS.ErrnoException): ProbeFailure {
  if (err.code === 'ECONNREFUSED') return 'refused';
  if (TLS_CODES.test(err.code ?? '') || /SSL|TLS|certificate/i.test(err.message)) return 'tls';
  if (err.code === 'ETIMEDOUT') return 'timeout';
  return 'network';
}
