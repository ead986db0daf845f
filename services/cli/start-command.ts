import { ConfigError } from '../core/errors';
import { openContext } from '../root/context';
import { ROLES, startProcess, type Role } from '../root/start';
import { stopTelemetry } from '../core/telemetry';
import { parseFlags } from './args';

/** SIGTERM must end the process within 10 s: drain for 7, then stop without waiting. */
const DRAIN_MS = 7_000;
const HARD_EXIT_MS = 9_500;

export async function run(args: string[]): Promise<number> {
  const { values } = parseFlags('start', args, { role: { type: 'string', default: 'all' }, fleet: { type: 'string' } });
  const role = values.role as Role;
  if (!ROLES.includes(role))
    throw new ConfigError([`tenantscope start: --role expected one of ${ROLES.join(', ')}, got ${JSON.stringify(values.role)}`]);
  // a process that runs collectors refuses log and backup paths it could never read
  const context = openContext({
    name: role,
    logBindings: { role },
    fleet: { command: 'start', file: values.fleet, sourcesReadable: role === 'all' || role === 'worker' },
  });
  const { log } = context;
  const running = await startProcess(context, role);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'stopping');
      setTimeout(() => {
        log.error('shutdown took too long; exiting');
        process.exit(1);
      }, HARD_EXIT_MS).unref();
      void running.stop(DRAIN_MS).then(stopTelemetry).then(resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  log.info('stopped');
  // A job abandoned at the drain deadline may still hold a socket open; the work is done.
  process.exit(0);
}
