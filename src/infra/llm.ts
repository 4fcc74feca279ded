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
import { type OutboundPolicy, OutboundRefused, outboundRequest } from './outbound.js'
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
  ) {
    super(message)
    this.name = 'LlmError'
  }
}

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
