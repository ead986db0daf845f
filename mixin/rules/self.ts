import { config } from '../config';
import { alertName, type RuleGroup, spoken } from '../rule';

const { downFor, collectorStaleSeconds, collectorFor } = config.self;

/** tenantscope watching itself: when these fire, every other alert may be blind. */
export const selfRules: RuleGroup = {
  name: 'tenantscope-self',
  comment: 'tenantscope watching itself: when these fire, every other alert may be blind.',
  rules: [
    {
      alert: alertName('Down'),
      expr: `up{${config.selectors.tenantscopeJob}} == 0`,
      for: downFor,
      severity: 'critical',
      summary: 'Prometheus cannot scrape tenantscope.',
      description: `Prometheus has failed to scrape tenantscope at {{ $labels.instance }} for ${spoken(downFor)}: no tenant metrics arrive and the other tenantscope alerts cannot fire.`,
    },
    {
      alert: alertName('MetricsStoreDown'),
      comment:
        'When /metrics cannot read PostgreSQL, every store-backed series vanishes instead of going to 0 and `up` stays 1: without this alert that outage silences all the others.',
      expr: 'tenantscope_metrics_store_up == 0',
      for: downFor,
      severity: 'critical',
      summary: 'tenantscope cannot read its PostgreSQL store.',
      description: `tenantscope at {{ $labels.instance }} has not been able to read its PostgreSQL store for ${spoken(downFor)}: per-tenant, probe and collector series are absent, so the alerts built on them cannot fire.`,
    },
    {
      alert: alertName('CollectorDown'),
      expr: 'tenantscope_collector_success == 0',
      for: collectorFor,
      severity: 'warning',
      summary: 'A tenantscope collector is failing.',
      description: `Collector {{ $labels.collector }} has failed on target {{ $labels.target }} for ${spoken(collectorFor)}; the metrics and SLA evidence it yields are missing meanwhile.`,
    },
    {
      alert: alertName('CollectorStale'),
      comment: 'A collector that stops being scheduled reports no failure: its last success stays 1.',
      expr: `time() - tenantscope_collector_last_run_timestamp_seconds > ${collectorStaleSeconds}`,
      for: collectorFor,
      severity: 'warning',
      summary: 'A tenantscope collector has stopped running.',
      description: 'Collector {{ $labels.collector }} last ran on target {{ $labels.target }} {{ $value | humanizeDuration }} ago.',
    },
  ],
};
