import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from './read';

let server: Server;
let base: string;
const hosts: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    const host = req.headers.host;
    if (host === 'ok.example.test' && req.url === '/web/login')
      return res.writeHead(200, { 'content-type': 'text/html' }).end('<form class="oe_login_form"><input name="login"/></form>');
    if (host === 'ok.example.test' && req.url === '/web/health')
      return res.writeHead(200, { 'content-type': 'application/json' }).end('{"status": "pass"}');
    if (host === 'down.example.test') return res.writeHead(502).end('Bad Gateway');
    if (host === 'moved.example.test') return res.writeHead(303, { location: 'http://evil.example.test/web/login' }).end();
    if (host === 'odd.example.test') return res.writeHead(200).end('<html>Welcome to nginx!</html>');
    if (host === 'redir.example.test' && req.url === '/') return res.writeHead(303, { location: '/web/login?redirect=%2F' }).end();
    if (host === 'redir.example.test' && req.url === '/abs')
      return res.writeHead(301, { location: 'http://redir.example.test/web/login' }).end();
    if (host === 'redir.example.test' && req.url?.startsWith('/web/login'))
      return res.writeHead(200, { 'content-type': 'text/html' }).end('<input name="login">');
    if (host === 'loop.example.test') return res.writeHead(302, { location: '/again' }).end();
    if (host === 'tls-moved.example.test') return res.writeHead(301, { location: 'https://tls-moved.example.test/web/login' }).end();
    if (host === 'stall.example.test') return void res.writeHead(200, { 'content-type': 'text/html' }).write('<html>');
    if (host === 'slow.example.test') return setTimeout(() => res.writeHead(200).end('<input name="login">'), 3_000).unref();
    res.writeHead(404).end('404 page not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const probe = (host: string, path = '/web/login', timeoutSeconds = 2, url = base) =>
  collect({ url, path, host, timeoutSeconds, now: Date.now });

describe('odoo-probe', () => {
  it('succeeds on a login page reached with the tenant Host header', async () => {
    const r = await probe('ok.example.test');
    expect(r).toMatchObject({ type: 'probe', ok: true, status: 200, reason: null, host: 'ok.example.test' });
    expect(r.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(hosts).toContain('ok.example.test');
  });

  it('succeeds on /web/health with {"status": "pass"}', async () => {
    expect(await probe('ok.example.test', '/web/health')).toMatchObject({ ok: true });
  });

  it.each([
    ['a 502 from the ingress', 'down.example.test', { ok: false, status: 502, reason: 'status' }],
    ['a redirect, not followed', 'moved.example.test', { ok: false, status: 303, reason: 'status' }],
    ['a 200 that is not Odoo', 'odd.example.test', { ok: false, status: 200, reason: 'unexpected-body' }],
    ['an unknown host', 'nobody.example.test', { ok: false, status: 404, reason: 'status' }],
  ])('fails on %s', async (_name, host, expected) => {
    expect(await probe(host)).toMatchObject(expected);
  });

  it('fails with timeout when the answer is slower than the timeout', async () => {
    const r = await probe('slow.example.test', '/web/login', 0.3);
    expect(r).toMatchObject({ ok: false, status: null, reason: 'timeout' });
    expect(r.durationSeconds).toBeLessThan(1.5);
  });

  it.each([
    ['a relative redirect on the same host', '/'],
    ['an absolute redirect to the same host', '/abs'],
  ])('follows %s', async (_name, path) => {
    expect(await probe('redir.example.test', path)).toMatchObject({ ok: true, status: 200, reason: null });
  });

  it.each([
    ['a redirect loop, after three hops', 'loop.example.test', { ok: false, status: 302, reason: 'status' }],
    ['a redirect to another scheme', 'tls-moved.example.test', { ok: false, status: 301, reason: 'status' }],
  ])('stops at %s', async (_name, host, expected) => {
    const before = hosts.filter((h) => h === host).length;
    expect(await probe(host)).toMatchObject(expected);
    expect(hosts.filter((h) => h === host).length - before).toBeLessThanOrEqual(4);
  });

  it('fails with timeout when the body never ends', async () => {
    expect(await probe('stall.example.test', '/web/login', 0.3)).toMatchObject({ ok: false, status: null, reason: 'timeout' });
  });

  it('fails with tls when the ingress does not speak TLS', async () => {
    expect(await probe('ok.example.test', '/web/login', 2, base.replace('http:', 'https:'))).toMatchObject({ ok: false, reason: 'tls' });
  });

  it('fails with tls on a certificate it cannot trust', async () => {
    // a self-signed certificate for ok.example.test (test/fixtures/tls, valid until 2126)
    const dir = join(__dirname, '../../test/fixtures/tls');
    const tls = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) =>
      res.end('<input name="login">'),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      expect(await probe('ok.example.test', '/web/login', 2, `https://127.0.0.1:${(tls.address() as AddressInfo).port}`)).toMatchObject({
        ok: false,
        status: null,
        reason: 'tls',
      });
    } finally {
      tls.closeAllConnections();
      tls.close();
    }
  });

  it('fails with refused when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await probe('ok.example.test', '/web/login', 2, `http://127.0.0.1:${port}`)).toMatchObject({ ok: false, reason: 'refused' });
  });
});
