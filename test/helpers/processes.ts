import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const BIN = join(__dirname, '..', '..', 'bin', 'tenantscope.js');
const runFile = promisify(execFile);
// a deprecated call ends a process the tests start, so it cannot pass by (test/helpers/no-deprecations.ts)
const THROW_DEPRECATION = `${process.env.NODE_OPTIONS ?? ''} --throw-deprecation`.trim();

export interface Started {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code and how long after `since` the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const running = new Set<ChildProcess>();

// A test that fails before it stops its processes must not leave them running (and loading the
// machine) after the file ends. SIGTERM first, so `demo` stops its own children; SIGKILL after 12 s.
afterAll(async () => {
  const left = [...running];
  for (const child of left) child.kill('SIGTERM');
  const deadline = Date.now() + 12_000;
  while (running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const child of running) child.kill('SIGKILL');
}, 15_000);

/** Runs `tenantscope <args>` as a real process, collecting its output. */
export function startTenantscope(args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, TENANTSCOPE_LOG_LEVEL: 'info', NODE_OPTIONS: THROW_DEPRECATION, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, at: Date.now() });
    }),
  );
  return { child, output: () => out, exited };
}

/** Waits until `predicate` holds, polling, or fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tenantscope <args>` to its end and gives its exit code and output. `env` adds to (or,
 * with undefined, removes from) the test process's environment.
 */
export async function runTenantscope(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  const merged: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: THROW_DEPRECATION, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key];
  try {
    const { stdout, stderr } = await runFile(process.execPath, [BIN, ...args], {
      env: merged,
      timeout: options.timeoutMs ?? 30_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Ports nobody listens on right now on 127.0.0.1: bound to port 0, read, released. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
