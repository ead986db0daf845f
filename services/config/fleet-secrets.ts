import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { hasInlinePassword, redact } from '../core/redact';
import { Secret } from '../core/secret';
import type { Problems } from './fleet-checks';
import type { Cluster } from './fleet-types';

/**
 * Passwords given by reference (docs/configuration.md, "Secrets"): next to a URL, `passwordFile`
 * (a path, relative to the fleet file) or `passwordEnv` (an environment variable's name). Read
 * once at load into a Secret; the URL stays without a password, and the password is put into it
 * only when a client connects.
 */
export interface SecretSources {
  /** The fleet file's folder, for relative password files. */
  baseDir: string;
  env: NodeJS.ProcessEnv;
}

/** The keys of one URL and its references, as the fleet file names them. */
export interface PasswordKeys {
  url: string;
  file: string;
  env: string;
}

export const PASSWORD_KEYS: PasswordKeys = { url: 'url', file: 'passwordFile', env: 'passwordEnv' };
export const TRAEFIK_METRICS_KEYS: PasswordKeys = { url: 'metricsUrl', file: 'metricsPasswordFile', env: 'metricsPasswordEnv' };
export const TRAEFIK_API_KEYS: PasswordKeys = { url: 'apiUrl', file: 'apiPasswordFile', env: 'apiPasswordEnv' };

/**
 * The password of `url` given by reference under `at`, or undefined when there is none. Pushes
 * a problem naming the key when both references are given, when the URL holds a password inline
 * as well, or when the file or variable gives no password.
 */
export function referencedPassword(
  url: string | undefined,
  ref: { file?: string | undefined; env?: string | undefined },
  keys: PasswordKeys,
  at: string,
  sources: SecretSources,
  problems: Problems,
): Secret | undefined {
  if (ref.file === undefined && ref.env === undefined) return undefined;
  const key = ref.file !== undefined ? keys.file : keys.env;
  if (ref.file !== undefined && ref.env !== undefined) {
    problems.push(`${at}.${keys.env}: expected one of ${keys.file} or ${keys.env}, not both`);
    return undefined;
  }
  if (url === undefined) {
    problems.push(`${at}.${key}: expected ${keys.url} beside it`);
    return undefined;
  }
  if (hasInlinePassword(url)) {
    problems.push(`${at}.${key}: the password is also written in ${keys.url}; give it one way only`);
    return undefined;
  }
  if (ref.file !== undefined) {
    const read = readPasswordFile(resolvePath(sources.baseDir, ref.file));
    if ('problem' in read) problems.push(`${at}.${keys.file}: ${read.problem}`);
    return 'secret' in read ? read.secret : undefined;
  }
  const value = sources.env[ref.env as string];
  if (value === undefined || value === '') {
    problems.push(`${at}.${keys.env}: expected the environment variable ${ref.env} to hold the password, it is not set`);
    return undefined;
  }
  return new Secret(value);
}

/** A password file's content without its final line break (as `echo` and most secret stores write it). */
export function readPasswordFile(path: string): { secret: Secret } | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { problem: `cannot read the password file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') return { problem: `expected a password in ${path}, the file is empty` };
  return { secret: new Secret(value) };
}

/**
 * A Traefik's target id is its metrics URL without credentials: two clusters whose metrics URLs
 * differ only there would share one id (one schedule, one baseline), so the second is refused.
 */
export function checkDistinctTraefik(clusters: readonly Cluster[], problems: Problems): void {
  const seen = new Map<string, string>();
  for (const cluster of clusters) {
    if (!cluster.traefik?.metricsUrl) continue;
    const id = redact(cluster.traefik.metricsUrl);
    const first = seen.get(id);
    if (first !== undefined)
      problems.push(
        `clusters.${cluster.id}.traefik.metricsUrl: expected a Traefik no other cluster scrapes, ${id} is already clusters.${first}'s`,
      );
    else seen.set(id, cluster.id);
  }
}
