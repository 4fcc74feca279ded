/**
 * An OpenTelemetry collector as far as the tests need one: a real HTTP server taking OTLP/HTTP
 * trace exports (`POST /v1/traces`, JSON as the exporter sends it, gzip if asked) and keeping
 * the decoded spans with their resource attributes.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

interface OtlpValue {
  stringValue?: string
  intValue?: string | number
  boolValue?: boolean
  doubleValue?: number
}
interface OtlpAttribute {
  key: string
  value: OtlpValue
}

export interface CollectedSpan {
  traceId: string
  spanId: string
  parentSpanId: string | undefined
  name: string
  kind: number
  status: { code?: number; message?: string }
  attributes: Record<string, string | number | boolean | undefined>
  resource: Record<string, string | number | boolean | undefined>
}

export interface OtlpCollector {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  url: string
  /** Every request received, whatever its path (a request elsewhere is a bug too). */
  requests: Array<{ path: string; contentType: string | undefined }>
  spans: CollectedSpan[]
  close(): Promise<void>
}

const plainValue = (value: OtlpValue) =>
  value.stringValue ??
  (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
  value.boolValue ??
  value.doubleValue

const attributesOf = (attributes: OtlpAttribute[] | undefined) =>
  Object.fromEntries((attributes ?? []).map((a) => [a.key, plainValue(a.value)]))

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const collector: OtlpCollector = { url: '', requests: [], spans: [], close: async () => {} }
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    let raw = Buffer.concat(chunks)
    if (request.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw)
    collector.requests.push({ path: request.url ?? '', contentType: request.headers['content-type'] })
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      response.writeHead(404).end()
      return
    }
    const body = JSON.parse(raw.toString('utf8')) as {
      resourceSpans?: Array<{
        resource?: { attributes?: OtlpAttribute[] }
        scopeSpans?: Array<{
          spans?: Array<{
            traceId: string
            spanId: string
            parentSpanId?: string
            name: string
            kind: number
            status?: { code?: number; message?: string }
            attributes?: OtlpAttribute[]
          }>
        }>
      }>
    }
    for (const resourceSpans of body.resourceSpans ?? []) {
      const resource = attributesOf(resourceSpans.resource?.attributes)
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          collector.spans.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId || undefined,
            name: span.name,
            kind: span.kind,
            status: span.status ?? {},
            attributes: attributesOf(span.attributes),
            resource,
          })
        }
      }
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  collector.url = `http://127.0.0.1:${port}`
  collector.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return collector
}
