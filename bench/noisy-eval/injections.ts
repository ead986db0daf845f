/**
 * What a scenario does to the cluster. Onsets and ends are in fractional minutes from the start
 * of the run, so an injection can begin mid-minute as real ones do.
 */
interface Window {
  onset: number;
  end: number;
}

export type Injection = Window &
  (
    | { kind: 'cpu_report'; tenant: number; sessions: number }
    | { kind: 'slow_requests'; tenant: number; workerShare: number; requestSeconds: number }
    | { kind: 'temp_spill'; tenant: number; ioRho: number }
    | { kind: 'conn_storm'; tenant: number; connections: number }
    | { kind: 'redis_flood'; tenant: number; redisRho: number }
    | { kind: 'lock_wait'; tenant: number; waitSeconds: number; idleConnections: number }
    | { kind: 'host_slowdown'; cpuFactor: number; pythonFactor: number }
    | { kind: 'load_spike'; tenant: number; factor: number; rateLimitFactor: number }
    | { kind: 'diurnal_peak'; factor: number; rampMinutes: number }
  );

/** The part of minute [m, m+1) that the injection covers, 0..1. */
export function coverage(inj: Window, minute: number): number {
  return Math.max(0, Math.min(minute + 1, inj.end) - Math.max(minute, inj.onset));
}

/** Load multiplier of a diurnal peak: ramps up, holds, ramps down. */
export function peakFactor(inj: Extract<Injection, { kind: 'diurnal_peak' }>, minute: number): number {
  const t = minute + 0.5;
  if (t <= inj.onset - inj.rampMinutes || t >= inj.end + inj.rampMinutes) return 1;
  const up = Math.min(1, (t - (inj.onset - inj.rampMinutes)) / inj.rampMinutes);
  const down = Math.min(1, (inj.end + inj.rampMinutes - t) / inj.rampMinutes);
  return 1 + (inj.factor - 1) * Math.min(up, down);
}
