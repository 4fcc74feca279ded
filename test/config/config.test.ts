import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, projectRoot, variables } from '../../src/config/index.js'

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('configuration', () => {
  it('has working defaults and is frozen', () => {
    const config = loadConfig({})
    expect(config.PORT).toBe(3000)
    expect(config.HOST).toBe('127.0.0.1')
    expect(config.PROCESS_ROLE).toBe('all')
    expect(config.DATABASE_URL).toBeUndefined()
    expect(config.publicUrl).toBe('http://127.0.0.1:3000')
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('parses typed values', () => {
    const config = loadConfig({
      PORT: '8080',
      PROCESS_ROLE: 'worker',
      MIGRATE_ON_START: 'false',
      CORS_ORIGINS: 'https://a.example, https://b.example:8443/',
      DATABASE_URL: 'postgres://u:p@db:5432/x?sslmode=require',
      PUBLIC_URL: 'https://api.example/',
    })
    expect(config.PORT).toBe(8080)
    expect(config.PROCESS_ROLE).toBe('worker')
    expect(config.MIGRATE_ON_START).toBe(false)
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example:8443'])
    expect(config.publicUrl).toBe('https://api.example')
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be an integer'],
    [{ PORT: '70000' }, 'PORT must be between 0 and 65535'],
    [{ PROCESS_ROLE: 'cron' }, 'PROCESS_ROLE must be one of all, api, worker'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must use postgres or postgresql'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL must be a URL'],
    [{ MIGRATE_ON_START: 'maybe' }, 'MIGRATE_ON_START must be true or false'],
    [{ EMBEDDED_PG: 'false' }, 'DATABASE_URL must be set when EMBEDDED_PG is false'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [
      { CORS_ORIGINS: '*' },
      "CORS_ORIGINS must list origins like https://app.example (scheme, host, port; no path or '*'), got '*'",
    ],
    [{ CORS_ORIGINS: 'https://a.example/app' }, 'CORS_ORIGINS must list origins like'],
    [{ CORS_ORIGINS: 'app.example' }, 'CORS_ORIGINS must list origins like'],
    [
      { TLS_CERT_FILE: '/nonexistent/cert.pem', TLS_KEY_FILE: '/nonexistent/key.pem' },
      'TLS_CERT_FILE cannot be read: /nonexistent/cert.pem (ENOENT)',
    ],
  ])('refuses %o naming the variable', (env, message) => {
    expect(configError(env).message).toContain(message)
  })

  it('with EMBEDDED_PG=false, a DATABASE_URL that does not parse is reported once, as itself', () => {
    const error = configError({ EMBEDDED_PG: 'false', DATABASE_URL: 'mysql://x' })
    expect(error.problems).toEqual(['DATABASE_URL must use postgres or postgresql'])
    expect(loadConfig({ EMBEDDED_PG: 'false', DATABASE_URL: 'postgres://h/db' }).EMBEDDED_PG).toBe(false)
  })

  it('reports every bad variable at once', () => {
    const error = configError({ PORT: 'x', DATABASE_POOL_MAX: '0' })
    expect(error.problems).toHaveLength(2)
    expect(error.message).toContain('PORT')
    expect(error.message).toContain('DATABASE_POOL_MAX')
  })

  it('.env.example documents exactly the variables the service reads', () => {
    const example = readFileSync(`${projectRoot}/.env.example`, 'utf8')
    const documented = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1])
    expect(new Set(documented)).toEqual(new Set(Object.keys(variables)))
  })
})
