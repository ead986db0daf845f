import { config } from '../config';
import { alertName, type RuleGroup, spoken, words, withTier } from '../rule';
import { burn } from './slo';

const n = config.noisy;
const active = (role: string) => `max by (tenant, cluster, resource) (tenantscope_noisy_neighbour_active{role="${role}"})`;
const pageBurn = config.slo.fast[0]!;

export const noisyRules: RuleGroup = {
  name: 'noisy-neighbours',
  comment: words(
    'Noisy neighbours (services/noisy): tenantscope_noisy_neighbour_active is 1 per tenant and role of each confirmed incident still open, so the',
    "detector's hysteresis (docs/noisy-neighbours.md) is already behind these series. The inner `max by (tenant, cluster, resource)` drops job",
    'and instance so that two scraped tenantscope processes neither count a victim twice nor alert twice.',
  ),
  rules: [
    {
      alert: alertName('NoisyNeighbourAntagonist'),
      comment: words(
        "One alert per antagonist, cluster and resource. Its value is the number of distinct victims of the cluster's open incidents on that",
        'resource, joined one-to-many onto the antagonists with `on(cluster, resource) group_left()`. The `or ... * 0` arm keeps the alert',
        '(value 0) when no victim series is published for it (victims of inactive tenants are not). `for` is short: the detector has confirmed',
        'the incident already; it rides over one bad scrape.',
      ),
      expr: withTier(
        `(\n  ${active('antagonist')}\n  * on(cluster, resource) group_left()\n    (\n        count by (cluster, resource) (\n          ${active('victim')}\n        )\n      or\n        max by (cluster, resource) (tenantscope_noisy_neighbour_active{role="antagonist"}) * 0\n    )\n)`,
      ),
      for: n.antagonistFor,
      severity: 'warning',
      summary: 'A tenant is named antagonist in a noisy-neighbour incident.',
      description: words(
        'Tenant {{ $labels.tenant }} ({{ $labels.tier }} tier) is named antagonist on',
        "{{ $labels.resource }} of cluster {{ $labels.cluster }}: the cluster's open incident on",
        'that resource has {{ $value }} victim tenant(s).',
      ),
    },
    {
      alert: alertName('NoisyNeighbourCapacity'),
      comment: words(
        'Victims on a cluster and resource with no antagonist named on that same resource: a capacity incident. `unless on(cluster, resource)`,',
        'not on(cluster): an antagonist on another resource of the cluster explains nothing here. Value: distinct victims.',
      ),
      expr: `count by (cluster, resource) (\n  ${active('victim')}\n)\nunless on(cluster, resource)\n  tenantscope_noisy_neighbour_active{role="antagonist"}`,
      for: n.capacityFor,
      severity: 'warning',
      summary: 'A cluster is short of a shared resource and no single tenant is to blame.',
      description: words(
        '{{ $value }} tenant(s) of cluster {{ $labels.cluster }} have been victims on',
        `{{ $labels.resource }} for ${spoken(n.capacityFor)} with no antagonist named: the cluster is short of`,
        '{{ $labels.resource }} and no single tenant is to blame.',
      ),
    },
    {
      alert: alertName('NoisyNeighbourPage'),
      comment: words(
        `Page only when the incident is confirmed and some victim's ${pageBurn.long} burn rate is >= ${pageBurn.factor}; the antagonist alert is the`,
        "ticket otherwise (and is inhibited by this page, same tenant, in deploy/alertmanager/alertmanager.yml). Each victim's burn is put on its",
        'victim series `on(tenant)`, kept where it pages, and the worst per cluster and resource is joined onto the antagonists `on(cluster,',
        "resource)`: a victim burning on another resource or cluster pages nobody. The value is the worst victim's burn.",
      ),
      expr: withTier(
        `(\n  ${active('antagonist')}\n  * on(cluster, resource) group_left()\n    max by (cluster, resource) (\n      ${active('victim')}\n      * on(tenant) group_left()\n        max by (tenant) (${burn(pageBurn.long)})\n      >= ${pageBurn.factor}\n    )\n)`,
      ),
      for: n.pageFor,
      severity: 'critical',
      summary: 'A noisy neighbour is making another tenant burn its error budget fast.',
      description: words(
        'Tenant {{ $labels.tenant }} ({{ $labels.tier }} tier) is named antagonist on',
        '{{ $labels.resource }} of cluster {{ $labels.cluster }} and a victim of that incident',
        'is burning its error budget at {{ printf "%.1f" $value }} times the rate its SLA',
        `target allows over the last hour (the worst victim; ${pageBurn.factor} pages).`,
      ),
    },
  ],
};
