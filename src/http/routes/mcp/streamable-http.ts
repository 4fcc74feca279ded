import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { packageVersion } from '../../../config/index.js'
import { errors } from '../../../errors/codes.js'
import { type CallApi, parseApiBody } from '../../../mcp/api.js'
import { createMcpServer } from '../../../mcp/server.js'
import type { App, RouteModule } from '../../types.js'

export const MCP_PATH = '/mcp'

/**
 * The tools' calls, made in process against this app's own routes with the caller's credential:
 * the same authentication, scopes, validation and problem documents as over the network. The
 * caller's address goes with them, so per-IP limits count the caller, not this process's
 * loopback; the request id too, so the log lines of a tool call's API calls share it.
 */
function callOwnRoutes(app: App, request: FastifyRequest, authorization: string): CallApi {
  const userAgent = `${request.headers['user-agent'] ?? 'mcp-client'} (decision-markets-mcp/${packageVersion})`
  return async ({ method, path, body, headers }) => {
    const res = await app.inject({
      method,
      url: path,
      remoteAddress: request.ip,
      headers: {
        authorization,
        'x-request-id': request.id,
        'user-agent': userAgent,
        accept: 'application/json',
        ...headers,
      },
      ...(body === undefined ? {} : { payload: body as object }),
    })
    return {
      status: res.statusCode,
      body: parseApiBody(res.body),
      header: (name) => {
        const value = res.headers[name]
        return value === undefined ? undefined : String(value)
      },
    }
  }
}

function webRequest(request: FastifyRequest): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  return new Request(new URL(request.url, 'http://mcp.invalid'), { method: request.method, headers })
}

/**
 * POST|GET|DELETE /mcp: the MCP server over streamable HTTP, for AI agents, with the caller's API
 * key (or access token) as `Authorization: Bearer`. A request without a credential is a 401
 * before any MCP message is read; an invalid one was already refused by the authenticate hook.
 *
 * Stateless: each POST gets a server and transport of its own and a plain JSON answer, and the
 * credential is checked on every request, not once per session. So any instance behind the load
 * balancer can answer any request, a revoked key stops working at its next call, and nothing is
 * held open: a stop drains /mcp like any other route. The optional server-to-client stream
 * (GET) and session ending (DELETE) have nothing to serve without sessions: 405, as the
 * transport's specification allows (clients then carry on with POST alone).
 */
export const mcpRoutes: RouteModule = (app) => {
  async function serve(request: FastifyRequest, reply: FastifyReply) {
    const authorization = request.headers.authorization
    if (!request.principal || !authorization) {
      throw errors.unauthorized('The MCP endpoint needs an API key: Authorization: Bearer <key>')
    }
    if (request.method !== 'POST') throw errors.methodNotAllowed(request.method, MCP_PATH, ['POST'])
    const server = createMcpServer(callOwnRoutes(app, request, authorization))
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    })
    await server.connect(transport)
    try {
      const res = await transport.handleRequest(webRequest(request), { parsedBody: request.body })
      reply.code(res.status)
      res.headers.forEach((value, name) => {
        reply.header(name, value)
      })
      const text = await res.text()
      return reply.send(text === '' ? undefined : text)
    } finally {
      await server.close()
    }
  }
  // Not REST operations: kept out of the OpenAPI document (docs/mcp.md describes them).
  for (const method of ['POST', 'GET', 'DELETE'] as const) {
    app.route({ method, url: MCP_PATH, schema: { hide: true }, handler: serve })
  }
}
