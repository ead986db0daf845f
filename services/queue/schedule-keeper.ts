import type { Logger } from '../core/logger';

/** A set of job schedules that can say it lost some and make them again. */
export interface KeptSchedules {
  readonly name: string;
  missing(): Promise<boolean>;
  sync(): Promise<void>;
}

/**
 * Keeps the job schedules in Redis. They live only there: a Redis restarted without persistence,
 * or a failover to an empty replica, loses them, and nothing would be collected again until
 * tenantscope restarted. Every `everyMs` (and at once when asked, after a reconnect) it checks
 * each set and makes a set again when some are missing; upserts with stable ids make a second
 * scheduler process doing the same harmless. Errors (Redis still away) are logged and retried at
 * the next check, never thrown.
 */
export class ScheduleKeeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly sets: readonly KeptSchedules[],
    private readonly log: Logger,
    private readonly everyMs = 15_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.everyMs);
    this.timer.unref();
  }

  /** Checks now; a check already running is joined, not doubled. */
  check(): Promise<void> {
    this.running ??= this.checkAll().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async checkAll(): Promise<void> {
    for (const set of this.sets) {
      try {
        if (!(await set.missing())) continue;
        await set.sync();
        this.log.warn({ schedules: set.name }, 'job schedules were missing from Redis: registered again');
      } catch (err) {
        this.log.warn({ err, schedules: set.name }, 'job schedules not checked: Redis unavailable');
      }
    }
  }
}
