import { SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('tenantscope');

/**
 * Runs `work` inside a span. Without a started SDK the API is a no-op. Span bookkeeping errors
 * are swallowed; errors of `work` itself pass through untouched.
 */
export function inSpan<T>(name: string, attributes: Record<string, string>, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await work();
      safely(() => span.setStatus({ code: SpanStatusCode.OK }));
      return result;
    } catch (err) {
      safely(() => span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message }));
      throw err;
    } finally {
      safely(() => span.end());
    }
  });
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // telemetry never throws into business code
  }
}
