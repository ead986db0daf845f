import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClientList } from './client-list';
import { infoRecords, parseInfo, serverStats } from './info-parser';

const fixture = (name: string) => readFileSync(join(__dirname, '../../test/fixtures/redis-info', name), 'utf8');

describe('parseInfo on whole INFO texts of each version', () => {
  it.each([
    {
      file: 'info-5.0-master.txt',
      version: '5.0.14',
      role: 'master',
      gauges: {
        usedMemoryBytes: 104857600,
        maxMemoryBytes: 268435456,
        fragmentationRatio: 1.2,
        opsPerSecond: 1250,
        connectedClients: 42,
        blockedClients: 3,
        connectedReplicas: 1,
        replicationOffsetBytes: 4820563,
      },
      counters: {
        commandsProcessed: 98765432,
        evictedKeys: 1337,
        expiredKeys: 451200,
        keyspaceHits: 7654321,
        keyspaceMisses: 123456,
        rejectedConnections: 2,
      },
      // maxclients arrived in the Clients section in 6.0 (5.0 prints it nowhere)
      absent: ['maxClients', 'replicaOffsetBytes'],
      counts: { keyspace: 2, commands: 5, errors: 0, replicas: 1, latencies: 0, modules: 0 },
    },
    {
      file: 'info-6.0-replica.txt',
      version: '6.0.20',
      role: 'slave',
      gauges: { usedMemoryBytes: 52428800, maxMemoryBytes: 0, connectedReplicas: 0, replicaOffsetBytes: 4820001 },
      counters: { commandsProcessed: 4500, keyspaceHits: 300 },
      absent: ['maxClients'],
      counts: { keyspace: 1, commands: 2, errors: 0, replicas: 0, latencies: 0, modules: 0 },
    },
    {
      file: 'info-6.2-default.txt',
      version: '6.2.14',
      role: 'master',
      gauges: { usedMemoryBytes: 1024000, maxClients: 10000, blockedClients: 1, fragmentationRatio: 8.19 },
      counters: { commandsProcessed: 210, expiredKeys: 1 },
      absent: ['replicaOffsetBytes'],
      counts: { keyspace: 2, commands: 0, errors: 2, replicas: 0, latencies: 0, modules: 0 },
    },
    {
      file: 'info-7.4-all.txt',
      version: '7.4.1',
      role: 'master',
      gauges: {
        usedMemoryBytes: 33554432,
        maxMemoryBytes: 1073741824,
        connectedClients: 25,
        connectedReplicas: 2,
        replicationOffsetBytes: 99887766,
      },
      counters: { commandsProcessed: 12000000, connectionsReceived: 4000 },
      absent: ['replicaOffsetBytes'],
      counts: { keyspace: 2, commands: 6, errors: 3, replicas: 2, latencies: 3, modules: 2 },
    },
  ])('$file', ({ file, version, role, gauges, counters, absent, counts }) => {
    const { info, rejected } = parseInfo(fixture(file));
    expect(rejected).toBe(0);
    const stats = serverStats(info);
    expect(stats.version).toBe(version);
    expect(stats.role).toBe(role);
    expect(stats.runId).toMatch(/^[0-9a-f]{40}$/);
    expect(stats.gauges).toMatchObject(gauges);
    expect(stats.counters).toMatchObject(counters);
    for (const key of absent) expect(stats.gauges, `${key} must be absent, not 0`).not.toHaveProperty(key);
    expect({
      keyspace: info.keyspace.length,
      commands: info.commands.length,
      errors: info.errors.length,
      replicas: info.replicas.length,
      latencies: info.latencies.length,
      modules: info.modules.length,
    }).toEqual(counts);
  });

  it('reads the replica side of replication (6.0): link down, applied offset', () => {
    const stats = serverStats(parseInfo(fixture('info-6.0-replica.txt')).info);
    expect(stats.masterLinkUp).toBe(false);
    expect(serverStats(parseInfo(fixture('info-5.0-master.txt')).info).masterLinkUp).toBeUndefined();
  });

  it('gives the same result for CRLF and LF line ends (the live 7.0 capture)', () => {
    const crlf = fixture('info-7.0-all-crlf.txt');
    expect(crlf).toContain('\r\n');
    const a = parseInfo(crlf);
    const b = parseInfo(crlf.replace(/\r\n/g, '\n'));
    expect(a).toEqual(b);
    expect(a.rejected).toBe(0);
    expect(a.info.sections.Server?.redis_version).toBe('7.0.15');
    expect(a.info.commands.some((c) => c.command === 'client|list' && c.failedCalls !== undefined)).toBe(true);
    expect(a.info.latencies.length).toBeGreaterThan(0);
  });

  it('keeps plain fields raw, by section, without the structured lines', () => {
    const { info } = parseInfo(fixture('info-7.4-all.txt'));
    expect(info.sections.Memory?.used_memory_human).toBe('32.00M');
    expect(info.sections.Server?.listener0).toBe('name=tcp,bind=*,bind=-::*,port=6379');
    expect(info.sections.Server?.config_file).toBe('/usr/local/etc/redis/redis.conf');
    expect(info.sections.Keyspace).toBeUndefined();
    expect(info.sections.Commandstats).toBeUndefined();
  });
});

