import type { Rng } from './random';

/**
 * What an Odoo 17 tenant does, as data: the routes its users hit, its cron jobs and the
 * tracebacks it prints. Numbers are per request at an idle cluster; the model scales them.
 */

export type RouteKind = 'json' | 'http' | 'static' | 'websocket';

export interface Route {
  readonly weight: number;
  readonly method: 'GET' | 'POST';
  readonly kind: RouteKind;
  readonly path: (rng: Rng) => string;
  readonly queries: readonly [number, number];
  readonly pythonMs: readonly [number, number];
  readonly requestBytes: readonly [number, number];
  readonly responseBytes: readonly [number, number];
  /** Share answered 304 (the browser cache revalidating). */
  readonly notModified?: number;
  /** Share answered 404 (a deleted record's image). */
  readonly notFound?: number;
}

const MODELS = [
  'sale.order',
  'res.partner',
  'account.move',
  'stock.picking',
  'product.template',
  'crm.lead',
  'project.task',
  'purchase.order',
];

const kw = (method: string) => (rng: Rng) => `/web/dataset/call_kw/${rng.pick(MODELS)}/${method}`;
const fixed = (path: string) => () => path;

export const ROUTES: readonly Route[] = [
  {
    weight: 24,
    method: 'POST',
    kind: 'json',
    path: kw('web_search_read'),
    queries: [6, 24],
    pythonMs: [25, 90],
    requestBytes: [350, 1400],
    responseBytes: [2_000, 40_000],
  },
  {
    weight: 14,
    method: 'POST',
    kind: 'json',
    path: kw('web_read'),
    queries: [5, 18],
    pythonMs: [20, 70],
    requestBytes: [300, 900],
    responseBytes: [1_500, 20_000],
  },
  {
    weight: 8,
    method: 'POST',
    kind: 'json',
    path: kw('onchange'),
    queries: [4, 16],
    pythonMs: [20, 80],
    requestBytes: [500, 3_000],
    responseBytes: [400, 6_000],
  },
  {
    weight: 5,
    method: 'POST',
    kind: 'json',
    path: kw('web_save'),
    queries: [18, 60],
    pythonMs: [60, 200],
    requestBytes: [600, 4_000],
    responseBytes: [800, 8_000],
  },
  {
    weight: 3,
    method: 'POST',
    kind: 'json',
    path: kw('read_group'),
    queries: [3, 10],
    pythonMs: [20, 60],
    requestBytes: [400, 1_000],
    responseBytes: [300, 5_000],
  },
  {
    weight: 2,
    method: 'POST',
    kind: 'json',
    path: fixed('/web/dataset/call_button'),
    queries: [15, 70],
    pythonMs: [60, 260],
    requestBytes: [300, 900],
    responseBytes: [200, 3_000],
  },
  {
    weight: 5,
    method: 'POST',
    kind: 'json',
    path: fixed('/web/action/load'),
    queries: [3, 9],
    pythonMs: [10, 35],
    requestBytes: [150, 300],
    responseBytes: [1_000, 6_000],
  },
  {
    weight: 6,
    method: 'POST',
    kind: 'json',
    path: fixed('/mail/data'),
    queries: [8, 26],
    pythonMs: [25, 80],
    requestBytes: [100, 400],
    responseBytes: [500, 12_000],
  },
  {
    weight: 4,
    method: 'POST',
    kind: 'json',
    path: fixed('/mail/thread/messages'),
    queries: [6, 20],
    pythonMs: [20, 60],
    requestBytes: [120, 300],
    responseBytes: [800, 15_000],
  },
  {
    weight: 3,
    method: 'GET',
    kind: 'http',
    path: fixed('/web'),
    queries: [25, 60],
    pythonMs: [80, 220],
    requestBytes: [0, 0],
    responseBytes: [6_000, 9_000],
  },
  {
    weight: 2,
    method: 'GET',
    kind: 'http',
    path: (rng) => `/web/webclient/load_menus/${hex(rng, 64)}`,
    queries: [4, 9],
    pythonMs: [15, 40],
    requestBytes: [0, 0],
    responseBytes: [8_000, 30_000],
  },
  {
    weight: 6,
    method: 'GET',
    kind: 'http',
    path: (rng) => `/web/image/res.partner/${rng.int(1, 4000)}/avatar_128`,
    queries: [2, 5],
    pythonMs: [4, 15],
    requestBytes: [0, 0],
    responseBytes: [900, 6_000],
    notModified: 0.4,
    notFound: 0.01,
  },
  {
    weight: 2,
    method: 'GET',
    kind: 'static',
    path: (rng) => `/web/assets/${rng.int(1, 400)}/${hex(rng, 7)}/web.assets_web.min.js`,
    queries: [1, 3],
    pythonMs: [2, 8],
    requestBytes: [0, 0],
    responseBytes: [150_000, 900_000],
    notModified: 0.7,
  },
  {
    weight: 1,
    method: 'GET',
    kind: 'http',
    path: fixed('/web/login'),
    queries: [4, 8],
    pythonMs: [10, 30],
    requestBytes: [0, 0],
    responseBytes: [3_500, 4_500],
  },
  {
    weight: 2,
    method: 'GET',
    kind: 'websocket',
    path: (rng) => `/websocket?version=${rng.pick(['17.0-3', '17.0-4'])}`,
    queries: [1, 1],
    pythonMs: [10, 25],
    requestBytes: [0, 0],
    responseBytes: [0, 0],
  },
];

