import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyPath, REQUEST_CLASSES } from './request-class';

describe('request classes from the werkzeug path', () => {
  it.each([
    // Odoo 13+: the model and method are in the URL
    ['/web/dataset/call_kw/sale.order/read', 'call_kw', 'sale.order', 'read', null],
    ['/web/dataset/call_kw/account.move.line/web_read_group?debug=1', 'call_kw', 'account.move.line', 'web_read_group', null],
    ['/web/dataset/call_button/stock.picking/button_validate', 'call_kw', 'stock.picking', 'button_validate', null],
    // Odoo 12 and before: the model is only in the JSON body
    ['/web/dataset/call_kw', 'call_kw', null, null, null],
    ['/web/dataset/call_kw/', 'call_kw', null, null, null],
    // Odoo 19's JSON-2 API
    ['/json/2/res.partner/search_read', 'json2', 'res.partner', 'search_read', null],
    // reports, with their technical name
    ['/report/pdf/account.report_invoice/42', 'report', null, 'pdf', 'account.report_invoice'],
    ['/report/html/sale.report_saleorder/7,8', 'report', null, 'html', 'sale.report_saleorder'],
    ['/report/download', 'report', null, 'download', null],
    // integrations: the model is in the XML or JSON body
    ['/xmlrpc/2/object', 'rpc', null, null, null],
    ['/xmlrpc/2/common', 'rpc', null, null, null],
    ['/jsonrpc', 'rpc', null, null, null],
    ['/web/login', 'login', null, null, null],
    ['/web/login?redirect=%2Fodoo', 'login', null, null, null],
    ['/longpolling/poll', 'bus', null, null, null],
    ['/websocket', 'bus', null, null, null],
    ['/bus/websocket_worker_bundle', 'bus', null, null, null],
    ['/web/assets/1/web.assets_web.min.js', 'static', null, null, null],
    ['/web/static/img/favicon.ico', 'static', null, null, null],
    ['/web/image/res.partner/3/avatar_128', 'static', null, null, null],
    ['/sale/static/src/js/x.js', 'static', null, null, null],
    ['/favicon.ico', 'static', null, null, null],
    ['/mail/data', 'other', null, null, null],
    ['/web/action/load', 'other', null, null, null],
    ['/odoo/sales', 'other', null, null, null],
    ['/shop', 'website', null, null, null],
    ['/my/orders/12', 'website', null, null, null],
    ['/', 'website', null, null, null],
    // a path that is not a model name keeps no model
    ['/web/dataset/call_kw/../../etc/passwd', 'call_kw', null, null, null],
    ['/json/2/Res Partner/read', 'json2', null, null, null],
  ])('%s is %s', (path, cls, model, method, report) => {
    expect(classifyPath(path)).toEqual({ class: cls, model, method, report });
  });

  it('gives a known class and a bounded model for any path', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (path) => {
        const kind = classifyPath(`/${path}`);
        expect(REQUEST_CLASSES).toContain(kind.class);
        if (kind.model !== null) expect(kind.model).toMatch(/^[a-z][a-z0-9_.]*$/);
      }),
      { numRuns: 2000 },
    );
  });
});
