import type { FastifyPluginAsync } from 'fastify';
import { RequestError } from '../../core/errors';
import { redact } from '../../core/redact';
import { escapeHtml as e } from '../../sla/render/escape';
import type { ApiV1Deps } from '../api-v1';
import { exclusionPages } from './exclusion-pages';
import { acceptForms } from './form';
import { page } from './layout';
import { CHROMIUM } from './pdf';
import { requireSession, sessionRoutes } from './session';
import { UI_STYLESHEET } from './style';
import { tenantPages } from './tenant-pages';

export interface PagesOptions {
  deps: ApiV1Deps;
  /** Where Chromium is for ?format=pdf; /usr/bin/chromium unless given. */
  chromiumPath?: string;
}

/**
 * The service manager's pages under /ui (docs/pages.md): server-rendered HTML, no script, a
 * session cookie instead of a bearer header, CSRF tokens in every form. The data and the rules
 * (who sees which tenant, who writes windows) are the API's own.
 */
export const pages: FastifyPluginAsync<PagesOptions> = async (app, { deps, chromiumPath }) => {
  const { pool, reports } = deps;
  const { fleet, clock } = reports;
  app.decorateRequest('uiSession', null);
  acceptForms(app);

  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const status = err instanceof RequestError ? err.statusCode : (err.statusCode ?? 500);
    if (status >= 500 && !(err instanceof RequestError)) {
      request.log.error({ err, request: { method: request.method, url: request.url } }, 'page failed');
      return reply
        .code(status)
        .type('text/html; charset=utf-8')
        .send(errorPage(status, 'Something went wrong on our side; it is in the log.'));
    }
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(errorPage(status, redact(err.message)));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(errorPage(404, `No page ${redact(request.url.split('?')[0] ?? '')}`)),
  );

  app.get('/style.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(UI_STYLESHEET));
  await app.register(sessionRoutes, { deps: { pool, clock } });
  await app.register(async (signedIn) => {
    signedIn.addHook('onRequest', requireSession({ pool, clock }));
    await signedIn.register(tenantPages, { deps: reports, chromiumPath: chromiumPath ?? CHROMIUM });
    await signedIn.register(exclusionPages, { deps: { pool, fleet, clock } });
  });
};
Object.defineProperty(pages, Symbol.for('fastify.display-name'), { value: 'pages' });

function errorPage(status: number, message: string): string {
  return page(
    `${status}`,
    `<h1>${e(status)}</h1><p class="error" role="alert">${e(message)}</p><p><a href="/ui/">Tenants</a> · <a href="/ui/sign-in">Sign in</a></p>`,
  );
}
