/**
 * Router → tenant through Traefik router rules (map the Host of the rule, never the
 * router name). Reads both rule syntaxes: v2 (`Host(\`a\`, \`b\`)`, `HostHeader`, mux-style
 * `HostRegexp(\`{sub:[a-z]+}.example.com\`)`) and v3 (one host per `Host`, Go regexps in
 * `HostRegexp`), combined with `&&`, `||`, `!` and parentheses, strings in backticks or quotes.
 */

export interface RuleHosts {
  /** Lower-cased hosts of `Host(...)` matchers that are not negated. */
  hosts: string[];
  /** `HostRegexp(...)` matchers that are not negated. */
  patterns: RegExp[];
}

interface Matcher {
  fn: string;
  args: string[];
  negated: boolean;
}

type Token = { kind: 'op'; text: string } | { kind: 'ident'; text: string } | { kind: 'string'; text: string };

function tokenize(rule: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i] as string;
    if (/\s/.test(c)) i++;
    else if (rule.startsWith('&&', i) || rule.startsWith('||', i)) {
      tokens.push({ kind: 'op', text: rule.slice(i, i + 2) });
      i += 2;
    } else if ('()!,'.includes(c)) {
      tokens.push({ kind: 'op', text: c });
      i++;
    } else if (c === '`' || c === '"') {
      const end = rule.indexOf(c, i + 1);
      if (end < 0) return undefined;
      // Go's double-quoted strings may carry escapes; backquoted ones never do.
      const body = rule.slice(i + 1, end);
      tokens.push({ kind: 'string', text: c === '"' ? body.replace(/\\(.)/g, '$1') : body });
      i = end + 1;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rule.slice(i));
      if (!m) return undefined;
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

/** expr := term (('&&' | '||') term)* ; term := '!' term | '(' expr ')' | ident '(' string (',' string)* ')' */
function parseRule(rule: string): Matcher[] | undefined {
  const tokens = tokenize(rule);
  if (!tokens || tokens.length === 0) return undefined;
  const matchers: Matcher[] = [];
  let at = 0;
  const isOp = (text: string) => tokens[at]?.kind === 'op' && tokens[at]?.text === text;
  const term = (negated: boolean): boolean => {
    if (isOp('!')) {
      at++;
      return term(!negated);
    }
    if (isOp('(')) {
      at++;
      if (!expr(negated) || !isOp(')')) return false;
      at++;
      return true;
    }
    const ident = tokens[at];
    if (ident?.kind !== 'ident') return false;
    at++;
    if (!isOp('(')) return false;
    at++;
    const args: string[] = [];
    for (;;) {
      const arg = tokens[at];
      if (arg?.kind !== 'string') return false;
      args.push(arg.text);
      at++;
      if (isOp(',')) at++;
      else break;
    }
    if (!isOp(')')) return false;
    at++;
    matchers.push({ fn: ident.text.toLowerCase(), args, negated });
    return true;
  };
  const expr = (negated: boolean): boolean => {
    if (!term(negated)) return false;
    while (isOp('&&') || isOp('||')) {
      at++;
      if (!term(negated)) return false;
    }
    return true;
  };
  return expr(false) && at === tokens.length ? matchers : undefined;
}

/** The hosts a rule routes, or undefined when the rule cannot be read. */
export function ruleHosts(rule: string): RuleHosts | undefined {
  const matchers = parseRule(rule);
  if (!matchers) return undefined;
  const out: RuleHosts = { hosts: [], patterns: [] };
  for (const m of matchers) {
    if (m.negated) continue;
    if (m.fn === 'host' || m.fn === 'hostheader') out.hosts.push(...m.args.map(normaliseHost));
    if (m.fn === 'hostregexp') {
      for (const arg of m.args) {
        const pattern = hostPattern(arg);
        if (pattern) out.patterns.push(pattern);
      }
    }
  }
  return out;
}

export function normaliseHost(host: string): string {
  return host.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
}

/** v2 mux templates (`{name}`, `{name:re}`) become an anchored regexp; v3 values are regexps. */
function hostPattern(arg: string): RegExp | undefined {
  const template = /\{([A-Za-z_][A-Za-z0-9_]*)(?::((?:[^{}]|\{[^{}]*\})*))?\}/g;
  try {
    if (/\{[A-Za-z_][A-Za-z0-9_]*[:}]/.test(arg)) {
      let source = '';
      let last = 0;
      for (const m of arg.matchAll(template)) {
        source += escapeRegExp(arg.slice(last, m.index)) + `(?:${m[2] ?? '[^.]+'})`;
        last = m.index + m[0].length;
      }
      return new RegExp(`^${source}${escapeRegExp(arg.slice(last))}$`, 'i');
    }
    return new RegExp(arg, 'i');
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The one tenant whose hosts a rule routes; undefined when it routes none of them, or hosts of
 * several tenants (a shared router cannot be split between tenants).
 */
export function tenantOfRule(rule: string, tenants: readonly { id: string; hosts: readonly string[] }[]): string | undefined {
  const parsed = ruleHosts(rule);
  if (!parsed) return undefined;
  const found = new Set<string>();
  for (const tenant of tenants) {
    for (const host of tenant.hosts.map(normaliseHost)) {
      if (parsed.hosts.includes(host) || parsed.patterns.some((p) => p.test(host))) found.add(tenant.id);
    }
  }
  return found.size === 1 ? ([...found][0] as string) : undefined;
}
