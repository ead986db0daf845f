import { fleetPath, loadFleetFile } from '../config/fleet';
import { listTargets } from '../../collectors/targets';
import { parseFlags } from './args';

export async function run(args: string[]): Promise<number> {
  const { values } = parseFlags('check-config', args, { fleet: { type: 'string' } });
  const fleet = loadFleetFile(fleetPath('check-config', values.fleet, process.env.TENANTSCOPE_FLEET_FILE), { sourcesReadable: true });
  const targets = listTargets(fleet);
  process.stdout.write(
    `fleet file ${fleet.source} is valid: ${Object.keys(fleet.tiers).length} tiers, ${Object.keys(fleet.clusters).length} clusters, ` +
      `${fleet.tenants.length} tenants, ${targets.length} collector targets\n`,
  );
  return 0;
}
