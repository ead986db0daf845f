import { migrate } from '../storage/migrate';
import { parseFlags } from './args';
import { openContext } from '../root/context';

export async function run(args: string[]): Promise<number> {
  parseFlags('migrate', args, {});
  const { pool, log, close } = openContext({ name: 'migrate' });
  try {
    const applied = await migrate(pool, log);
    process.stdout.write(applied.length === 0 ? 'database is up to date\n' : `applied migrations ${applied.join(', ')}\n`);
    return 0;
  } finally {
    await close();
  }
}
