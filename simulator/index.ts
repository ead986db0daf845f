/**
 * The fleet simulator (docs/operations.md): plays a fleet of Odoo tenants in the real formats of Odoo
 * logs, Traefik metrics and router API, pgBackRest info and backup job results, with real load
 * on PostgreSQL and Redis in live mode, and scenarios with a known ground truth.
 */
export { SCENARIOS, type ScenarioName, type ScenarioOptions } from './scenarios';
export { runBatchSimulation, type BatchOptions, type BatchResult } from './batch';
export { startLiveSimulator, type LiveSimulator, type LiveSimulatorOptions } from './live';
