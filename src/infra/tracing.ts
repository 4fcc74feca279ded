/**
 * Spans: each HTTP request, trade placement, webhook delivery and LLM call. A small interface of
 * our own, so the code that makes spans never depends on OpenTelemetry: without an OTLP endpoint
 * the tracer is `propagatingTracer` (no SDK module is even loaded; a span is two random ids that
 * outgoing calls carry in `traceparent`), and with one, `createTracer` loads the SDK and exports
 * over OTLP/HTTP (JSON) in batches.
 *
 * Parents are passed explicitly (a span's `context`, a job's carried `traceparent`), never read
 * from an AsyncLocalStorage: on Node 20 an active AsyncLocalStorage installs promise hooks that
 * tax every promise of the trade path, traced or not.
 */
import { childContext, type TraceContext } from './trace-context.js'

export type SpanKind = 'server' | 'client' | 'internal'
export type SpanAttributes = Record<string, string | number | boolean | undefined>

export interface SpanOptions {
  /** The caller's context (an incoming traceparent, the request's span); none = a new trace. */
  parent?: TraceContext | undefined
  kind?: SpanKind
  attributes?: SpanAttributes
}

export interface Span {
  /** What outgoing calls made within this span carry (this span is their parent). */
  readonly context: TraceContext
  /** The name given at the end, when only then known (a request's route template). */
  setName(name: string): void
  setAttributes(attributes: SpanAttributes): void
  /** Marks the span failed; `error` is recorded by type and message (no stack in traces). */
  fail(error?: unknown): void
  end(): void
}

export interface Tracer {
  /** Whether spans leave the process (an OTLP endpoint is configured). */
  readonly exporting: boolean
  startSpan(name: string, options?: SpanOptions): Span
  /** Sends the spans still buffered and stops the exporter (the process is stopping). */
  shutdown(): Promise<void>
}

class PropagatingSpan implements Span {
  readonly context: TraceContext
  constructor(parent: TraceContext | undefined) {
    this.context = childContext(parent)
  }
  setName() {}
  setAttributes() {}
  fail() {}
  end() {}
}

/** Records nothing; keeps trace ids flowing from callers to the services we call. */
export const propagatingTracer: Tracer = {
  exporting: false,
  startSpan: (_name, options) => new PropagatingSpan(options?.parent),
  shutdown: async () => {},
}

/** Runs `work` in a span that ends with it and is marked failed if it throws. */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, options)
  try {
    return await work(span)
  } catch (error) {
    span.fail(error)
    throw error
  } finally {
    span.end()
  }
}

export interface TracerOptions {
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, used as given. */
  tracesEndpoint?: string | undefined
  /** OTEL_EXPORTER_OTLP_ENDPOINT: traces go to `<endpoint>/v1/traces`, as the spec says. */
  endpoint?: string | undefined
  serviceVersion: string
  /** PROCESS_ROLE (api, worker, all): one service, told apart by role. */
  role: string
}

export const SERVICE_NAME = 'decision-markets'

/** The URL spans are posted to, or undefined (tracing off). */
export function tracesUrl(options: Pick<TracerOptions, 'endpoint' | 'tracesEndpoint'>): string | undefined {
  if (options.tracesEndpoint) return options.tracesEndpoint
  if (options.endpoint) return `${options.endpoint.replace(/\/+$/, '')}/v1/traces`
  return undefined
}

/**
 * The process's tracer. Without an endpoint, `propagatingTracer`. With one, the SDK is
 * imported here and only here (it is ~3 MB of modules a process without tracing never loads),
 * with the exporter's own environment variables (OTEL_EXPORTER_OTLP_HEADERS, …_TIMEOUT) honoured
 * by the exporter itself.
 */
export async function createTracer(options: TracerOptions): Promise<Tracer> {
  const url = tracesUrl(options)
  if (!url) return propagatingTracer
  const [api, sdk, exporter, resources] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ])
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({
      'service.name': SERVICE_NAME,
      'service.version': options.serviceVersion,
      'service.role': options.role,
    }),
    // The SDK's default sampler: a caller's sampled flag decides, new traces are all kept.
    spanProcessors: [new sdk.BatchSpanProcessor(new exporter.OTLPTraceExporter({ url }))],
  })
  const tracer = provider.getTracer(SERVICE_NAME, options.serviceVersion)
  const kinds = {
    server: api.SpanKind.SERVER,
    client: api.SpanKind.CLIENT,
    internal: api.SpanKind.INTERNAL,
  } as const

  const parentOf = (parent: TraceContext | undefined) =>
    parent
      ? api.trace.setSpanContext(api.ROOT_CONTEXT, {
          traceId: parent.traceId,
          spanId: parent.spanId,
          traceFlags: Number.parseInt(parent.flags, 16),
          isRemote: true,
          ...(parent.tracestate ? { traceState: api.createTraceState(parent.tracestate) } : {}),
        })
      : api.ROOT_CONTEXT

  const defined = (attributes: SpanAttributes | undefined) =>
    Object.fromEntries(Object.entries(attributes ?? {}).filter(([, value]) => value !== undefined)) as Record<
      string,
      string | number | boolean
    >

  return {
    exporting: true,
    startSpan(name, spanOptions = {}) {
      const span = tracer.startSpan(
        name,
        { kind: kinds[spanOptions.kind ?? 'internal'], attributes: defined(spanOptions.attributes) },
        parentOf(spanOptions.parent),
      )
      const own = span.spanContext()
      const context: TraceContext = {
        traceId: own.traceId,
        spanId: own.spanId,
        flags: own.traceFlags.toString(16).padStart(2, '0'),
        ...(spanOptions.parent?.tracestate ? { tracestate: spanOptions.parent.tracestate } : {}),
      }
      return {
        context,
        setName: (next) => void span.updateName(next),
        setAttributes: (attributes) => void span.setAttributes(defined(attributes)),
        fail(error) {
          span.setStatus({
            code: api.SpanStatusCode.ERROR,
            ...(error instanceof Error ? { message: `${error.name}: ${error.message}` } : {}),
          })
        },
        end: () => span.end(),
      }
    },
    shutdown: () => provider.shutdown(),
  }
}