describe('parseInfo line by line', () => {
  it.each([
    ['db0:keys=84512,expires=80211,avg_ttl=1523411', { type: 'keyspace', db: 0, keys: 84512, expires: 80211, avgTtlMs: 1523411 }],
    ['db15:keys=1,expires=1,avg_ttl=0,subexpiry=1', { type: 'keyspace', db: 15, keys: 1, expires: 1, avgTtlMs: 0, subexpiry: 1 }],
    ['db0:keys=10,expires=0,avg_ttl=0,cached_keys=10', { type: 'keyspace', db: 0, keys: 10, expires: 0, avgTtlMs: 0, cachedKeys: 10 }],
    ['cmdstat_get:calls=2,usec=15,usec_per_call=7.50', { type: 'command', command: 'get', calls: 2, usec: 15, usecPerCall: 7.5 }],
    [
      'cmdstat_client|list:calls=13,usec=647,usec_per_call=49.77,rejected_calls=1,failed_calls=2',
      { type: 'command', command: 'client|list', calls: 13, usec: 647, usecPerCall: 49.77, rejectedCalls: 1, failedCalls: 2 },
    ],
    [
      'cmdstat_FT.SEARCH:calls=1,usec=90,usec_per_call=90.00',
      { type: 'command', command: 'ft.search', calls: 1, usec: 90, usecPerCall: 90 },
    ],
    ['errorstat_WRONGTYPE:count=7', { type: 'error', error: 'WRONGTYPE', count: 7 }],
    [
      'slave0:ip=10.0.0.12,port=6379,state=online,offset=4820563,lag=0',
      { type: 'replica', index: 0, ip: '10.0.0.12', port: 6379, state: 'online', offset: 4820563, lag: 0 },
    ],
    [
      'slave1:ip=::1,port=6380,state=wait_bgsave,offset=0',
      { type: 'replica', index: 1, ip: '::1', port: 6380, state: 'wait_bgsave', offset: 0 },
    ],
    [
      'latency_percentiles_usec_get:p50=1.003,p99=4.015,p99.9=6.015',
      { type: 'latency', command: 'get', percentilesUsec: { p50: 1.003, p99: 4.015, 'p99.9': 6.015 } },
    ],
    ['module:name=ReJSON,ver=20803,api=1,filters=0,usedby=[],using=[],options=[]', { type: 'module', name: 'ReJSON', version: 20803 }],
  ])('%s', (line, record) => {
    const parsed = parseInfo(`# Section\r\n${line}\r\n`);
    expect(parsed.rejected).toBe(0);
    expect(infoRecords(line).records.slice(1)).toEqual([record]);
  });

  it.each([
    ['a line without a colon', 'just words'],
    ['a keyspace line without keys', 'db0:expires=1,avg_ttl=0'],
    ['a keyspace count that is not a number', 'db0:keys=many,expires=0,avg_ttl=0'],
    ['a command line without calls', 'cmdstat_get:usec=15'],
    ['an error line without count', 'errorstat_ERR:total=1'],
    ['the pre-2.8 replica format', 'slave0:127.0.0.1,6380,online'],
    ['a latency line with a bad percentile', 'latency_percentiles_usec_get:p50=fast'],
    ['a bare hash', '#'],
  ])('rejects %s', (_what, line) => {
    const { info, rejected } = parseInfo(`used_memory:1\n${line}\nmaxmemory:2\n`);
    expect(rejected).toBe(1);
    expect(serverStats(info).gauges).toEqual({ usedMemoryBytes: 1, maxMemoryBytes: 2 });
  });

  it('never turns a non-number into a value: used_memory_peak_perc, inf and empty stay out of the stats', () => {
    const stats = serverStats(parseInfo('used_memory:abc\nmaxmemory:\nmem_fragmentation_ratio:inf\ninstantaneous_ops_per_sec:7\n').info);
    expect(stats.gauges).toEqual({ opsPerSecond: 7 });
  });
});

