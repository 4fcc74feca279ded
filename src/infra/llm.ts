/**
 * A client for any OpenAI-compatible `/v1/chat/completions` endpoint (OpenAI, Azure, vLLM,
 * Ollama, LM Studio, OpenRouter…), asking for structured JSON output. An agent uses it to
 * propose actions and record its own prior before a decision market opens.
 *
 * Failures are typed and never thrown as bare errors: the caller records them on the decision
 * (the market still opens; the prior is simply missing) rather than failing a request.
 */

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

export type LlmFailureCode = 'llm_unreachable' | 'llm_http_error' | 'llm_malformed_output' | 'llm_refused'

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
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(request.timeoutMs ?? 30_000),
    })
  } catch (error) {
    throw new LlmError(
      'llm_unreachable',
      `The LLM endpoint could not be reached: ${(error as Error).message}`,
    )
  }
  const text = await response.text().catch(() => '')
  if (!response.ok) {
    // The provider's message helps the operator; it never contains our key.
    throw new LlmError(
      'llm_http_error',
      `The LLM endpoint answered ${response.status}: ${text.slice(0, 300)}`,
      response.status,
    )
  }
  let parsed: ChatCompletionResponse
  try {
    parsed = JSON.parse(text) as ChatCompletionResponse
  } catch {
    throw new LlmError('llm_malformed_output', 'The LLM endpoint did not answer with JSON')
  }
  const message = parsed.choices?.[0]?.message
  if (message?.refusal)
    throw new LlmError('llm_refused', `The model refused: ${message.refusal.slice(0, 300)}`)
  const content = message?.content
  if (typeof content !== 'string' || content.trim() === '') {
    throw new LlmError('llm_malformed_output', 'The completion has no message content')
  }
  let value: unknown
  try {
    value = extractJson(content)
  } catch {
    throw new LlmError('llm_malformed_output', `The completion is not valid JSON: ${content.slice(0, 200)}`)
  }
  const problem = request.validate(value)
  if (problem)
    throw new LlmError('llm_malformed_output', `The completion does not match the schema: ${problem}`)
  return {
    value: value as T,
    model: parsed.model ?? endpoint.model,
    ...(parsed.id ? { completionId: parsed.id } : {}),
  }
}
