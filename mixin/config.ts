/**
 * The one monitoring config (as kubernetes-mixin's config.libsonnet): every threshold, window,
 * burn factor, `for`, selector and the runbook link pattern the generated alert rules
 * (alert-rules/tenantscope.yaml, `npm run alerts`) and the dashboards read. Change a number here,
 * regenerate both, and the rules, their descriptions and the dashboards' threshold lines move
 * together; the promtool cases in alert-rules/tests/ then say what the change does.
 */

/** A Prometheus duration as the rules file writes it: 5m, 1h, 3d. */
export type Duration = `${number}${'s' | 'm' | 'h' | 'd'}`;

/** One arm of a multiwindow burn-rate alert (Google SRE workbook, "Alerting on SLOs"). */
export interface BurnArm {
  long: Duration;
  short: Duration;
  /** Burn rate both windows must reach: 1 spends the month's budget exactly over the month. */
  factor: number;
}

export const config = {
  /** Selects the tenantscope scrape job (deploy/prometheus/prometheus.yml keeps this job name). */
  selectors: { tenantscopeJob: 'job="tenantscope"' },

  /**
   * Runbook links are `<runbook_base>/<path>#<alert name in lower case>`: runbook_base is an
   * external label of the Prometheus that loads the rules, where a copy of this repository can be
   * read; without it the link is the runbook's path in this repository.
   */
  runbook: { baseLabel: 'runbook_base', path: 'alert-rules/runbook.md' },

  /** The prefix every alert name starts with. */
  alertPrefix: 'Tenantscope',

  self: { downFor: '5m' as Duration, collectorStaleSeconds: 300, collectorFor: '5m' as Duration },

  tenants: {
    probeFailingFor: '3m' as Duration,
    /** The SLA's default server error ratio and minRequests (docs/sla.md). */
    serverErrorRatio: 0.05,
    minRequestsPerMinute: 10,
    serverErrorsFor: '10m' as Duration,
    /** A cluster is down, not its tenants one by one, when this share of them (and at least `clusterMinTenants`) fail probes. */
    clusterDownShare: 0.5,
    clusterMinTenants: 2,
  },

  slo: {
    /** Windows of the recorded bad-minute ratios and burn rates: each gets its own record rules. */
    windows: ['5m', '30m', '1h', '6h', '3d'] as Duration[],
    /** Page: 2 % of a 30-day budget in 1 h, or 5 % in 6 h. */
    fast: [
      { long: '1h', short: '5m', factor: 14.4 },
      { long: '6h', short: '30m', factor: 6 },
    ] as BurnArm[],
    fastFor: '2m' as Duration,
    /** No page for fewer bad minutes than this in an arm's long window, whatever the ratio. */
    minBadMinutes: 3,
    /** Ticket: 10 % of a 30-day budget in 3 days. */
    slow: { long: '3d', short: '6h', factor: 1 } as BurnArm,
    slowFor: '1h' as Duration,
    /** How long the fast burn stands aside after the tenant-down page (outage forgotten by both arms). */
    afterTenantDown: '40m' as Duration,
    budgetExhaustedFor: '15m' as Duration,
    creditImminentMinutes: 60,
    creditImminentFor: '10m' as Duration,
  },

  noisy: { antagonistFor: '2m' as Duration, capacityFor: '5m' as Duration, pageFor: '2m' as Duration },

  postgres: {
    replicationLagSeconds: 300,
    replicationLagFor: '10m' as Duration,
    slotRetainedBytes: 5 * 1024 ** 3,
    slotRetainedFor: '15m' as Duration,
    slotInactiveFor: '30m' as Duration,
    connectionsRatio: 0.85,
    connectionsFor: '5m' as Duration,
    /** Backend-seconds per second other statements waited on the tenant's locks (1: one backend always waiting). */
    lockCausedPerSecond: 1,
    lockFor: '10m' as Duration,
    idleInTransactionSeconds: 900,
    idleInTransactionFor: '5m' as Duration,
  },

  backups: {
    /** Margin over the tier's RPO before alerting, for backup schedules that land just after it. */
    rpoFor: '15m' as Duration,
    walArchiveStalledSeconds: 3600,
    walArchiveFor: '15m' as Duration,
    restoreTestFailedFor: '5m' as Duration,
    /** Restore tests run weekly: one day of margin. */
    restoreTestMaxAgeSeconds: 8 * 86_400,
    restoreTestOverdueFor: '1h' as Duration,
  },

  odoo: {
    /** Limit kills (memory, CPU, timeout) of a tenant's workers within `killsWindow`. */
    workerKills: 3,
    killsWindow: '15m' as Duration,
    cronFailures: 3,
    cronWindow: '1h' as Duration,
  },

  redis: {
    memoryRatio: 0.9,
    memoryFor: '10m' as Duration,
    evictionsWindow: '10m' as Duration,
    evictionsFor: '10m' as Duration,
  },
} as const;
