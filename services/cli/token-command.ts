import { ConfigError } from '../core/errors';
import { ROLES, type Role } from '../auth/principal';
import { createToken, listTokens, revokeToken, type TokenRecord } from '../auth/token-store';
import type { Context } from '../root/context';
import { parseFlags } from './args';
import { openContext } from '../root/context';

/**
 * `tenantscope token create|list|revoke`: API bearer tokens. `create` prints the token once on
 * stdout (only its SHA-256 is stored); `list` never shows tokens, only who holds what.
 */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const action = sub === undefined ? undefined : ACTIONS[sub];
  if (!action)
    throw new ConfigError([
      `tenantscope token: expected a subcommand (${Object.keys(ACTIONS).join(', ')}), got ${sub === undefined ? 'none' : JSON.stringify(sub)}`,
    ]);
  const context = openContext({ name: 'token' });
  try {
    return await action(context, rest);
  } finally {
    await context.close();
  }
}

function scopeOf(record: TokenRecord): string {
  if (record.tenant) return ` of tenant ${record.tenant}`;
  if (record.clusters) return ` for cluster${record.clusters.length > 1 ? 's' : ''} ${record.clusters.join(', ')}`;
  return '';
}

const ACTIONS: Readonly<Record<string, (context: Context, args: string[]) => Promise<number>>> = {
  async create({ pool, clock }, args) {
    const { values, positionals } = parseFlags('token create', args, {
      name: { type: 'string' },
      role: { type: 'string' },
      tenant: { type: 'string' },
      cluster: { type: 'string', multiple: true },
    });
    if (positionals.length > 0) throw new ConfigError([`tenantscope token create: unexpected argument ${JSON.stringify(positionals[0])}`]);
    if (values.name === undefined) throw new ConfigError(['tenantscope token create: --name NAME is required']);
    const role = values.role as Role;
    if (!ROLES.includes(role))
      throw new ConfigError([
        `tenantscope token create: --role expected one of ${ROLES.join(', ')}, got ${JSON.stringify(values.role ?? null)}`,
      ]);
    const { token, record } = await createToken(
      pool,
      {
        name: values.name,
        role,
        ...(values.tenant !== undefined && { tenant: values.tenant }),
        ...(values.cluster !== undefined && { clusters: values.cluster.flatMap((c) => c.split(',')).filter((c) => c !== '') }),
      },
      new Date(clock.now()),
    );
    process.stdout.write(`${token}\n`);
    process.stderr.write(`token ${record.name} (${record.role}${scopeOf(record)}) created; it is shown only this once\n`);
    return 0;
  },
  async list({ pool }, args) {
    parseFlags('token list', args, {});
    const rows = await listTokens(pool);
    process.stdout.write(`${['name', 'role', 'tenant', 'clusters', 'created', 'revoked'].join('\t')}\n`);
    for (const t of rows)
      process.stdout.write(
        `${[t.name, t.role, t.tenant ?? '-', t.clusters?.join(',') ?? '-', t.createdAt, t.revokedAt ?? '-'].join('\t')}\n`,
      );
    return 0;
  },
  async revoke({ pool, clock }, args) {
    const { positionals } = parseFlags('token revoke', args, {});
    if (positionals.length !== 1) throw new ConfigError(['tenantscope token revoke: expected one token NAME']);
    const name = positionals[0]!;
    const revoked = await revokeToken(pool, name, new Date(clock.now()));
    if (!revoked) throw new ConfigError([`tenantscope token revoke: no token named ${JSON.stringify(name)}`]);
    process.stdout.write(`token ${revoked.name} revoked at ${revoked.revokedAt}\n`);
    return 0;
  },
};
