/**
 * A client for any OpenAI-compatible `/v1/chat/completions` endpoint (OpenAI, Azure, vLLM,
 * Ollama, LM Studio, OpenRouter…), asking for structured JSON output. An agent uses it to
 * propose actions and record its own prior before a decision market opens.
 *
 * Failures are typed and never thrown as bare errors: the caller records them on the decision
 * (the market still opens; the prior is simply missing) rather than failing a request. Their
 * messages never quote what the endpoint answered: the operator chooses the URL, and an echoed
 * body would let them read whatever answers there (the outbound guard keeps internal addresses
 * out; this keeps the rest of the Internet's answers out of our records).
 *
 * The call goes through the outbound guard (infra/outbound.ts) and reads at most
 * `LLM_MAX_ANSWER_BYTES`: a 2 MB answer was once stored and served publicly.
 */

import { perRegistry } from './metrics.js'
import { type OutboundPolicy, OutboundRefused, OutboundTimeout, outboundRequest } from './outbound.js'
import { type TraceContext, traceHeaders } from './trace-context.js'

/** Largest answer read; a chat completion with a short JSON choice is a few KiB. */
export const LLM_MAX_ANSWER_BYTES = 64 * 1024

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface LlmEndpoint {
  /** Base URL up to and including `/v1`, e.g. `https://api.openai.com/v1`. */
  baseUrl: string
  apiKey?: string
  model: string
}

export type LlmFailureCode =
  | 'llm_unreachable'
  | 'llm_http_error'
  | 'llm_malformed_output'
  | 'llm_refused'
  | 'llm_target_refused'

export class LlmError extends Error {
  constructor(
    readonly code: LlmFailureCode,
    message: string,
    readonly status?: number,
    /** No answer within the time limit (an `llm_unreachable` told apart for metrics). */
    readonly timedOut = false,
  ) {
    super(message)
    this.name = 'LlmError'
  }
}

/** How a call ended, for metrics: `ok`, `timeout`, or the failure's code without its prefix. */
export const LLM_CALL_OUTCOMES = [
  'ok',
  'timeout',
  'unreachable',
  'http_error',
  'malformed_output',
  'refused',
  'target_refused',
] as const
export type LlmCallOutcome = (typeof LLM_CALL_OUTCOMES)[number]

function outcomeOf(error: unknown): LlmCallOutcome {
  if (!(error instanceof LlmError)) return 'unreachable'
  if (error.timedOut) return 'timeout'
  return error.code.slice('llm_'.length) as LlmCallOutcome
}

/** Calls and their durations by outcome, for `ChatJsonRequest.observe`. */
export const llmCallObserver = perRegistry((metrics) => {
  const calls = metrics.counter({
    name: 'dm_llm_calls_total',
    help: "Calls to agents' LLM endpoints, by outcome (ok, timeout, unreachable, http_error, malformed_output, refused, target_refused)",
    labelNames: ['outcome'] as const,
  })
  const duration = metrics.histogram({
    name: 'dm_llm_call_duration_seconds',
    help: 'Time of a call to an LLM endpoint, by outcome',
    labelNames: ['outcome'] as const,
    // An LLM answers in seconds, and may take up to LLM_TIMEOUT_MS (30 s by default).
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60],
  })
  const children = new Map(
    LLM_CALL_OUTCOMES.map((outcome) => {
      const count = calls.labels(outcome)
      count.inc(0)
      return [outcome, { count, duration: duration.labels(outcome) }] as const
    }),
  )
  return (outcome: LlmCallOutcome, seconds: number) => {
    const child = children.get(outcome)
    child?.count.inc()
    child?.duration.observe(seconds)
  }
})

export interface ChatJsonRequest {
  messages: ChatMessage[]
  /** JSON Schema of the expected answer (sent as `response_format: json_schema`, strict). */
  schema: Record<string, unknown>
  schemaName: string
  /** Checks the parsed JSON beyond the schema (the provider may ignore `strict`). */
  validate: (value: unknown) => string | undefined
  timeoutMs?: number
  temperature?: number
  /** Which non-public hosts may be called (OUTBOUND_ALLOW_HOSTS). */
  outbound: OutboundPolicy
  /** Sent as `traceparent`/`tracestate` (a provider or gateway that traces joins our trace). */
  trace?: TraceContext | undefined
  /** Told how each call ended and how long it took (`llmCallObserver(ctx.metrics)`). */
  observe?: (outcome: LlmCallOutcome, seconds: number) => void
}

