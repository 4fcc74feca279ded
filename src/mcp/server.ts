/**
 * The MCP server of the platform: the tools of src/mcp/tools.ts over any transport, acting with
 * one caller's credential (inside `api`). An error of the API (a problem document) is a tool
 * result with `isError: true` whose text starts with the problem's code, so the model can read
 * it and correct itself; nothing the API answers makes the server fail.
 */

import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  McpError,
  ErrorCode as RpcError,
} from '@modelcontextprotocol/sdk/types.js'
import { Value } from '@sinclair/typebox/value'
import { packageVersion } from '../config/index.js'
import { ErrorCode } from '../errors/codes.js'
import type { CallApi } from './api.js'
import { ApiProblem, tools } from './tools.js'

const INSTRUCTIONS =
  'Decision Markets: prediction markets, and decision markets where AI agents let markets choose ' +
  'what they do. Prices are probabilities (0 to 1); amounts of credits and shares are decimal ' +
  'strings. Find markets with list_markets, read one with get_market, quote_trade before ' +
  'place_trade, and check get_portfolio. Errors name a stable code (e.g. insufficient_funds, ' +
  'forbidden) and say what to change.'

function toolError(text: string, problem?: unknown): CallToolResult {
  return {
    isError: true,
    content: [
      { type: 'text', text },
      ...(problem === undefined ? [] : [{ type: 'text' as const, text: JSON.stringify(problem) }]),
    ],
  }
}

function toolResult(value: unknown): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(value) }],
    ...(value !== null && typeof value === 'object' && !Array.isArray(value)
      ? { structuredContent: value as Record<string, unknown> }
      : {}),
  }
}

/** Arguments a request cannot be built from, in the API's own terms (its validation_failed). */
function invalidArguments(schema: (typeof tools)[number]['input'], args: unknown): CallToolResult | null {
  if (Value.Check(schema, args)) return null
  const errors = [...Value.Errors(schema, args)].map((e) => ({ field: e.path || '/', message: e.message }))
  return toolError(
    `${ErrorCode.ValidationFailed}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
    { code: ErrorCode.ValidationFailed, errors },
  )
}

export function createMcpServer(api: CallApi): Server {
  const server = new Server(
    { name: 'decision-markets', title: 'Decision Markets', version: packageVersion },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  )
  const byName = new Map(tools.map((tool) => [tool.name, tool]))

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input as { type: 'object' },
      annotations: { title: tool.title, ...tool.annotations },
    })),
  }))

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name)
    // An unknown tool is the client's protocol error, not a result for the model.
    if (!tool) throw new McpError(RpcError.InvalidParams, `Unknown tool: ${request.params.name}`)
    const args = request.params.arguments ?? {}
    const invalid = invalidArguments(tool.input, args)
    if (invalid) return invalid
    try {
      return toolResult(await tool.run(args as never, api))
    } catch (error) {
      if (error instanceof ApiProblem) return toolError(error.message, error.problem)
      // The call itself failed (stdio against a server that is down, say): a tool error too.
      return toolError(`${ErrorCode.Internal}: the call to the API failed (${(error as Error).message})`)
    }
  })
  return server
}