function hex(rng: Rng, digits: number): string {
  let text = '';
  for (let i = 0; i < digits; i++) text += '0123456789abcdef'[rng.int(0, 15)];
  return text;
}

export interface CronJob {
  readonly name: string;
  /** ir.cron id, as the 17 log lines print it. */
  readonly id: number;
  readonly serverAction: number;
  readonly everySeconds: number;
  readonly seconds: readonly [number, number];
  readonly failureProbability: number;
}

export const CRON_JOBS: readonly CronJob[] = [
  { name: 'Mail: Email Queue Manager', id: 3, serverAction: 54, everySeconds: 300, seconds: [0.04, 0.9], failureProbability: 0 },
  { name: 'Mail: Fetchmail Service', id: 12, serverAction: 71, everySeconds: 300, seconds: [0.2, 2.6], failureProbability: 0.04 },
  { name: 'Calendar: Event Reminder', id: 17, serverAction: 93, everySeconds: 900, seconds: [0.02, 0.3], failureProbability: 0 },
  {
    name: 'Notification: Send scheduled message notifications',
    id: 9,
    serverAction: 40,
    everySeconds: 3600,
    seconds: [0.05, 0.5],
    failureProbability: 0,
  },
  { name: 'Base: Auto-vacuum internal data', id: 1, serverAction: 12, everySeconds: 86_400, seconds: [2, 25], failureProbability: 0 },
];

/** Python's repr of a str, as `Job %r` prints a cron name. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

export type TracebackKind = 'http-bug' | 'json-bug' | 'db-unavailable' | 'cron-fetchmail';

const ODOO = '/usr/lib/python3/dist-packages/odoo';

const SERVE_DB = [
  `  File "${ODOO}/http.py", line 2192, in __call__`,
  '    response = request._serve_db()',
  '               ^^^^^^^^^^^^^^^^^^^',
];

const DISPATCH = [
  `  File "${ODOO}/http.py", line 1768, in _serve_db`,
  '    return service_model.retrying(self._serve_ir_http, self.env)',
  '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
  `  File "${ODOO}/service/model.py", line 152, in retrying`,
  '    result = func()',
  '             ^^^^^^',
  `  File "${ODOO}/http.py", line 1795, in _serve_ir_http`,
  '    response = self.dispatcher.dispatch(rule.endpoint, args)',
  '               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
];

/** A Python 3.11 traceback (with its `^^^` marker lines) for the given failure. */
export function traceback(kind: TracebackKind, database: string, cluster: string): string {
  const head = 'Traceback (most recent call last):';
  switch (kind) {
    case 'http-bug':
      return [
        head,
        ...SERVE_DB,
        ...DISPATCH,
        `  File "${ODOO}/http.py", line 722, in route_wrapper`,
        '    result = endpoint(self, *args, **params_ok)',
        '             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '  File "/mnt/extra-addons/custom_portal/controllers/main.py", line 88, in portal_invoice',
        "    return request.render('custom_portal.invoice', {'partner': order.partner_id.id})",
        '                                                               ^^^^^^^^^^^^^^^^',
        "AttributeError: 'NoneType' object has no attribute 'partner_id'",
      ].join('\n');
    case 'json-bug':
      return [
        head,
        ...SERVE_DB,
        ...DISPATCH,
        `  File "${ODOO}/addons/web/controllers/dataset.py", line 42, in call_kw`,
        '    return call_kw(request.env[model], method, args, kwargs)',
        '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        `  File "${ODOO}/api.py", line 482, in call_kw`,
        '    result = _call_kw_multi(method, model, args, kwargs)',
        '             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '  File "/mnt/extra-addons/delivery_zone/models/sale_order.py", line 57, in _compute_zone',
        '    order.zone_id = zones[order.partner_shipping_id.zip[:2]]',
        '                    ~~~~~^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        "KeyError: '75'",
      ].join('\n');
    case 'db-unavailable':
      return [
        head,
        ...SERVE_DB,
        `  File "${ODOO}/http.py", line 1741, in _serve_db`,
        '    self.registry = Registry(self.db).check_signaling()',
        '                    ^^^^^^^^^^^^^^^^^',
        `  File "${ODOO}/sql_db.py", line 756, in borrow`,
        '    result = psycopg2.connect(',
        '             ^^^^^^^^^^^^^^^^^',
        '  File "/usr/lib/python3/dist-packages/psycopg2/__init__.py", line 122, in connect',
        '    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)',
        '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        `psycopg2.OperationalError: connection to server at "pg-${cluster}" (10.20.0.5), port 5432 failed: FATAL:  database "${database}" is not currently accepting connections`,
      ].join('\n');
    case 'cron-fetchmail':
      return [
        head,
        `  File "${ODOO}/addons/base/models/ir_cron.py", line 420, in _callback`,
        "    self.env['ir.actions.server'].browse(server_action_id).run()",
        `  File "${ODOO}/addons/base/models/ir_actions.py", line 720, in run`,
        '    res = runner(run_self, eval_context=eval_context)',
        '          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        `  File "${ODOO}/tools/safe_eval.py", line 390, in safe_eval`,
        '    raise ValueError(\'%s: "%s" while evaluating\\n%r\' % (ustr(type(e)), ustr(e), expr))',
        `ValueError: <class 'TimeoutError'>: "[Errno 110] Connection timed out" while evaluating`,
        "'model._fetch_mails()'",
      ].join('\n');
  }
}
