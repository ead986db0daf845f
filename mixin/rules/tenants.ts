import { config } from '../config';
import { alertName, type RuleGroup, spoken, withTier, words } from '../rule';
import { MONTH_TO_DATE } from './month-to-date';

const t = config.tenants;
const probes = 'max by (tenant, cluster) (tenantscope_probe_success)';
const failing = `count by (cluster) (${probes} == 0)`;
const requests = (matchers = '') => `sum by (tenant, cluster) (rate(tenantscope_odoo_requests_total${matchers}[5m]))`;

/** The Odoo tenants as their users see them; the tier says which SLA is at stake. */
export const tenantRules: RuleGroup = {
  name: 'odoo-tenants',
  comment:
    'The Odoo tenants as their users see them. tenantscope_tenant_info adds the tier (and the cluster) so that on-call sees which SLA is at stake; `max by` keeps the join one-to-one when more than one tenantscope process is scraped.',
  rules: [
    {
      alert: alertName('ClusterDown'),
      comment: words(
        `A cluster-wide outage pages once: when at least ${t.clusterDownShare * 100} % of a cluster's tenants (and ${t.clusterMinTenants} or more)`,
        "fail their probes, this alert names the cluster and Alertmanager mutes the tenants' own pages of that cluster",
        '(deploy/alertmanager/alertmanager.yml). `max by (tenant, cluster)` keeps one probe series per tenant.',
      ),
      expr: `${failing} >= ${t.clusterMinTenants}\nand on(cluster)\n  ${failing}\n    / count by (cluster) (${probes})\n  >= ${t.clusterDownShare}`,
      for: t.probeFailingFor,
      severity: 'critical',
      summary: 'Most Odoo tenants of a cluster fail their availability probe.',
      description: `{{ $value }} tenants of cluster {{ $labels.cluster }} have failed their probes for ${spoken(t.probeFailingFor)}: the cluster's shared Odoo, PostgreSQL, Redis or ingress is down, not one tenant.`,
    },
    {
      alert: alertName('TenantDown'),
      expr: withTier('(tenantscope_probe_success == 0)', 'tier, cluster'),
      for: t.probeFailingFor,
      severity: 'critical',
      summary: 'An Odoo tenant fails its availability probe.',
      description: words(
        `Probes of tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }}) have failed for ${spoken(t.probeFailingFor)}.`,
        MONTH_TO_DATE,
      ),
    },
    {
      alert: alertName('TenantServerErrors'),
      comment: `Ratio of 5xx to all requests, only where there is enough traffic for a ratio to mean something: at least ${t.minRequestsPerMinute} requests a minute, the SLA's default minRequests (docs/sla.md).`,
      expr: withTier(
        `(\n  (\n    ${requests('{code_class="5xx"}')}\n    /\n    ${requests()}\n    > ${t.serverErrorRatio}\n  )\n  and on(tenant, cluster)\n    ${requests()} * 60 >= ${t.minRequestsPerMinute}\n)`,
      ),
      for: t.serverErrorsFor,
      severity: 'warning',
      summary: 'An Odoo tenant answers many requests with server errors.',
      description:
        '{{ $value | humanizePercentage }} of the requests to tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }}) failed with a 5xx status over the last 5 minutes.',
    },
  ],
};
