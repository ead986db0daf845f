import type { FastifySchemaValidationError } from 'fastify/types/schema';
import { EXPECTED } from './schemas';

/**
 * fastify's schemaErrorFormatter: the first failure as "field: expected ...", with the field
 * named as the caller wrote it (a path parameter, a query parameter or a body property).
 */
export function validationError(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0];
  if (!first) return new Error(`${dataVar}: invalid`);
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'required') return new Error(`${String(params.missingProperty)}: required`);
  if (first.keyword === 'additionalProperties')
    return new Error(`${String(params.additionalProperty)}: unknown ${dataVar === 'body' ? 'field' : 'parameter'}`);
  const field = first.instancePath.split('/').filter(Boolean).join('.');
  if (field === '') return new Error(`${dataVar}: ${dataVar === 'body' ? 'expected a JSON object' : (first.message ?? 'invalid')}`);
  const leaf = field.split('.').at(-1) as string;
  return new Error(
    `${field}: ${EXPECTED[leaf] ?? (first.message ?? 'invalid').replace(/^must be /, 'expected ').replace(/^must /, 'expected to ')}`,
  );
}
