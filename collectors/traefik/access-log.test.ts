import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect, parseAccessLine, parseAccessText } from './access-log';

// v2: ServiceURL is Go's url.URL serialised; logrus adds level, msg and time.
const V2 =
  '{"ClientAddr":"10.0.0.7:51234","ClientHost":"10.0.0.7","ClientPort":"51234","ClientUsername":"-","DownstreamContentSize":5120,"DownstreamStatus":200,"Duration":183456789,"OriginContentSize":5120,"OriginDuration":182000000,"OriginStatus":200,"Overhead":1456789,"RequestAddr":"acme.erp.example.com","RequestContentSize":0,"RequestCount":1842,"RequestHost":"acme.erp.example.com","RequestMethod":"GET","RequestPath":"/web/login?db=acme","RequestPort":"-","RequestProtocol":"HTTP/2.0","RequestScheme":"https","RetryAttempts":0,"RouterName":"acme-web@docker","ServiceAddr":"172.18.0.5:8069","ServiceName":"acme-odoo@docker","ServiceURL":{"Scheme":"http","Opaque":"","User":null,"Host":"172.18.0.5:8069","Path":"","RawPath":"","ForceQuery":false,"RawQuery":"","Fragment":"","RawFragment":""},"StartLocal":"2026-03-01T10:00:07.123456789+01:00","StartUTC":"2026-03-01T09:00:07.123456789Z","TLSCipher":"TLS_AES_128_GCM_SHA256","TLSVersion":"1.3","entryPointName":"websecure","level":"info","msg":"","time":"2026-03-01T10:00:07+01:00"}';
// v3: ServiceURL is a string; a client that went away has status 0 and a long Duration.
const V3_ABORT =
  '{"ClientHost":"10.0.0.8, 192.0.2.1","DownstreamContentSize":0,"DownstreamStatus":0,"Duration":61000000000,"OriginStatus":0,"RequestContentSize":312,"RequestHost":"Bergmann.ERP.example.com:443","RequestMethod":"POST","RequestPath":"/websocket","RequestProtocol":"HTTP/1.1","RouterName":"bergmann-web@docker","ServiceName":"bergmann-odoo@docker","ServiceURL":"http://172.18.0.6:8069","StartUTC":"2026-03-01T09:01:00Z","level":"info","msg":"","time":"2026-03-01T09:02:01Z"}';
// Traefik's own 404: no router matched, so no router and service fields at all.
const NOT_FOUND =
  '{"ClientHost":"203.0.113.9","DownstreamContentSize":19,"DownstreamStatus":404,"Duration":52000,"RequestHost":"unknown.example.com","RequestMethod":"GET","RequestPath":"/","RequestProtocol":"HTTP/1.1","StartUTC":"2026-03-01T09:02:00.5Z","level":"info","msg":"","time":"2026-03-01T09:02:00Z"}';
const CLF =
  '10.0.0.7 - - [01/Mar/2026:10:00:07 +0100] "GET /web/login HTTP/2.0" 200 5120 "-" "Mozilla/5.0" 1842 "acme-web@docker" "http://172.18.0.5:8069" 183ms';

describe('traefik JSON access log', () => {
  it.each([
    [
      'v2 with the ServiceURL object',
      V2,
      {
        ts: Date.UTC(2026, 2, 1, 9, 0, 7, 123),
        host: 'acme.erp.example.com',
        router: 'acme-web@docker',
        service: 'acme-odoo@docker',
        serviceUrl: 'http://172.18.0.5:8069',
        status: 200,
        aborted: false,
        durationSeconds: 0.183456789,
        responseBytes: 5120,
        requestBytes: 0,
        path: '/web/login?db=acme',
        protocol: 'HTTP/2.0',
      },
    ],
    [
      'v3 aborted request, host with case and port',
      V3_ABORT,
      {
        host: 'bergmann.erp.example.com',
        status: 0,
        aborted: true,
        originStatus: 0,
        durationSeconds: 61,
        serviceUrl: 'http://172.18.0.6:8069',
        clientHost: '10.0.0.8, 192.0.2.1',
      },
    ],
    [
      'Traefik 404 without router',
      NOT_FOUND,
      { host: 'unknown.example.com', router: null, service: null, serviceUrl: null, status: 404, ts: Date.UTC(2026, 2, 1, 9, 2, 0, 500) },
    ],
  ])('reads %s', (_, line, expected) => {
    const parsed = parseAccessLine(line);
    expect(parsed.kind).toBe('record');
    expect((parsed as { record: unknown }).record).toMatchObject(expected);
  });

  it.each([
    ['not an object', '[1,2]'],
    ['neither JSON nor CLF', 'GET /web HTTP/1.1 200'],
    ['no RequestHost', '{"DownstreamStatus":200,"StartUTC":"2026-03-01T09:00:00Z"}'],
    ['no status', '{"RequestHost":"a","StartUTC":"2026-03-01T09:00:00Z"}'],
    ['no time', '{"RequestHost":"a","DownstreamStatus":200}'],
    ['bad time', '{"RequestHost":"a","DownstreamStatus":200,"StartUTC":"yesterday"}'],
    ['cut line', V2.slice(0, 80)],
  ])('rejects %s', (_, line) => {
    expect(parseAccessLine(line).kind).toBe('rejected');
  });

  it('reads the Common Log Format, with or without a container prefix, with the router and no host', () => {
    for (const line of [CLF, `traefik-1  | ${CLF}`]) {
      const parsed = parseAccessLine(line);
      expect(parsed.kind).toBe('record');
      expect((parsed as { record: unknown }).record).toMatchObject({
        format: 'clf',
        ts: Date.UTC(2026, 2, 1, 9, 0, 7),
        host: null,
        router: 'acme-web@docker',
        status: 200,
        durationSeconds: 0.183,
      });
    }
    expect(parseAccessLine(`traefik-1  | ${V2}`)).toMatchObject({
      kind: 'record',
      record: { format: 'json', host: 'acme.erp.example.com' },
    });
  });

  it('counts records and rejected lines of a file with both formats and prints ISO times', () => {
    const { records, rejected } = parseAccessText([V2, '', CLF, 'garbage', V3_ABORT, NOT_FOUND, ''].join('\n'));
    expect(rejected).toBe(1);
    expect(records.map((r) => (r as { ts: string }).ts)).toEqual([
      '2026-03-01T09:00:07.123Z',
      '2026-03-01T09:00:07.000Z',
      '2026-03-01T09:01:00.000Z',
      '2026-03-01T09:02:00.500Z',
    ]);
  });

  it('gives records or counted rejections for any input, never an exception', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.dictionary(fc.string(), fc.string()));
    const entry = fc.record(
      { RequestHost: value, DownstreamStatus: value, StartUTC: value, ServiceURL: value, Duration: value },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 100 }),
            entry.map((e) => JSON.stringify(e)),
          ),
          { maxLength: 10 },
        ),
        (lines) => {
          const { records, rejected } = collect(lines.join('\n'));
          expect(records.length + rejected).toBeLessThanOrEqual(lines.join('\n').split('\n').length);
          parseAccessText(lines.join('\n'));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