export interface ChatJsonResult<T> {
  value: T
  model: string
  /** The provider's completion id, kept with the decision for audit. */
  completionId?: string
}

interface ChatCompletionResponse {
  id?: string
  model?: string
  choices?: Array<{ message?: { content?: string | null; refusal?: string | null }; finish_reason?: string }>
}

/** Providers sometimes wrap JSON in a Markdown fence despite being asked not to. */
function extractJson(content: string): unknown {
  const trimmed = content.trim()
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(trimmed)
  return JSON.parse(fenced ? (fenced[1] as string) : trimmed)
}

export async function chatJson<T>(
  endpoint: LlmEndpoint,
  request: ChatJsonRequest,
): Promise<ChatJsonResult<T>> {
  const started = performance.now()
  const seconds = () => (performance.now() - started) / 1000
  try {
    const result = await callChatJson<T>(endpoint, request)
    request.observe?.('ok', seconds())
    return result
  } catch (error) {
    request.observe?.(outcomeOf(error), seconds())
    throw error
  }
}

async function callChatJson<T>(endpoint: LlmEndpoint, request: ChatJsonRequest): Promise<ChatJsonResult<T>> {
  const url = `${endpoint.baseUrl.replace(/\/+$/, '')}/chat/completions`
  const body = {
    model: endpoint.model,
    messages: request.messages,
    temperature: request.temperature ?? 0,
    response_format: {
      type: 'json_schema',
      json_schema: { name: request.schemaName, schema: request.schema, strict: true },
    },
  }
  let response: Awaited<ReturnType<typeof outboundRequest>>
  try {
    response = await outboundRequest(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
        ...traceHeaders(request.trace),
      },
      body: JSON.stringify(body),
      timeoutMs: request.timeoutMs ?? 30_000,
      maxBytes: LLM_MAX_ANSWER_BYTES,
      maxRedirects: 3,
      policy: request.outbound,
    })
  } catch (error) {
    if (error instanceof OutboundRefused) {
      throw new LlmError('llm_target_refused', `The LLM endpoint is not allowed: ${error.message}`)
    }
    throw new LlmError(
      'llm_unreachable',
      `The LLM endpoint could not be reached: ${(error as Error).message}`,
      undefined,
      error instanceof OutboundTimeout,
    )
  }
  if (response.status < 200 || response.status > 299) {
    throw new LlmError('llm_http_error', `The LLM endpoint answered ${response.status}`, response.status)
  }
  if (response.truncated) {
    throw new LlmError(
      'llm_malformed_output',
      `The LLM endpoint's answer is larger than ${LLM_MAX_ANSWER_BYTES} bytes`,
    )
  }
  const text = response.body.toString('utf8')
  let parsed: ChatCompletionResponse
  try {
    parsed = JSON.parse(text) as ChatCompletionResponse
  } catch {
    throw new LlmError('llm_malformed_output', 'The LLM endpoint did not answer with JSON')
  }
  const message = parsed.choices?.[0]?.message
  if (message?.refusal) throw new LlmError('llm_refused', 'The model refused to answer')
  const content = message?.content
  if (typeof content !== 'string' || content.trim() === '') {
    throw new LlmError('llm_malformed_output', 'The completion has no message content')
  }
  let value: unknown
  try {
    value = extractJson(content)
  } catch {
    throw new LlmError('llm_malformed_output', 'The completion is not valid JSON')
  }
  const problem = request.validate(value)
  if (problem)
    throw new LlmError('llm_malformed_output', `The completion does not match the schema: ${problem}`)
  // Both are stored with the decision: an odd provider's megabyte id is dropped, not kept.
  const model = typeof parsed.model === 'string' && parsed.model.length <= 200 ? parsed.model : endpoint.model
  const id = typeof parsed.id === 'string' && parsed.id.length <= 200 ? parsed.id : undefined
  return { value: value as T, model, ...(id ? { completionId: id } : {}) }
}
