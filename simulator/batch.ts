import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ConfigError } from '../services/core/errors';
import type { Fleet } from '../services/config/fleet-types';
import { BackupWriter } from './backup-writer';
import { EvidenceWriter } from './evidence';
import { formatOdooRecord, openLogs } from './odoo-log-writer';
import { AccessLogs } from './traefik-access-log';
import { planScenario, STORM_CONNECTIONS, type ScenarioOptions } from './scenarios';
import { Simulation } from './simulation';
import { TraefikMetrics } from './traefik-metrics';
import { buildTruth } from './truth';
import { parseIsoUtc } from './time-format';

export interface BatchOptions extends ScenarioOptions {
  fleet: Fleet;
  /** ISO 8601 UTC instant the run starts at. */
  from: string;
  minutes: number;
  outDir: string;
  rotateBytes?: number;
}

export interface BatchResult {
  /** Per cluster id, the Odoo log file written (the cluster's `odoo.logFiles[0]`). */
  odooLogFiles: Record<string, string>;
  /** Per cluster id known by its access log, the Traefik access log written (`traefik.accessLogFiles[0]`). */
  traefikAccessLogFiles: Record<string, string>;
  evidenceFile: string;
  traefikMetricsFile: string;
  truthFile: string;
  /** Requests the ingress saw, all tenants. */
  requests: number;
  /** Probe lines in the evidence file. */
  probes: number;
}

/**
 * Plays `[from, from + minutes)` in event time as fast as the machine allows and writes the
 * files. It starts every file it writes afresh (log files and their rotated generations, the
 * backup files, the outputs in `outDir`), so the same seed and inputs give byte-identical output.
 */
export async function runBatchSimulation(options: BatchOptions): Promise<BatchResult> {
  const fromMs = parseFrom(options.from);
  if (!(Number.isFinite(options.minutes) && options.minutes > 0))
    throw new ConfigError([`simulator minutes: expected a number of minutes > 0, got ${options.minutes}`]);
  const toMs = fromMs + Math.round(options.minutes * 60_000);
  const plan = planScenario(options.fleet, options, fromMs);
  mkdirSync(options.outDir, { recursive: true });

  // One Traefik exposition for the whole fleet: router names are unique across clusters.
  const traefik = new TraefikMetrics(fromMs);
  const logs = openLogs(options.fleet, options.rotateBytes, true);
  const accessLogs = new AccessLogs(options.fleet, options.rotateBytes, true);
  let requests = 0;
  // The simulation's request hook writes evidence, and the evidence writer needs the simulation's tenants.
  // eslint-disable-next-line prefer-const -- assigned once, after the simulation its hook is given to
  let evidence: EvidenceWriter | undefined;
  const sim = new Simulation(options.fleet, plan, fromMs, () => traefik, {
    odoo(clusterId, records) {
      const log = logs.get(clusterId);
      if (log) for (const r of records) log.writer.append(formatOdooRecord(r, log.zone));
    },
    request(ev) {
      requests++;
      accessLogs.request(ev);
      evidence?.request(ev);
    },
  });
  evidence = new EvidenceWriter(join(options.outDir, 'evidence.ndjson'), sim.model.tenants);
  const backups = new BackupWriter(sim.model.clusters.values(), plan);
  backups.open(fromMs, true);

  sim.boot();
  const fromSecond = Math.ceil(fromMs / 1000);
  const toSecond = Math.ceil(toMs / 1000);
  for (let second = fromSecond; second < toSecond; second++) {
    for (const t of sim.model.tenants) {
      const probe = sim.model.clusters.get(t.tenant.cluster)?.cluster.probe;
      if (probe && (second - fromSecond) % probe.intervalSeconds === 0)
        evidence.probe(t.tenant.id, second * 1000, sim.model.probeAt(t, second * 1000).ok);
    }
    sim.advanceTo(second + 1);
    const endMs = (second + 1) * 1000;
    if (endMs % 60_000 === 0) evidence.closeMinute(endMs - 60_000);
    else if (second + 1 === toSecond) evidence.closeMinute(Math.floor(endMs / 60_000) * 60_000);
    if ((second - fromSecond) % 600 === 599) await yieldToEventLoop(); // let signals and timers in
  }
  backups.refresh(toMs);
  for (const writer of new Set([...logs.values()].map((l) => l.writer))) writer.flush();
  accessLogs.flush();
  evidence.flush();

  const traefikMetricsFile = join(options.outDir, 'traefik-metrics.prom');
  writeFileSync(traefikMetricsFile, traefik.render());
  const truthFile = join(options.outDir, 'truth.json');
  writeFileSync(truthFile, `${JSON.stringify(buildTruth(sim.model, plan, fromMs, toMs, STORM_CONNECTIONS), null, 2)}\n`);
  return {
    odooLogFiles: Object.fromEntries([...logs].map(([id, log]) => [id, log.writer.file])),
    traefikAccessLogFiles: accessLogs.files(),
    evidenceFile: evidence.file,
    traefikMetricsFile,
    truthFile,
    requests,
    probes: evidence.probes,
  };
}

function parseFrom(from: string): number {
  try {
    return parseIsoUtc(from);
  } catch (err) {
    throw new ConfigError([`simulator from: ${(err as Error).message}`]);
  }
}
