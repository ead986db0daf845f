import { loadSigningKey } from '../auth/signing-key';
import { loadSettings, type Settings } from '../config/env';
import { systemClock, type Clock } from '../core/clock';
import { createLogger, type Logger } from '../core/logger';
import { withPassword } from '../core/secret';
import { createPool, type Pool } from '../storage/db';
import { PartitionKeeper } from '../storage/partitions';

/**
 * What every process and command of tenantscope shares, built in one place: the settings read
 * once from the environment, the logger, the clock, one pool to tenantscope's own database (its
 * size from TENANTSCOPE_DATABASE_POOL_SIZE), one PartitionKeeper and the report signing key.
 * `start` and every CLI command that touches the database get these from here.
 */
export interface Context {
  readonly settings: Settings;
  readonly log: Logger;
  readonly clock: Clock;
  readonly pool: Pool;
  readonly partitions: PartitionKeeper;
  /** The HMAC key of frozen reports; null when TENANTSCOPE_SIGNING_KEY_FILE is not set. */
  readonly signingKey: Buffer | null;
  /** Ends the pool; the caller stops what uses it first. */
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Names the process to PostgreSQL (application_name) and in logs: `tenantscope-<name>`. */
  name: string;
  settings?: Settings;
  log?: Logger;
  clock?: Clock;
}

export function openContext(options: ContextOptions): Context {
  const settings = options.settings ?? loadSettings();
  const log = options.log ?? createLogger(settings.logLevel);
  const pool = createPool(
    withPassword(settings.databaseUrl, settings.databasePassword),
    settings.databasePoolSize,
    `tenantscope-${options.name}`,
    (err) => log.warn({ err }, 'idle database connection lost'),
  );
  return {
    settings,
    log,
    clock: options.clock ?? systemClock,
    pool,
    partitions: new PartitionKeeper(pool),
    signingKey: loadSigningKey(settings.signingKeyFile),
    close: () => pool.end(),
  };
}
