/**
 * A local LLM provider for tests: a real HTTP server speaking the OpenAI chat-completions
 * protocol (request and response bodies as the API documents them), so the client code under
 * test goes through fetch, JSON, status codes and timeouts exactly as in production. The
 * answer is whatever the test scripts: JSON content, garbage, an error status.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ChatCompletionRequestBody {
  model: string
  messages: Array<{ role: string; content: string }>
  response_format?: { type: string; json_schema?: { name: string; schema: unknown; strict?: boolean } }
  temperature?: number
}

export type FakeLlmReply =
  | { kind: 'json'; value: unknown }
  | { kind: 'content'; content: string }
  | { kind: 'refusal'; refusal: string }
  | { kind: 'status'; status: number; body?: string }

export interface FakeLlmServer {
  /** Base URL including /v1, as an agent is configured with. */
  baseUrl: string
  requests: Array<{
    body: ChatCompletionRequestBody
    authorization: string | undefined
    traceparent: string | undefined
    tracestate: string | undefined
  }>
  reply: (request: ChatCompletionRequestBody) => FakeLlmReply
  close(): Promise<void>
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export async function startFakeLlm(reply: FakeLlmServer['reply']): Promise<FakeLlmServer> {
  let counter = 0
  const fake: FakeLlmServer = {
    baseUrl: '',
    requests: [],
    reply,
    close: async () => {},
  }
  const server: Server = createServer(async (request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(typeof body === 'string' ? body : JSON.stringify(body))
    }
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      return send(404, { error: { message: 'Unknown path', type: 'invalid_request_error' } })
    }
    let body: ChatCompletionRequestBody
    try {
      body = JSON.parse(await readBody(request)) as ChatCompletionRequestBody
    } catch {
      return send(400, { error: { message: 'Invalid JSON', type: 'invalid_request_error' } })
    }
    if (!body.model || !Array.isArray(body.messages)) {
      return send(400, {
        error: { message: 'model and messages are required', type: 'invalid_request_error' },
      })
    }
    fake.requests.push({
      body,
      authorization: request.headers.authorization,
      traceparent: request.headers.traceparent as string | undefined,
      tracestate: request.headers.tracestate as string | undefined,
    })
    const answer = fake.reply(body)
    if (answer.kind === 'status')
      return send(answer.status, answer.body ?? { error: { message: 'scripted failure' } })
    counter++
    const message =
      answer.kind === 'refusal'
        ? { role: 'assistant', content: null, refusal: answer.refusal }
        : {
            role: 'assistant',
            content: answer.kind === 'json' ? JSON.stringify(answer.value) : answer.content,
          }
    return send(200, {
      id: `chatcmpl-fake-${counter}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  fake.baseUrl = `http://127.0.0.1:${port}/v1`
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return fake
}
