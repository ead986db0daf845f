import type { Redis } from 'ioredis';
import { parseClientList, type ClientRecord } from './client-list';
import { parseInfo, serverStats, type RedisInfo, type RedisServerStats } from './info-parser';

/**
 * Reads one Redis server: `INFO all` (every section) and `CLIENT LIST`, on one connection and in
 * one pipeline so both describe the same moment. Which tenant a client belongs to is the
 * ingest's business (the fleet file's prefixes and db indexes), not the collector's.
 */
export const name = 'redis';

export type { ClientRecord, RedisInfo, RedisServerStats };

export interface RedisSample {
  type: 'sample';
  /** When the answer arrived, ms since the epoch. */
  ts: number;
  info: RedisInfo;
  stats: RedisServerStats;
  clients: ClientRecord[];
  /** The collector's own connection, which is in CLIENT LIST too and belongs to no tenant. */
  selfClientId: number;
  /** INFO and CLIENT LIST lines that could not be read. */
  rejected: number;
}

export interface RedisInput {
  client: Redis;
  now: () => number;
}

export async function collect(input: RedisInput): Promise<RedisSample> {
  const replies = await input.client.pipeline().client('ID').info('all').client('LIST').exec();
  if (!replies) throw new Error('redis: the pipeline was discarded');
  const [id, info, list] = replies.map(([err, value]) => {
    if (err) throw err;
    return value;
  }) as [number, string, string];
  const ts = input.now();
  const parsedInfo = parseInfo(info);
  const parsedClients = parseClientList(list);
  return {
    type: 'sample',
    ts,
    info: parsedInfo.info,
    stats: serverStats(parsedInfo.info),
    clients: parsedClients.clients,
    selfClientId: Number(id),
    rejected: parsedInfo.rejected + parsedClients.rejected,
  };
}
