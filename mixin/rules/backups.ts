import { config } from '../config';
import { alertName, type RuleGroup, words, withTier } from '../rule';

const b = config.backups;
const days = (s: number) => `${s / 86_400} days`;

/** Backups, WAL archiving and restore tests (collectors/backups), against each tenant's tier RPO and RTO. */
export const backupRules: RuleGroup = {
  name: 'backups',
  comment: words(
    "Backups and restore tests (collectors/backups) against the tenant's tier: tenantscope_tenant_rpo_seconds and _rto_seconds carry the",
    'tier, so each rule is per tenant. `max by` drops job and instance when two tenantscope processes are scraped.',
  ),
  rules: [
    {
      alert: alertName('BackupOlderThanRpo'),
      comment: "tenantscope_rpo_exposure_seconds: the data a loss now would cost (its dump, or its cluster's backup or WAL archive reach).",
      expr: `max by (tenant, cluster) (tenantscope_rpo_exposure_seconds)\n> on(tenant) group_left(tier)\n  max by (tenant, tier) (tenantscope_tenant_rpo_seconds)`,
      for: b.rpoFor,
      severity: 'critical',
      summary: "A tenant's newest recoverable point is older than its tier's RPO.",
      description: words(
        'A loss now would cost tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }}) the last {{ $value | humanizeDuration }} of data,',
        "more than its tier's recovery point objective of",
        '{{ with printf "max(tenantscope_tenant_rpo_seconds{tenant=%q})" $labels.tenant | query }}{{ . | first | value | humanizeDuration }}{{ end }}.',
      ),
    },
    {
      alert: alertName('WalArchiveStalled'),
      comment:
        'The WAL archive reach is a lower bound read from pgBackRest: an idle server archives a segment at least every archive_timeout.',
      expr: `time() - max by (cluster) (tenantscope_backup_wal_archive_last_timestamp_seconds) > ${b.walArchiveStalledSeconds}`,
      for: b.walArchiveFor,
      severity: 'warning',
      summary: 'The WAL archive of a cluster has stopped moving.',
      description:
        "Cluster {{ $labels.cluster }}'s WAL archive reaches back {{ $value | humanizeDuration }}: point-in-time recovery cannot go past that, and every tenant's RPO exposure grows.",
    },
    {
      alert: alertName('RestoreTestFailed'),
      expr: withTier('(\n  max by (tenant, cluster) (tenantscope_restore_test_last_success) == 0\n)'),
      for: b.restoreTestFailedFor,
      severity: 'warning',
      summary: "A tenant's newest restore test failed.",
      description:
        'The newest restore test of tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }}) failed: its backups are not proven restorable.',
    },
    {
      alert: alertName('RestoreTestOverdue'),
      comment: 'Restore tests that stop running report no failure: the newest success only grows old.',
      expr: withTier(
        `(\n  time() - max by (tenant, cluster) (tenantscope_tenant_backup_last_success_timestamp_seconds{kind="restore-test"}) > ${b.restoreTestMaxAgeSeconds}\n)`,
      ),
      for: b.restoreTestOverdueFor,
      severity: 'warning',
      summary: 'A tenant has had no successful restore test for too long.',
      description: `The last successful restore test of tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }}) finished {{ $value | humanizeDuration }} ago, more than ${days(b.restoreTestMaxAgeSeconds)}.`,
    },
    {
      alert: alertName('RestoreTestSlowerThanRto'),
      comment: "A restore that takes longer than the tier's RTO would break the SLA in a real recovery.",
      expr: `max by (tenant, cluster) (tenantscope_restore_test_last_duration_seconds)\n> on(tenant) group_left(tier)\n  max by (tenant, tier) (tenantscope_tenant_rto_seconds)`,
      for: b.restoreTestFailedFor,
      severity: 'warning',
      summary: "A tenant's restore test took longer than its tier's RTO.",
      description: words(
        'The newest restore test of tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }}) took {{ $value | humanizeDuration }},',
        "longer than its tier's recovery time objective of",
        `{{ with printf "max(tenantscope_tenant_rto_seconds{tenant=%q})" $labels.tenant | query }}{{ . | first | value | humanizeDuration }}{{ end }}.`,
      ),
    },
  ],
};
