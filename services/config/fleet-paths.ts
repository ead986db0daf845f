import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Fleet } from './fleet-types';

/**
 * The files collectors read (Odoo logs, backup results): each must sit in a directory that
 * exists and can be listed and read, and be readable itself where it exists already (a log not
 * written yet is waited for). A typo in a path is then refused at start, naming its key, instead
 * of failing the collector on every run. Only processes that run collectors ask for this: the
 * simulator and the demo create these files, and report commands never read them.
 */
export function sourceFileProblems(fleet: Fleet): string[] {
  const problems: string[] = [];
  for (const cluster of Object.values(fleet.clusters)) {
    const at = `clusters.${cluster.id}`;
    cluster.odoo?.logFiles.forEach((file, i) => check(file, `${at}.odoo.logFiles[${i}]`, problems));
    cluster.traefik?.accessLogFiles?.forEach((file, i) => check(file, `${at}.traefik.accessLogFiles[${i}]`, problems));
    for (const [key, file] of Object.entries(cluster.backups ?? {})) {
      if (key !== 'stanza' && typeof file === 'string') check(file, `${at}.backups.${key}`, problems);
    }
  }
  return problems;
}

function check(file: string, key: string, problems: string[]): void {
  const dir = dirname(file);
  const dirProblem = problemOf(() => {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(dir, constants.R_OK | constants.X_OK);
  });
  if (dirProblem) {
    problems.push(`${key}: expected a file in a readable directory, directory ${dir} ${dirProblem}`);
    return;
  }
  const fileProblem = problemOf(() => accessSync(file, constants.R_OK));
  if (fileProblem && fileProblem !== 'does not exist') problems.push(`${key}: expected a readable file, ${file} ${fileProblem}`);
}

function problemOf(attempt: () => void): string | undefined {
  try {
    attempt();
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'does not exist';
    if (code === 'ENOTDIR') return 'is not a directory';
    return `cannot be read (${code ?? 'error'})`;
  }
}
