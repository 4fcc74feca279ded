#!/usr/bin/env node
/**
 * The one command-line entry: `decision-markets serve | migrate | grant-role | revoke-role | verify |
 * seal-starknet-key | mcp | --help | --version`.
 */
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig, packageVersion, variables } from '../config/index.js'
import { migrate } from '../db/migrate.js'
import { createLogger, resolveLogFormat } from '../infra/logger.js'
import { resolveDatabase } from './database.js'
import { MCP_HELP, runMcpCommand } from './mcp-command.js'
import { ROLES_HELP, runRoleCommand } from './roles-command.js'
import { runSealKeyCommand, SEAL_KEY_HELP } from './seal-key-command.js'
import { startService } from './server.js'
import { onShutdownSignal } from './shutdown.js'
import { runVerifyCommand, VERIFY_HELP } from './verify-command.js'

const HELP = `decision-markets ${packageVersion}

Usage: decision-markets <command> [options]

Commands:
  serve       Run the service in its PROCESS_ROLE (api, worker or all; default all)
  migrate     Apply pending database migrations and exit
${ROLES_HELP}
${VERIFY_HELP}
${SEAL_KEY_HELP}
${MCP_HELP}

Options:
  -h, --help     Show this help
  -v, --version  Show the version

Configuration comes from environment variables (see .env.example):
${Object.entries(variables)
  .map(([name, spec]) => `  ${name.padEnd(30)} ${spec.description}`)
  .join('\n')}
`

async function main(argv: string[]): Promise<number> {
  // verify needs no configuration at all (it trusts nothing of this installation), so it runs
  // before the configuration is read, with options of its own.
  if (argv[0] === 'verify') return verifyCommand(argv.slice(1))
  // mcp is a client of a running API (its key and URL are all it needs): no configuration either.
  if (argv[0] === 'mcp') return runMcpCommand(argv.slice(1))
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
  })
  if (values.version) {
    process.stdout.write(`${packageVersion}\n`)
    return 0
  }
  const command = positionals[0]
  if (values.help || !command) {
    process.stdout.write(HELP)
    return command || values.help ? 0 : 1
  }

  const config = loadConfig()
  const log = createLogger(config.LOG_LEVEL, { format: resolveLogFormat(config.LOG_FORMAT) })
  switch (command) {
    case 'serve': {
      const service = await startService(config, log)
      onShutdownSignal(() => service.stop(), { graceMs: config.SHUTDOWN_GRACE_MS, log })
      return -1 // keep running
    }
    case 'migrate': {
      const target = await resolveDatabase(config, log)
      try {
        const result = await migrate(target.url, { log: (message, fields) => log.info(fields, message) })
        log.info({ applied: result.applied }, 'migrations current')
      } finally {
        await target.embedded?.stop()
      }
      return 0
    }
    case 'grant-role':
    case 'revoke-role':
      return runRoleCommand(config, log, command, positionals.slice(1))
    case 'seal-starknet-key':
      return runSealKeyCommand(config, positionals.slice(1))
    default:
      process.stderr.write(`Unknown command '${command}'. Run decision-markets --help.\n`)
      return 1
  }
}

async function verifyCommand(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseVerifyArgs>
  try {
    parsed = parseVerifyArgs(argv)
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`)
    return runVerifyCommand({ files: [], rpcUrl: undefined, contract: undefined, json: false })
  }
  const { values, positionals } = parsed
  return runVerifyCommand({
    files: positionals,
    rpcUrl: values['rpc-url'],
    contract: values.contract,
    json: values.json ?? false,
  })
}

function parseVerifyArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'rpc-url': { type: 'string' },
      contract: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (error) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
    } else {
      process.stderr.write(`decision-markets: ${(error as Error).stack ?? error}\n`)
    }
    process.exit(1)
  },
)
