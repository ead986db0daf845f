import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hasInlinePassword, redact, redactDeep, redactedError, redactError } from './redact';
import { basicAuth, Secret, withPassword } from './secret';

const PW = 'S3cr3t-9f1e';

describe('redact', () => {
  it.each([
    // userinfo, every scheme
    [`postgres://monitor:${PW}@db1:5432/postgres`, 'postgres://db1:5432/postgres'],
    [`postgresql://monitor:${PW}@db1/postgres?sslmode=require`, 'postgresql://db1/postgres?sslmode=require'],
    [`redis://default:${PW}@cache:6379/2`, 'redis://cache:6379/2'],
    [`rediss://:${PW}@cache:6380`, 'rediss://cache:6380'],
    [`http://traefik:${PW}@10.0.0.5:8082/metrics`, 'http://10.0.0.5:8082/metrics'],
    [`https://user:${PW}@[2001:db8::1]:8443/api`, 'https://[2001:db8::1]:8443/api'],
    // a user alone is removed too: the URL still names its server
    ['postgres://monitor@db1/postgres', 'postgres://db1/postgres'],
    // an unencoded @ in the password: removed whole, as URL parsers read it
    [`redis://u:${PW}@x@cache:6379`, 'redis://cache:6379'],
    [`HTTP://U:${PW}@HOST/`, 'HTTP://HOST/'],
  ])('removes userinfo: %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each([
    [`http://h/metrics?password=${PW}`, 'http://h/metrics?password=***'],
    [`http://h/metrics?PASSWORD=${PW}&x=1`, 'http://h/metrics?PASSWORD=***&x=1'],
    [`postgres://db/app?sslmode=require&password=${PW}`, 'postgres://db/app?sslmode=require&password=***'],
    [`postgres://db/app?sslpassword=${PW}`, 'postgres://db/app?sslpassword=***'],
    [`http://h/?passwd=${PW}`, 'http://h/?passwd=***'],
    [`http://h/?pwd=${PW}`, 'http://h/?pwd=***'],
    [`http://h/?pass=${PW}`, 'http://h/?pass=***'],
    [`http://h/?db_password=${PW}`, 'http://h/?db_password=***'],
    [`http://h/?token=${PW}`, 'http://h/?token=***'],
    [`http://h/?access_token=${PW}#top`, 'http://h/?access_token=***#top'],
    [`http://h/?api_key=${PW}`, 'http://h/?api_key=***'],
    [`http://h/?apikey=${PW}`, 'http://h/?apikey=***'],
    [`http://h/?api-key=${PW}`, 'http://h/?api-key=***'],
    [`http://h/?client_secret=${PW}`, 'http://h/?client_secret=***'],
    [`http://h/?auth=${PW}`, 'http://h/?auth=***'],
    [`http://h/a;password=${PW}`, 'http://h/a;password=***'],
    // libpq conninfo strings
    [`host=db1 user=monitor password=${PW} dbname=postgres`, 'host=db1 user=monitor password=*** dbname=postgres'],
    [`password='${PW} with space' host=db1`, 'password=*** host=db1'],
  ])('removes password parameters: %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('finds URLs inside longer text, several of them', () => {
    const text = `Traefik http://t:${PW}@10.0.0.5:8082/metrics?token=${PW} answered 401; retrying redis://:${PW}@cache:6379 ("postgres://m:${PW}@db/x")`;
    const out = redact(text);
    expect(out).not.toContain(PW);
    expect(out).toBe('Traefik http://10.0.0.5:8082/metrics?token=*** answered 401; retrying redis://cache:6379 ("postgres://db/x")');
  });

  it.each([
    'collector run failed',
    'http://10.0.0.5:8082/metrics',
    'postgres://db1:5432/postgres?sslmode=require&application_name=x',
    'contact ops@example.com or mailto:ops@example.com',
    "tenants[3].hosts[0]: expected a host no other tenant has, acme.example.com is already tenants[1]'s",
    'a=b&c=d',
    'the password policy, the token bucket, secret sauce',
    'keyword=1 passage=2 author=x',
    '',
  ])('leaves text without a secret as it is: %s', (text) => {
    expect(redact(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = redact(`x http://u:${PW}@h/?password=${PW}`);
    expect(redact(once)).toBe(once);
  });
});

describe('hasInlinePassword', () => {
  it.each([
    [`postgres://u:${PW}@db/x`, true],
    [`redis://:${PW}@cache`, true],
    [`postgres://db/x?password=${PW}`, true],
    ['postgres://monitor@db/x', false],
    ['http://h:8082/metrics', false],
    ['postgres://db/x?sslmode=require', false],
  ])('%s: %s', (url, expected) => {
    expect(hasInlinePassword(url)).toBe(expected);
  });
});

