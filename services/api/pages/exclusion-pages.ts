import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { canWrite } from '../../auth/principal';
import { RequestError } from '../../core/errors';
import { exclusionAudit, type ExclusionKind } from '../../sla/store/exclusion-store';
import { requireWriter } from '../auth-hook';
import { recordWindow, revokeWindow, visibleExclusions, type ExclusionRouteDeps } from '../exclusion-routes';
import { exclusionsPage, type ExclusionsPageInput } from './exclusions-view';
import { field, type FormBody } from './form';
import { requireCsrf, viewer } from './session';

const REASON_MAX = 1000;

/**
 * GET /ui/exclusions, and the admin's forms: POST /ui/exclusions records a window, POST
 * /ui/exclusions/:id/revoke revokes one. Both go through the same functions as the API routes,
 * so a window recorded here is the API's, audit row included, by the token's name.
 */
export const exclusionPages: FastifyPluginAsync<{ deps: ExclusionRouteDeps }> = async (app, { deps }) => {
  const show = async (request: FastifyRequest, reply: FastifyReply, status: number, extra: Partial<ExclusionsPageInput> = {}) => {
    const v = viewer(request);
    const windows = await visibleExclusions(deps, v.who, {});
    const rows = await Promise.all(windows.map(async (w) => ({ window: w, audit: await exclusionAudit(deps.pool, w.id) })));
    const page = exclusionsPage({ rows, fleet: deps.fleet, writer: canWrite(v.who), ...extra }, v);
    return reply.code(status).type('text/html; charset=utf-8').send(page);
  };

  app.get<{ Querystring: { recorded?: string; revoked?: string } }>('/exclusions', async (request, reply) => {
    // Only an id comes back in the address: the page words the message, so a link cannot put words in it.
    const { recorded, revoked } = request.query;
    const [action, id] = recorded !== undefined ? ['recorded', recorded] : revoked !== undefined ? ['revoked', revoked] : [];
    const done = id !== undefined && /^\d{1,20}$/.test(id) ? { message: { kind: 'done' as const, text: `Window ${id} ${action}.` } } : {};
    return show(request, reply, 200, done);
  });

  app.post('/exclusions', { preHandler: [requireCsrf, requireWriter] }, async (request, reply) => {
    const body = request.body as FormBody;
    const tenant = field(body, 'tenant');
    const cluster = field(body, 'cluster');
    try {
      const reason = field(body, 'reason');
      if (reason.length > REASON_MAX) throw new RequestError(400, `reason: expected at most ${REASON_MAX} characters`);
      const recorded = await recordWindow(deps, viewer(request).who, {
        ...(tenant !== '' && { tenant }),
        ...(cluster !== '' && { cluster }),
        kind: field(body, 'kind') as ExclusionKind,
        start: field(body, 'start'),
        end: field(body, 'end'),
        reason,
      });
      return reply.redirect(`/ui/exclusions?recorded=${recorded.id}`, 303);
    } catch (err) {
      // A refused form comes back with its values and the reason, instead of a bare error page.
      if (!(err instanceof RequestError) || err.statusCode !== 400) throw err;
      const form = {
        tenant,
        cluster,
        kind: field(body, 'kind'),
        start: field(body, 'start'),
        end: field(body, 'end'),
        reason: field(body, 'reason'),
      };
      return show(request, reply, 400, { message: { kind: 'error', text: err.message }, form });
    }
  });

  app.post<{ Params: { id: string } }>('/exclusions/:id/revoke', { preHandler: [requireCsrf, requireWriter] }, async (request, reply) => {
    const reason = field(request.body, 'reason');
    if (reason.trim() === '' || reason.length > REASON_MAX)
      throw new RequestError(400, `reason: expected a non-empty text of at most ${REASON_MAX} characters`);
    const revoked = await revokeWindow(deps, viewer(request).who, request.params.id, reason);
    return reply.redirect(`/ui/exclusions?revoked=${revoked.id}`, 303);
  });
};
Object.defineProperty(exclusionPages, Symbol.for('fastify.display-name'), { value: 'exclusion-pages' });