describe('infoRecords (tenantscope parse redis-info)', () => {
  it('starts with the stats record, null where the server said nothing', () => {
    const { records, rejected } = infoRecords(fixture('info-5.0-master.txt'));
    expect(rejected).toBe(0);
    expect(records[0]).toMatchObject({
      type: 'stats',
      version: '5.0.14',
      usedMemoryBytes: 104857600,
      maxClients: null,
      replicaOffsetBytes: null,
      masterLinkUp: null,
    });
    expect(records.filter((r) => (r as { type: string }).type === 'section').length).toBe(8); // Commandstats and Keyspace hold only structured lines
    expect(JSON.parse(JSON.stringify(records))).toEqual(records);
  });
});

describe('parseClientList', () => {
  it.each([
    [
      'Redis 5.0',
      'id=3 addr=127.0.0.1:50188 fd=8 name=acme:web age=12 idle=0 flags=N db=0 sub=0 psub=0 multi=-1 qbuf=26 qbuf-free=32742 obl=0 oll=0 omem=0 events=r cmd=get',
      {
        id: 3,
        addr: '127.0.0.1:50188',
        name: 'acme:web',
        db: 0,
        cmd: 'get',
        ageSeconds: 12,
        idleSeconds: 0,
        flags: 'N',
        outputMemBytes: 0,
        queryBufferBytes: 26,
      },
    ],
    [
      'Redis 6.2 (tot-mem, user, laddr)',
      'id=9 addr=10.0.0.5:41000 laddr=10.0.0.2:6379 fd=9 name= age=3 idle=3 flags=N db=4 sub=0 psub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 obl=0 oll=0 omem=0 tot-mem=20496 events=r cmd=set user=default redir=-1',
      { id: 9, addr: '10.0.0.5:41000', name: null, db: 4, cmd: 'set', totMemBytes: 20496 },
    ],
    [
      'Redis 7.4 (resp, lib-name, watch)',
      'id=264 addr=127.0.0.1:35706 laddr=127.0.0.1:6379 fd=8 name=bergmann:web age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658 events=r cmd=client|list user=default redir=-1 resp=2 lib-name=ioredis lib-ver=5.4.1',
      { id: 264, name: 'bergmann:web', db: 0, cmd: 'client|list', totMemBytes: 37658 },
    ],
    [
      'Valkey 8 (tot-cmds)',
      'id=7 addr=/run/redis.sock:0 laddr=/run/redis.sock fd=10 name=cafe:web age=100 idle=1 flags=N db=2 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1928 events=r cmd=get user=default redir=-1 resp=3 lib-name= lib-ver= tot-net-in=500 tot-net-out=900 tot-cmds=42',
      { id: 7, addr: '/run/redis.sock:0', name: 'cafe:web', db: 2, totalCommands: 42 },
    ],
  ])('%s', (_version, line, expected) => {
    const { clients, rejected } = parseClientList(`${line}\r\n`);
    expect(rejected).toBe(0);
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject(expected);
  });

  it('leaves out what an older server does not print', () => {
    const { clients } = parseClientList('id=3 addr=127.0.0.1:50188 fd=8 name= age=1 idle=0 flags=N db=0 cmd=ping\n');
    expect(clients[0]).not.toHaveProperty('totMemBytes');
    expect(clients[0]).not.toHaveProperty('totalCommands');
  });

  it.each([
    ['no id', 'addr=127.0.0.1:1 db=0 cmd=get'],
    ['no db', 'id=4 addr=127.0.0.1:1 cmd=get'],
    ['a token without =', 'id=4 addr=127.0.0.1:1 db=0 garbage'],
    ['a db that is not a number', 'id=4 db=x'],
  ])('rejects a line with %s', (_what, line) => {
    expect(parseClientList(`id=1 addr=a:1 db=0\n${line}\n`)).toMatchObject({ rejected: 1, clients: [{ id: 1 }] });
  });
});

