import type { FastifyRequest } from 'fastify';
import type { RateLimitOptions, RateLimitPluginOptions } from '@fastify/rate-limit';
import { RequestError } from '../core/errors';

/**
 * What one API process takes before it refuses (docs/operations.md#limits). Rates count per
 * minute in this process's memory: behind a load balancer each replica counts its own.
 */
export interface ApiLimits {
  /** Requests a minute from one client address on any route; 0: no limit. */
  readonly perAddressPerMinute: number;
  /** Requests a minute with one token under /api/v1 and on the push route; 0: no limit. */
  readonly perTokenPerMinute: number;
  /** Pushed bodies read at once; one more is 503 with Retry-After. */
  readonly concurrentPushes: number;
  /** Seconds a pushed body may take to arrive; a slower one is cut off (408) and frees its slot. */
  readonly pushReadSeconds: number;
}

export const DEFAULT_LIMITS: ApiLimits = { perAddressPerMinute: 1200, perTokenPerMinute: 600, concurrentPushes: 2, pushReadSeconds: 60 };

const MINUTE_MS = 60_000;

/** Every route: counted by client address, before anything else is done for the request. */
export function perAddressLimit(max: number): RateLimitPluginOptions {
  return {
    global: true,
    max,
    timeWindow: MINUTE_MS,
    keyGenerator: (request) => `address:${request.ip}`,
    errorResponseBuilder: (request, context) =>
      new RequestError(429, `rate: more than ${context.max} requests a minute from ${request.ip}; retry in ${context.after}`),
  };
}

/** Authenticated routes: counted by token name, after the token was checked. */
export function perTokenLimit(max: number): RateLimitOptions {
  const name = (request: FastifyRequest) => request.principal?.name ?? '(none)';
  return {
    max,
    timeWindow: MINUTE_MS,
    keyGenerator: (request) => `token:${name(request)}`,
    errorResponseBuilder: (request, context) =>
      new RequestError(429, `rate: more than ${context.max} requests a minute with token ${name(request)}; retry in ${context.after}`),
  };
}
