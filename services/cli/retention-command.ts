import { ConfigError } from '../core/errors';
import type { PartitionFate } from '../storage/retention';
import { planPartitionRetention, runPartitionRetention } from '../queue/partition-retention';
import { parseFlags } from './args';
import { openContext } from '../root/context';

/**
 * `tenantscope retention [--dry-run]`: the monthly partitions per table class, what goes (with
 * its size) and why each kept one stays. Without --dry-run it drops what goes, an admin action
 * logged partition by partition; what the daily `partition-retention` job does.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags('retention', args, { 'dry-run': { type: 'boolean' } });
  if (positionals.length > 0) throw new ConfigError([`tenantscope retention: unexpected argument ${JSON.stringify(positionals[0])}`]);
  const { pool, log, clock, settings, close } = openContext({ name: 'retention' });
  const deps = { pool, retentionMonths: settings.retentionMonths, graceHours: settings.slaGraceHours };
  try {
    const now = clock.now();
    if (values['dry-run']) {
      const plan = await planPartitionRetention(deps, now);
      process.stdout.write(render(plan, 'would drop'));
      return 0;
    }
    log.info(
      { action: 'retention', retentionMonths: settings.retentionMonths },
      'admin action: dropping monthly partitions past retention',
    );
    const { plan, dropped } = await runPartitionRetention(deps, now, log);
    process.stdout.write(render(plan, 'dropped'));
    log.info({ action: 'retention', dropped: dropped.length, bytes: total(dropped) }, 'admin action done');
    return 0;
  } finally {
    await close();
  }
}

function render(plan: readonly PartitionFate[], verb: string): string {
  const lines: string[] = [];
  let cls: string | undefined;
  for (const f of plan) {
    if (f.class !== cls) {
      cls = f.class;
      lines.push(`${cls}:`);
    }
    lines.push(`  ${f.drop ? 'DROP' : 'keep'} ${f.partition.padEnd(40)} ${f.month} ${bytes(f.bytes).padStart(10)}  ${f.reason}`);
  }
  const going = plan.filter((f) => f.drop);
  lines.push(
    `${verb} ${going.length} partition${going.length === 1 ? '' : 's'}, ${bytes(total(going))}; kept ${plan.length - going.length}`,
  );
  return `${lines.join('\n')}\n`;
}

const total = (fates: readonly PartitionFate[]) => fates.reduce((n, f) => n + f.bytes, 0);

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) [v, i] = [v / 1024, i + 1];
  return `${v.toFixed(1)} ${units[i]}`;
}
