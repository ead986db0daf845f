import { loadSigningKey } from '../auth/signing-key';
import { loadSettings, type Settings } from '../config/env';
import { fleetPath, loadFleetFile } from '../config/fleet';
import { readStoredFleet } from '../config/fleet-store';
import { ConfigError } from '../core/errors';
import type { Fleet } from '../config/fleet-types';
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
  /**
   * The HMAC key of frozen reports; null when TENANTSCOPE_SIGNING_KEY_FILE is not set. Read on
   * first use, so a command that signs nothing (migrate, token) is not refused over the key file.
   */
  readonly signingKey: Buffer | null;
  /** Ends the pool; the caller stops what uses it first. */
  close(): Promise<void>;
}

/** A context with the fleet file loaded, for the commands that work on the fleet. */
export interface FleetContext extends Context {
  readonly fleet: Fleet;
}

export interface ContextOptions {
  /** Names the process to PostgreSQL (application_name) and in logs: `tenantscope-<name>`. */
  name: string;
  settings?: Settings;
  /** The logger; by default one at TENANTSCOPE_LOG_LEVEL. */
  log?: Logger;
  /** Fields every log line of this process carries (the role of `start`). */
  logBindings?: Record<string, unknown>;
  clock?: Clock;
}

export interface FleetOptions {
  /** The command, as refusals name it: `tenantscope <command>: no fleet file ...`. */
  command: string;
  /** The fleet file given on the command line (--fleet); else TENANTSCOPE_FLEET_FILE. */
  file?: string | undefined;
  /** Also require that the files the collectors read can be read (a process that runs collectors). */
  sourcesReadable?: boolean;
}

/**
 * Builds the context of one process. With `fleet`, the fleet file is read and validated first,
 * so a bad file is refused before any connection exists. Opens no connection itself: the pool
 * connects on its first query.
 */
export function openContext(options: ContextOptions & { fleet: FleetOptions }): FleetContext;
export function openContext(options: ContextOptions): Context;
export function openContext(options: ContextOptions & { fleet?: FleetOptions }): Context | FleetContext {
  const settings = options.settings ?? loadSettings();
  const fleet =
    options.fleet &&
    loadFleetFile(fleetPath(options.fleet.command, options.fleet.file, settings.fleetFile), {
      sourcesReadable: options.fleet.sourcesReadable === true,
    });
  const base = options.log ?? createLogger(settings.logLevel);
  const log = options.logBindings ? base.child(options.logBindings) : base;
  const pool = createPool(
    withPassword(settings.databaseUrl, settings.databasePassword),
    settings.databasePoolSize,
    `tenantscope-${options.name}`,
    (err) => log.warn({ err }, 'idle database connection lost'),
  );
  let signingKey: Buffer | null | undefined;
  return {
    settings,
    log,
    clock: options.clock ?? systemClock,
    pool,
    partitions: new PartitionKeeper(pool),
    get signingKey() {
      signingKey ??= loadSigningKey(settings.signingKeyFile);
      return signingKey;
    },
    ...(fleet && { fleet }),
    close: () => pool.end(),
  };
}

/**
 * The context of a command that reads what tenantscope stored (report, sla export, usage): the
 * fleet from --fleet, else TENANTSCOPE_FLEET_FILE, else the fleet the database holds from the
 * last start. One order for every such command, so they never disagree on where the fleet is.
 */
export async function openReadingContext(options: ContextOptions & { fleet: FleetOptions }): Promise<FleetContext> {
  const settings = options.settings ?? loadSettings();
  if (options.fleet.file !== undefined || settings.fleetFile !== undefined) return openContext({ ...options, settings });
  const { fleet: fleetOptions, ...rest } = options;
  const context = openContext({ ...rest, settings });
  let fleet: Fleet | undefined;
  try {
    fleet = await readStoredFleet(context.pool);
  } catch (err) {
    await context.close();
    throw err;
  }
  if (fleet) return Object.defineProperty(context, 'fleet', { value: fleet, enumerable: true }) as FleetContext;
  await context.close();
  throw new ConfigError([
    `tenantscope ${fleetOptions.command}: no fleet: pass --fleet FILE, set TENANTSCOPE_FLEET_FILE, or run tenantscope start once so the database holds the fleet`,
  ]);
}
