import type { Fleet } from '../services/config/fleet-types';
import { EventQueue } from './event-queue';
import { TrafficModel, type CronEvent, type RequestEvent } from './model';
import { OdooProcesses, type OdooRecord } from './odoo-workers';
import type { ScenarioPlan } from './scenarios';
import type { TraefikMetrics } from './traefik-metrics';
import { routerName, serviceName } from './traefik-routers';

/** Where a simulation's output goes; batch writes files, live also feeds servers and load. */
export interface SimulationSinks {
  /** Records for one cluster's Odoo log, in time order, once per simulated second. */
  odoo(clusterId: string, records: readonly OdooRecord[]): void;
  /** Each request as it ends, after the ingress counted it. */
  request?(ev: RequestEvent): void;
}

type SimEvent = RequestEvent | CronEvent;

/**
 * Drives the model through event time, the same way in both modes: each second's requests and
 * cron runs go into one queue, and everything dated before the end of the second is played in
 * time order through the Odoo process tables, the Traefik counters and the sinks. Requests that
 * end later (a watchdog kill, a long cron job) wait in the queue for their second.
 */
export class Simulation {
  readonly model: TrafficModel;
  private readonly processes = new Map<string, OdooProcesses>();
  private readonly queue = new EventQueue<SimEvent>();
  private nextSecond: number;

  constructor(
    fleet: Fleet,
    plan: ScenarioPlan,
    readonly startMs: number,
    private readonly traefikFor: (clusterId: string) => TraefikMetrics | undefined,
    private readonly sinks: SimulationSinks,
  ) {
    this.model = new TrafficModel(fleet, plan);
    for (const [id, cluster] of this.model.clusters) this.processes.set(id, new OdooProcesses(cluster, plan.seed));
    // Workers are up a moment after the boot lines; traffic starts with the next whole second.
    this.nextSecond = Math.ceil(startMs / 1000) + 1;
  }

  /** The first second not yet played. */
  get playedUntilSecond(): number {
    return this.nextSecond;
  }

  processesOf(clusterId: string): OdooProcesses | undefined {
    return this.processes.get(clusterId);
  }

  /** Prints each cluster's server start lines at the start instant. */
  boot(): void {
    for (const [id, processes] of this.processes) this.sinks.odoo(id, processes.boot(this.startMs));
  }

  /** Plays every second before `untilSecond` (exclusive). */
  advanceTo(untilSecond: number): void {
    for (; this.nextSecond < untilSecond; this.nextSecond++) {
      const second = this.nextSecond;
      for (const t of this.model.tenants) {
        for (const ev of this.model.requestsAt(t, second)) this.queue.push(ev);
        for (const ev of this.model.cronsAt(t, second)) this.queue.push(ev);
      }
      this.play((second + 1) * 1000);
      this.updateConnections(second);
    }
  }

  /** Jumps over seconds that will never be played (a live clock that leapt forward). */
  skipTo(second: number): void {
    this.nextSecond = Math.max(this.nextSecond, second);
  }

  /** Adds a request that really reached the live ingress (a probe); it is played with its second. */
  inject(ev: RequestEvent): void {
    this.queue.push(ev);
  }

  private play(beforeMs: number): void {
    const records = new Map<string, OdooRecord[]>();
    for (let ev = this.queue.popBefore(beforeMs); ev; ev = this.queue.popBefore(beforeMs)) {
      const clusterId = ev.tenant.tenant.cluster;
      const processes = this.processes.get(clusterId);
      let out = records.get(clusterId);
      if (!out) records.set(clusterId, (out = []));
      if (ev.kind === 'cron') {
        if (processes) out.push(processes.cronRecord(ev));
        continue;
      }
      if (processes) out.push(...processes.request(ev));
      const tenant = ev.tenant.tenant;
      this.traefikFor(clusterId)?.record({
        router: routerName(tenant),
        service: serviceName(tenant),
        code: ev.ingress.code,
        method: ev.method,
        protocol: ev.protocol,
        seconds: ev.ingress.seconds,
        requestBytes: ev.ingress.requestBytes,
        responseBytes: ev.ingress.responseBytes,
      });
      this.sinks.request?.(ev);
    }
    for (const [clusterId, out] of records) {
      if (out.length > 0)
        this.sinks.odoo(
          clusterId,
          out.sort((a, b) => a.ms - b.ms),
        );
    }
  }

  /** Browsers keep a couple of connections each, and websockets stay open: about 2.5 per request/s. */
  private updateConnections(second: number): void {
    const totals = new Map<TraefikMetrics, number>();
    for (const t of this.model.tenants) {
      const store = this.traefikFor(t.tenant.cluster);
      if (store) totals.set(store, (totals.get(store) ?? 0) + 2.5 * this.model.rate(t, second * 1000));
    }
    for (const [store, total] of totals) store.setOpenConnections(Math.round(total));
  }
}
