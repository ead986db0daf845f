import type { FastifyPluginAsync } from 'fastify';
import { redact } from '../core/redact';

/** A dependency /readyz checks; `check` rejects with a reason when it is not usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

export const healthRoutes: FastifyPluginAsync<{ readiness: ReadinessCheck[] }> = async (app, options) => {
  // Liveness: the process answers. It never looks at dependencies, so a database outage does
  // not get the process restarted.
  app.get('/healthz', async () => ({ status: 'ok' }));

  // Readiness: PostgreSQL and Redis both answer; 503 names the one that did not.
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(options.readiness.map(async (dep) => [dep.name, await probe(dep)] as const));
    const checks = Object.fromEntries(results);
    const failed = results.filter(([, result]) => result !== 'ok').map(([name]) => name);
    return reply.code(failed.length === 0 ? 200 : 503).send({ status: failed.length === 0 ? 'ok' : 'fail', failed, checks });
  });
};

async function probe(dep: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      dep.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (err) {
    // /readyz is open: the reason is shown redacted, like every message that may quote a URL
    return `fail: ${redact(String((err as Error).message).split('\n')[0] ?? '')}`;
  } finally {
    clearTimeout(timer);
  }
}
