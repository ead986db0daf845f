import type { Problems } from './fleet-checks';
import type { ClusterInput } from './fleet-schema';

/**
 * The URLs of a cluster's sources, checked when the fleet file is read: a URL that does not
 * parse (`redis://[bad`), a port outside 1–65535 or a missing host would otherwise be taken, and
 * its collector would fail on every run instead of the process refusing to start. Messages name
 * the key and never repeat the URL: a PostgreSQL or Redis URL may hold a password.
 */
export function checkEndpoints(c: ClusterInput, at: string, problems: Problems): void {
  const http = ['http:', 'https:'];
  if (c.probe) checkUrl(c.probe.url, `${at}.probe.url`, http, true, problems);
  if (c.traefik) {
    if (c.traefik.metricsUrl !== undefined) checkUrl(c.traefik.metricsUrl, `${at}.traefik.metricsUrl`, http, true, problems);
    if ((c.traefik.metricsUrl === undefined) === (c.traefik.accessLogFiles === undefined))
      problems.push(
        `${at}.traefik: expected either metricsUrl or accessLogFiles, the source of the cluster's request counts` +
          (c.traefik.metricsUrl === undefined ? '' : ' (both would count every request twice)'),
      );
    if (c.traefik.apiUrl !== undefined) checkUrl(c.traefik.apiUrl, `${at}.traefik.apiUrl`, http, true, problems);
  }
  // libpq URLs may leave the host out (a Unix socket, or `?host=/run/postgresql`)
  if (c.postgres) checkUrl(c.postgres.url, `${at}.postgres.url`, ['postgres:', 'postgresql:'], false, problems);
  if (c.redis) checkUrl(c.redis.url, `${at}.redis.url`, ['redis:', 'rediss:'], true, problems);
}

// The port as written, to say which number was refused when the URL does not parse at all.
const WRITTEN_PORT = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]/]*\]|[^:/?#[\]]*):(\d+)(?:[/?#]|$)/i;

function checkUrl(text: string, key: string, schemes: string[], needsHost: boolean, problems: Problems): void {
  const expected = `expected a ${schemes.map((s) => `${s}//`).join(' or ')} URL with ${needsHost ? 'a host and ' : ''}a port from 1 to 65535`;
  const url = parse(text);
  const written = WRITTEN_PORT.exec(text)?.[1];
  if (written !== undefined && (Number(written) < 1 || Number(written) > 65535)) {
    problems.push(`${key}: ${expected}, got port ${written}`);
    return;
  }
  if (!url) {
    problems.push(`${key}: ${expected}; this one does not parse as a URL`);
    return;
  }
  if (!schemes.includes(url.protocol)) problems.push(`${key}: ${expected}, got scheme ${url.protocol}`);
  else if (needsHost && url.hostname === '') problems.push(`${key}: ${expected}; this one has no host`);
}

function parse(text: string): URL | undefined {
  // as node-postgres reads it: spaces encoded, and `user@/db` (no host) taken with a stand-in host
  const encoded = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(text) ? encodeURI(text).replace(/%25(\d\d)/g, '%$1') : text;
  for (const candidate of [encoded, encoded.replace('@/', '@localhost/')]) {
    try {
      return new URL(candidate);
    } catch {
      // try the next reading
    }
  }
  return undefined;
}
