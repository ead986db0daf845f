import { loadSettings } from '../config/env';
import { createLogger } from '../core/logger';
import { createPool } from '../storage/db';
import { migrate } from '../storage/migrate';
import { parseFlags } from './args';

export async function run(args: string[]): Promise<number> {
  parseFlags('migrate', args, {});
  const settings = loadSettings();
  const log = createLogger(settings.logLevel);
  const pool = createPool(settings.databaseUrl, 2, 'tenantscope-migrate');
  try {
    const applied = await migrate(pool, log);
    process.stdout.write(applied.length === 0 ? 'database is up to date\n' : `applied migrations ${applied.join(', ')}\n`);
    return 0;
  } finally {
    await pool.end();
  }
}
