import { config } from '../config';
import { alertName, type RuleGroup, spoken, withTier } from '../rule';

const o = config.odoo;
const LIMIT_KILLS = 'memory-limit|cpu-limit|timeout-kill';

/** Odoo workers and cron jobs, from the Odoo logs (collectors/odoo-log). */
export const odooRules: RuleGroup = {
  name: 'odoo-workers',
  comment: 'Odoo workers and cron jobs, from the Odoo logs. Counters are summed per tenant: two tenantscope processes would double them.',
  rules: [
    {
      alert: alertName('OdooWorkerLimitKills'),
      comment: 'A kill is attributed to the tenant whose database the worker last named in the log: a best guess for a hung request.',
      expr: withTier(
        `(\n  sum by (tenant, cluster) (increase(tenantscope_odoo_tenant_worker_events_total{event=~"${LIMIT_KILLS}"}[${o.killsWindow}])) >= ${o.workerKills}\n)`,
      ),
      severity: 'warning',
      summary: 'Odoo workers serving a tenant are killed at their limits.',
      description: `Odoo killed {{ printf "%.0f" $value }} workers at their memory, CPU or time limit in the last ${spoken(o.killsWindow)} on cluster {{ $labels.cluster }}, last serving tenant {{ $labels.tenant }} ({{ $labels.tier }} tier).`,
    },
    {
      alert: alertName('OdooCronFailures'),
      expr: withTier(
        `(\n  sum by (tenant, cluster) (increase(tenantscope_odoo_cron_runs_total{result="failed"}[${o.cronWindow}])) >= ${o.cronFailures}\n)`,
      ),
      severity: 'warning',
      summary: "A tenant's Odoo cron jobs fail.",
      description: `{{ printf "%.0f" $value }} cron job runs of tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }}) failed in the last ${spoken(o.cronWindow)}.`,
    },
  ],
};
