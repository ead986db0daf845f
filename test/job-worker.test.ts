import { Queue } from 'bullmq';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { redactError } from '../services/core/redact';
import { JobWorker } from '../services/queue/job-worker';
import { createRedis } from '../services/queue/queues';
import { REDIS_URL, uniquePrefix } from './helpers/database';
import { waitFor } from './helpers/processes';

const prefix = uniquePrefix();
const QUEUE = 'job-worker-test';

afterEach(async () => {
  const redis = createRedis(REDIS_URL);
  const queue = new Queue(QUEUE, { connection: redis, prefix });
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.quit();
});

describe('JobWorker', () => {
  it('runs jobs and logs a failed one with its queue, job name and error, password removed', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      { serializers: { err: redactError } },
      {
        write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
      },
    );
    const ran: string[] = [];
    const connection = createRedis(REDIS_URL);
    const worker = new JobWorker({ connection, prefix, queue: QUEUE, concurrency: 1, log }, async (job) => {
      ran.push(job.name);
      if (job.name === 'bad') throw new Error('cannot reach redis://user:hunter2@cache:6379');
    });
    const redis = createRedis(REDIS_URL);
    const queue = new Queue(QUEUE, { connection: redis, prefix });
    try {
      await queue.add('good', {});
      await queue.add('bad', {}, { attempts: 1 });
      await waitFor('the failed job to be logged', () => lines.some((l) => l.msg === 'job failed'), 10_000);
      expect(ran).toEqual(['good', 'bad']);
      const failed = lines.find((l) => l.msg === 'job failed')!;
      expect(failed).toMatchObject({ queue: QUEUE, job: 'bad', err: { type: 'Error', message: 'cannot reach redis://cache:6379' } });
      expect(JSON.stringify(lines)).not.toContain('hunter2');
      // what BullMQ keeps of the failure in Redis is redacted too
      const [stored] = await queue.getFailed();
      expect(stored?.failedReason).toBe('cannot reach redis://cache:6379');
      expect(JSON.stringify(stored?.stacktrace)).not.toContain('hunter2');
    } finally {
      await worker.close(2_000);
      await queue.close();
      await redis.quit();
      await connection.quit();
    }
  });
});
