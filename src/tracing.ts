/**
 * Optional OpenTelemetry tracing, off by default. On when an OTLP endpoint is configured the standard way
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SDK_DISABLED=true turns it off
 * again; the exporter reads the other OTEL_EXPORTER_OTLP_* settings, such as headers, itself), spans are
 * sent as OTLP over HTTP.
 *
 * One analysis is one trace: the gateway's HTTP request opens a span (continuing the caller's `traceparent`
 * when there is one), the Temporal client interceptor carries its context into the workflow start, and
 * @temporalio/interceptors-opentelemetry's workflow and activity interceptors carry it on to the agents'
 * child workflows and every activity. Workflow spans are exported through a sink, so they are not sent
 * again when a history is replayed.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { WorkflowClientInterceptor } from '@temporalio/client';

/** The workflow interceptor module to bundle with the workflows when tracing is on. */
export const TRACING_WORKFLOW_INTERCEPTOR_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface Tracing {
  tracer: Tracer;
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Flush what is buffered and stop. */
  shutdown(): Promise<void>;
}

/** Whether the environment asks for tracing: an OTLP endpoint is set and the SDK is not disabled. */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

/**
 * Install a tracer provider for this process (global: the Temporal interceptors propagate through the
 * global propagator and context manager) that hands spans to `spanProcessor`.
 */
export function startTracing(options: { serviceName: string; spanProcessor: SpanProcessor }): Tracing {
  const resource = new Resource({ 'service.name': options.serviceName });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [options.spanProcessor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager(), propagator: new W3CTraceContextPropagator() });
  return {
    tracer: provider.getTracer('finops'),
    resource,
    spanProcessor: options.spanProcessor,
    shutdown: () => provider.shutdown(),
  };
}

/** Tracing as the environment configures it (OTLP over HTTP), or undefined when it is off. */
export function tracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (!tracingEnabled(env)) return undefined;
  return startTracing({ serviceName: env.OTEL_SERVICE_NAME || serviceName, spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter()) });
}

/** Interceptors for a Temporal Client: workflow starts, queries, cancels carry the active trace context. */
export function clientTracingInterceptors(tracing: Tracing): { workflow: WorkflowClientInterceptor[] } {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] };
}

/** A worker's tracing: activity interceptors, the workflow interceptor module, and the sink workflow spans leave by. */
export function workerTracingOptions(tracing: Tracing): Required<Pick<WorkerOptions, 'sinks'>> & {
  interceptors: { activity: NonNullable<NonNullable<WorkerOptions['interceptors']>['activity']>; workflowModules: string[] };
} {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer }),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
      workflowModules: [TRACING_WORKFLOW_INTERCEPTOR_MODULE],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}

/**
 * One server span per HTTP request, continuing the caller's W3C `traceparent`, active while the request is
 * handled (so the Temporal calls it makes are its children). Wraps the server's existing request handler.
 */
export function traceHttpServer(server: Server, tracing: Tracing): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const path = (req.url ?? '/').split('?')[0]!;
    const span = tracing.tracer.startSpan(
      `${req.method ?? 'GET'} ${path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? 'GET', 'url.path': path } },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(parent, span), () => {
      for (const handler of handlers) handler.call(server, req, res);
    });
  });
}