describe('property: any text gives records or counted rejections, never an exception', () => {
  const infoLine = fc.oneof(
    fc.string(),
    fc.constantFrom(
      '# Server',
      '# Keyspace',
      'db0:keys=1,expires=0,avg_ttl=0',
      'cmdstat_get:calls=1,usec=2',
      'slave0:ip=a,port=1,state=online,offset=3',
      '__proto__:x',
      'constructor:1',
    ),
    fc.tuple(fc.stringMatching(/^[a-z_|.0-9]{1,12}$/), fc.string()).map(([k, v]) => `${k}:${v}`),
    fc
      .tuple(fc.constantFrom('db', 'cmdstat_', 'errorstat_', 'slave', 'latency_percentiles_usec_', 'module'), fc.string(), fc.string())
      .map(([p, k, v]) => `${p}${k}:${v}`),
  );

  it('parseInfo and infoRecords', () => {
    fc.assert(
      fc.property(fc.array(infoLine, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        const text = lines.join(eol);
        const { info, rejected } = parseInfo(text);
        const nonEmpty = text.split('\n').filter((l) => l.replace(/\r$/, '').trim() !== '').length;
        const items =
          info.keyspace.length +
          info.commands.length +
          info.errors.length +
          info.replicas.length +
          info.latencies.length +
          info.modules.length;
        expect(rejected).toBeLessThanOrEqual(nonEmpty);
        expect(items + rejected).toBeLessThanOrEqual(nonEmpty);
        const stats = serverStats(info);
        for (const v of [...Object.values(stats.gauges), ...Object.values(stats.counters)]) expect(Number.isFinite(v)).toBe(true);
        expect(() => JSON.stringify(infoRecords(text))).not.toThrow();
      }),
      { numRuns: 500 },
    );
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('parseClientList', () => {
    const token = fc.oneof(
      fc.string(),
      fc.tuple(fc.constantFrom('id', 'db', 'name', 'tot-mem', 'tot-cmds', '__proto__'), fc.string()).map(([k, v]) => `${k}=${v}`),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.array(token, { maxLength: 8 }).map((t) => t.join(' ')),
          { maxLength: 20 },
        ),
        (lines) => {
          const text = lines.join('\n');
          const { clients, rejected } = parseClientList(text);
          expect(clients.length + rejected).toBeLessThanOrEqual(text.split('\n').length);
          for (const c of clients) expect(Number.isInteger(c.id) && Number.isInteger(c.db)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
