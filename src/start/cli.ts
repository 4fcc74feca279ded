#!/usr/bin/env node
/**
 * The one command-line entry: `decision-markets serve | migrate | grant-role | revoke-role | --help | --version`.
 */
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig, packageVersion, variables } from '../config/index.js'
import { migrate } from '../db/migrate.js'
import { createLogger } from '../infra/logger.js'
import { resolveDatabase } from './database.js'
import { ROLES_HELP, runRoleCommand } from './roles-command.js'
import { startService } from './server.js'
import { onShutdownSignal } from './shutdown.js'

const HELP = `decision-markets ${packageVersion}

Usage: decision-markets <command> [options]

Commands:
  serve       Run the service in its PROCESS_ROLE (api, worker or all; default all)
  migrate     Apply pending database migrations and exit
${ROLES_HELP}

Options:
  -h, --help     Show this help
  -v, --version  Show the version

Configuration comes from environment variables (see .env.example):
${Object.entries(variables)
  .map(([name, spec]) => `  ${name.padEnd(30)} ${spec.description}`)
  .join('\n')}
`

async function main(argv: string[]): Promise<number> {
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
  const log = createLogger(config.LOG_LEVEL)
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
    default:
      process.stderr.write(`Unknown command '${command}'. Run decision-markets --help.\n`)
      return 1
  }
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
