import { dict, optional, toNumber } from './info-parser';

/** `CLIENT LIST` as Redis 5 to 7.4 print it (and the `tot-cmds` of Redis 8 / Valkey 8). */

export interface ClientRecord {
  type: 'client';
  id: number;
  addr: string;
  /** Null when the client set no name. */
  name: string | null;
  db: number;
  cmd?: string;
  ageSeconds?: number;
  idleSeconds?: number;
  flags?: string;
  /** Total memory the client uses (Redis 6.0+). */
  totMemBytes?: number;
  outputMemBytes?: number;
  queryBufferBytes?: number;
  /** Commands run on the connection (Redis 8 / Valkey 8 `tot-cmds`). */
  totalCommands?: number;
}

export interface ParsedClients {
  clients: ClientRecord[];
  rejected: number;
}

/**
 * Parses `CLIENT LIST`: one client per line of `key=value` tokens separated by spaces. Names
 * cannot hold spaces (CLIENT SETNAME refuses them), so the split is exact. A line without a
 * numeric `id` and `db` is rejected.
 */
export function parseClientList(text: string): ParsedClients {
  const clients: ClientRecord[] = [];
  let rejected = 0;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const p = dict<string>();
    let ok = true;
    for (const token of line.trim().split(/ +/)) {
      const eq = token.indexOf('=');
      if (eq <= 0) ok = false;
      else p[token.slice(0, eq)] = token.slice(eq + 1);
    }
    const id = toNumber(p.id);
    const db = toNumber(p.db);
    if (!ok || id === undefined || db === undefined || !Number.isInteger(id) || !Number.isInteger(db)) {
      rejected += 1;
      continue;
    }
    clients.push({
      type: 'client',
      id,
      addr: p.addr ?? '',
      name: p.name ? p.name : null,
      db,
      ...(p.cmd !== undefined && { cmd: p.cmd }),
      ...(p.flags !== undefined && { flags: p.flags }),
      ...optional(p, 'age', 'ageSeconds'),
      ...optional(p, 'idle', 'idleSeconds'),
      ...optional(p, 'tot-mem', 'totMemBytes'),
      ...optional(p, 'omem', 'outputMemBytes'),
      ...optional(p, 'qbuf', 'queryBufferBytes'),
      ...optional(p, 'tot-cmds', 'totalCommands'),
    });
  }
  return { clients, rejected };
}
