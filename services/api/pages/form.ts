import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../core/errors';

/** A form body as the pages read it: one text per field. */
export type FormBody = Record<string, string>;

// A page's form holds a reason of at most 1000 characters and a few short fields.
const FORM_BYTES = 16 * 1024;

/**
 * Parses `application/x-www-form-urlencoded` bodies in the pages' context only (the API stays
 * JSON only): every field once, as text. A field given twice is refused rather than guessed at.
 */
export function acceptForms(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BYTES }, (_request, body, done) => {
    try {
      done(null, parseForm(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

export function parseForm(body: string): FormBody {
  // No prototype: a field named __proto__ is a field like any other.
  const out = Object.create(null) as FormBody;
  for (const [key, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(out, key)) throw new RequestError(400, `${key}: given twice in the form`);
    out[key] = value;
  }
  return out;
}

/** A form field's text, or '' when the form did not carry it. */
export function field(body: unknown, name: string): string {
  const value = body !== null && typeof body === 'object' ? (body as FormBody)[name] : undefined;
  return typeof value === 'string' ? value : '';
}
