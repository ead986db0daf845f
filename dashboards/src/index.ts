import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { collectorHealth } from './collector-health';
import { fleetOverview } from './fleet-overview';
import { noisyNeighbours } from './noisy-neighbours';
import { tenantDetail } from './tenant-detail';
import { slaMonth } from './sla-month';
import { dataPlatform } from './data-platform';
import { METRIC_NAMES, metricNamesIn } from '../../mixin/metric-names';

/** Every dashboard, in the order they are generated. Add a new module here. */
export const DASHBOARDS = [collectorHealth, fleetOverview, noisyNeighbours, tenantDetail, slaMonth, dataPlatform] as const;

/** Each dashboard's file name in dashboards/ (`<uid>.json`) and its exact text. */
export function renderDashboards(): Map<string, string> {
  const files = new Map<string, string>();
  for (const make of DASHBOARDS) {
    const model: Dashboard = make().build();
    if (!model.uid) throw new Error(`dashboard "${model.title}" has no uid`);
    const file = `${model.uid}.json`;
    if (files.has(file)) throw new Error(`two dashboards have the uid ${model.uid}`);
    checkMetricNames(model);
    files.set(file, `${JSON.stringify(model, null, 2)}\n`);
  }
  return files;
}

/** Throws when a panel query reads a series /metrics does not publish (a panel that can never have data). */
function checkMetricNames(model: Dashboard): void {
  const walk = (panels: unknown[] | undefined): void => {
    for (const panel of (panels ?? []) as { title?: string; targets?: { expr?: string }[]; panels?: unknown[] }[]) {
      for (const target of panel.targets ?? []) {
        for (const name of metricNamesIn(target.expr ?? '')) {
          if (!METRIC_NAMES.has(name))
            throw new Error(`dashboard "${model.title}" panel "${panel.title}" reads ${name}, not published on /metrics`);
        }
      }
      walk(panel.panels);
    }
  };
  walk(model.panels);
}
