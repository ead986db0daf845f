import { config } from '../config';
import { alertName, type RuleGroup, spoken } from '../rule';

const r = config.redis;

/** The shared Redis of each cluster (collectors/redis). */
export const redisRules: RuleGroup = {
  name: 'redis',
  comment: 'The shared Redis of each cluster (collectors/redis). maxmemory 0 means no limit: no ratio then.',
  rules: [
    {
      alert: alertName('RedisMemoryNearMax'),
      expr: `max by (cluster) (tenantscope_redis_memory_used_bytes)\n  / (max by (cluster) (tenantscope_redis_memory_max_bytes) > 0)\n> ${r.memoryRatio}`,
      for: r.memoryFor,
      severity: 'warning',
      summary: 'A Redis server is close to its maxmemory.',
      description:
        'Redis of cluster {{ $labels.cluster }} uses {{ $value | humanizePercentage }} of its maxmemory: it will soon evict keys or refuse writes.',
    },
    {
      alert: alertName('RedisEvictions'),
      comment: 'Odoo keeps sessions and caches in Redis: an evicted session logs its user out.',
      expr: `max by (cluster) (increase(tenantscope_redis_evicted_keys_total[${r.evictionsWindow}])) > 0`,
      for: r.evictionsFor,
      severity: 'warning',
      summary: 'A Redis server evicts keys.',
      description: `Redis of cluster {{ $labels.cluster }} evicted {{ printf "%.0f" $value }} keys in the last ${spoken(r.evictionsWindow)} for maxmemory.`,
    },
  ],
};