describe('redactError', () => {
  it('keeps type, message, stack and code, redacted, and drops every other property', () => {
    const err = Object.assign(new Error(`connect to redis://u:${PW}@cache failed`), {
      code: 'ECONNREFUSED',
      command: { name: 'hello', args: ['3', 'AUTH', 'u', PW] },
    });
    const out = redactError(err);
    expect(JSON.stringify(out)).not.toContain(PW);
    expect(out).toMatchObject({ type: 'Error', message: 'connect to redis://cache failed', code: 'ECONNREFUSED' });
    expect(Object.keys(out).sort()).toEqual(['code', 'message', 'stack', 'type']);
  });

  it('follows cause and the errors of an AggregateError', () => {
    const err = new Error('fetch failed', { cause: new Error(`GET http://u:${PW}@h/ refused`) });
    const agg = new AggregateError([new Error(`a postgres://u:${PW}@db1`), new Error('b')], '');
    expect(redactError(err).cause?.message).toBe('GET http://h/ refused');
    expect(redactError(agg).errors?.map((e) => e.message)).toEqual(['a postgres://db1', 'b']);
    expect(JSON.stringify([redactError(err), redactError(agg)])).not.toContain(PW);
  });

  it('gives a plain Error to store where the format is not ours, with the same name and redacted text', () => {
    const err = Object.assign(new TypeError(`bad redis://u:${PW}@h`), { command: { args: [PW] } });
    const copy = redactedError(err);
    expect(copy).toBeInstanceOf(Error);
    expect(copy.name).toBe('TypeError');
    expect(copy.message).toBe('bad redis://h');
    expect(inspect(copy, { showHidden: true })).not.toContain(PW);
  });

  it('takes what is not an Error', () => {
    expect(redactError(`x redis://:${PW}@h`)).toEqual({ type: 'string', message: 'x redis://h' });
  });
});

describe('redactDeep', () => {
  it('redacts every string and the values of password-like keys, leaves errors and dates', () => {
    const err = new Error('e');
    const at = new Date(0);
    const out = redactDeep({
      target: `http://u:${PW}@h/m`,
      nested: [{ url: `redis://:${PW}@c` }],
      password: PW,
      apiKey: PW,
      err,
      at,
      n: 1,
    });
    expect(out).toEqual({ target: 'http://h/m', nested: [{ url: 'redis://c' }], password: '***', apiKey: '***', err, at, n: 1 });
  });
});

describe('Secret', () => {
  it('never shows its value: string, JSON, inspect', () => {
    const secret = new Secret(PW);
    expect(secret.reveal()).toBe(PW);
    expect(`${secret}`).not.toContain(PW);
    expect(JSON.stringify({ secret })).not.toContain(PW);
    expect(inspect({ secret }, { depth: 5, showHidden: true })).not.toContain(PW);
  });
});

describe('withPassword', () => {
  it('puts the password in the userinfo, percent-encoded so the URL parsers decode it back', () => {
    const odd = 'p@ss:w/rd?#%41 ü';
    const url = withPassword('postgres://monitor@db1:5432/postgres?sslmode=require', new Secret(odd));
    const parsed = new URL(url);
    expect(decodeURIComponent(parsed.password)).toBe(odd);
    expect(parsed.username).toBe('monitor');
    expect(parsed.host).toBe('db1:5432');
    expect(parsed.search).toBe('?sslmode=require');
    expect(decodeURIComponent(new URL(withPassword('redis://cache:6379/1', new Secret(odd))).password)).toBe(odd);
  });

  it('gives a PostgreSQL socket URL a password parameter', () => {
    expect(withPassword('postgres:///app?host=/run/postgresql', new Secret('a&b'))).toBe(
      'postgres:///app?host=/run/postgresql&password=a%26b',
    );
  });

  it('leaves the URL as it is without a password', () => {
    expect(withPassword('redis://u:inline@cache', undefined)).toBe('redis://u:inline@cache');
  });
});

describe('basicAuth', () => {
  const header = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

  it('moves the userinfo to an Authorization header', () => {
    expect(basicAuth('http://traefik:p%40ss@h:8082/metrics?x=1', undefined)).toEqual({
      url: 'http://h:8082/metrics?x=1',
      headers: { authorization: header('traefik', 'p@ss') },
    });
  });

  it('takes the password given by reference', () => {
    expect(basicAuth('http://traefik@h/metrics', new Secret(PW)).headers.authorization).toBe(header('traefik', PW));
  });

  it('sends no header without credentials', () => {
    expect(basicAuth('http://h/metrics', undefined)).toEqual({ url: 'http://h/metrics', headers: {} });
  });
});
