import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLoginMessage } from './login-events';

describe("Odoo's login lines", () => {
  it.each([
    [
      'Login successful for db:acme login:admin from 10.0.0.7',
      { outcome: 'success', database: 'acme', login: 'admin', address: '10.0.0.7' },
    ],
    [
      'Login failed for db:acme login:admin from 203.0.113.9',
      { outcome: 'failure', database: 'acme', login: 'admin', address: '203.0.113.9' },
    ],
    [
      'Login failed for db:acme login:a.b@example.com from 2001:db8::1',
      { outcome: 'failure', login: 'a.b@example.com', address: '2001:db8::1' },
    ],
    // 11 and before: no address
    ['Login failed for db:acme login:admin', { outcome: 'failure', login: 'admin', address: null }],
    ['Login successful for db:acme login:admin', { outcome: 'success', address: null }],
    // a fork that logs "from " and nothing
    ['Login failed for db:acme login:admin from ', { outcome: 'failure', login: 'admin', address: null }],
    // a login with spaces (Odoo allows them)
    ['Login failed for db:acme login:Jean Dupont from 10.0.0.8', { login: 'Jean Dupont', address: '10.0.0.8' }],
  ])('reads %s', (message, expected) => {
    expect(parseLoginMessage(message)).toMatchObject(expected);
  });

  it.each(['Login successful', 'Logout for db:acme login:admin', 'Password changed for login:admin'])('ignores %s', (message) => {
    expect(parseLoginMessage(message)).toBeUndefined();
  });

  it('never throws, and reads back a line it could have written', () => {
    fc.assert(
      fc.property(fc.string(), (text) => void parseLoginMessage(text)),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('successful', 'failed'),
        fc.stringMatching(/^[a-z0-9_]{1,20}$/),
        fc.stringMatching(/^[a-z0-9.@_-]{1,30}$/),
        fc.ipV4(),
        (outcome, db, login, ip) => {
          expect(parseLoginMessage(`Login ${outcome} for db:${db} login:${login} from ${ip}`)).toEqual({
            outcome: outcome === 'successful' ? 'success' : 'failure',
            database: db,
            login,
            address: ip,
          });
        },
      ),
    );
  });
});
