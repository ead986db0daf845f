import type { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry before pg, ioredis and fastify are loaded, so their instrumentations can
 * hook them. Does nothing unless OTEL_EXPORTER_OTLP_ENDPOINT is set: no exporter, no overhead.
 * Telemetry never throws into the program (otel-contrib safeExecuteInTheMiddle).
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT || sdk) return false;
  try {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
    const { NodeSDK: Sdk } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
    const { OTLPTraceExporter } =
      require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
    const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
    const { IORedisInstrumentation } =
      require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
    const { FastifyOtelInstrumentation } = require('@fastify/otel') as typeof import('@fastify/otel');
    sdk = new Sdk({
      serviceName: env.OTEL_SERVICE_NAME ?? 'tenantscope',
      traceExporter: new OTLPTraceExporter(),
      instrumentations: [
        new PgInstrumentation(),
        new IORedisInstrumentation(),
        new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (opts) => opts.url === '/metrics' }),
      ],
    });
    sdk.start();
    return true;
  } catch (err) {
    process.stderr.write(`tenantscope: telemetry not started: ${(err as Error).message}\n`);
    return false;
  }
}

export async function stopTelemetry(): Promise<void> {
  try {
    await sdk?.shutdown();
  } catch {
    // the exporter's endpoint may be gone at shutdown; nothing to do about it then
  }
}
