/**
 * `decision-markets mcp --url URL`: the MCP server over stdio, as an MCP client (an agent's
 * runtime, a desktop assistant) starts it: the tools of src/mcp calling a running API over the
 * network with the API key in DM_API_KEY, so the key's scopes and limits are the server's to
 * enforce. Needs no configuration of the service itself: no database, nothing of .env.
 * stdout carries the protocol; anything said to people goes to stderr.
 */
import process from 'node:process'
import { parseArgs } from 'node:util'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { packageVersion } from '../config/index.js'
import { fetchApi } from '../mcp/api.js'
import { createMcpServer } from '../mcp/server.js'

const DEFAULT_URL = 'http://127.0.0.1:3000'

export const MCP_HELP = `  mcp [--url URL]     Serve the MCP tools over stdio for an AI agent, acting with the API key
                      in DM_API_KEY against the API at URL (default DM_API_URL, else
                      ${DEFAULT_URL}); see docs/mcp.md`

function usage(message: string): number {
  process.stderr.write(
    `decision-markets mcp: ${message}\nUsage: DM_API_KEY=<key> decision-markets mcp [--url URL]\n`,
  )
  return 1
}

export async function runMcpCommand(argv: string[]): Promise<number> {
  let url: string
  try {
    const { values } = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    })
    if (values.help) {
      process.stdout.write(`Usage: DM_API_KEY=<key> decision-markets mcp [--url URL]\n${MCP_HELP}\n`)
      return 0
    }
    url = values.url ?? process.env.DM_API_URL ?? DEFAULT_URL
  } catch (error) {
    return usage((error as Error).message)
  }
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    return usage(`not an http(s) URL: ${url}`)
  const key = process.env.DM_API_KEY?.trim()
  if (!key) return usage('DM_API_KEY is not set (create a key with POST /v1/me/api-keys)')

  const server = createMcpServer(fetchApi(url, `Bearer ${key}`, `decision-markets-mcp/${packageVersion}`))
  await server.connect(new StdioServerTransport())
  // The client ends the session by closing our stdin.
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve)
    process.stdin.once('close', resolve)
  })
  await server.close()
  return 0
}
