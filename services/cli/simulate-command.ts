import { fleetPath, loadFleetFile } from '../config/fleet';
import { ConfigError } from '../core/errors';
import { createLogger } from '../core/logger';
import { runBatchSimulation, SCENARIOS, startLiveSimulator, type ScenarioName } from '../../simulator';
import { parseFlags } from './args';

/** A day: the detector's baseline window; more only slows the start. */
const MAX_HISTORY_MINUTES = 1440;

export async function run(args: string[]): Promise<number> {
  const { values } = parseFlags('simulate', args, {
    fleet: { type: 'string' },
    scenario: { type: 'string', default: 'normal' },
    tenant: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'start-seconds': { type: 'string' },
    'start-at': { type: 'string' },
    'scenario-minutes': { type: 'string' },
    batch: { type: 'boolean', default: false },
    from: { type: 'string' },
    minutes: { type: 'string' },
    out: { type: 'string' },
    history: { type: 'string' },
  });
  const scenario = values.scenario as ScenarioName;
  if (!SCENARIOS.includes(scenario))
    throw new ConfigError([
      `tenantscope simulate: --scenario expected one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(values.scenario)}`,
    ]);
  const fleet = loadFleetFile(fleetPath('simulate', values.fleet, process.env.TENANTSCOPE_FLEET_FILE));
  if (values.tenant !== undefined && !fleet.tenants.some((t) => t.id === values.tenant)) {
    throw new ConfigError([`tenantscope simulate: --tenant ${JSON.stringify(values.tenant)} is not a tenant of ${fleet.source}`]);
  }
  const number = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0)
      throw new ConfigError([`tenantscope simulate: --${flag} expected a non-negative number, got ${JSON.stringify(text)}`]);
    return n;
  };
  if (values['start-at'] !== undefined && values['start-seconds'] !== undefined)
    throw new ConfigError(['tenantscope simulate: --start-at and --start-seconds both say when the scenario starts: give one']);
  const startAt = values['start-at'] === undefined ? undefined : Date.parse(values['start-at']);
  if (startAt !== undefined && Number.isNaN(startAt))
    throw new ConfigError([`tenantscope simulate: --start-at expected an ISO 8601 time, got ${JSON.stringify(values['start-at'])}`]);
  // --start-at is an instant (the demo prints it); a live run counts its window from its own start.
  const startSeconds =
    startAt !== undefined
      ? Math.max(0, (startAt - (values.batch && values.from ? Date.parse(values.from) : Date.now())) / 1000)
      : number('start-seconds', values['start-seconds']);
  const scenarioOptions = {
    scenario,
    seed: number('seed', values.seed) ?? 1,
    ...(values.tenant !== undefined && { scenarioTenant: values.tenant }),
    ...(startSeconds !== undefined && { scenarioStartSeconds: startSeconds }),
    ...(values['scenario-minutes'] !== undefined && { scenarioMinutes: number('scenario-minutes', values['scenario-minutes']) as number }),
  };
  const history = number('history', values.history);
  if (history !== undefined && history > MAX_HISTORY_MINUTES)
    throw new ConfigError([`tenantscope simulate: --history expected at most ${MAX_HISTORY_MINUTES} minutes, got ${history}`]);
  if (values.batch) {
    if (history !== undefined)
      throw new ConfigError(['tenantscope simulate: --history is for live mode; a batch run plays [--from, --from + --minutes) already']);
    if (!values.from || !values.minutes || !values.out)
      throw new ConfigError(['tenantscope simulate --batch: --from, --minutes and --out are required']);
    if (Number.isNaN(Date.parse(values.from)))
      throw new ConfigError([`tenantscope simulate: --from expected an ISO 8601 time, got ${JSON.stringify(values.from)}`]);
    const result = await runBatchSimulation({
      fleet,
      from: values.from,
      minutes: number('minutes', values.minutes) as number,
      outDir: values.out,
      ...scenarioOptions,
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  const log = createLogger(process.env.TENANTSCOPE_LOG_LEVEL ?? 'info', 'tenantscope-simulator');
  const simulator = await startLiveSimulator({
    fleet,
    logger: log,
    ...scenarioOptions,
    ...(history !== undefined && { historyMinutes: history }),
  });
  log.info({ urls: simulator.urls, scenario }, 'simulator running; Ctrl-C stops it');
  await new Promise<void>((resolve) => {
    const onSignal = () => void simulator.stop().then(resolve);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return 0;
}
