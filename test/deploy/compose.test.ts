/**
 * docker-compose.yml against the Compose Specification's JSON schema (vendored in
 * test/deploy/schemas, see its README), validated with ajv; then what the schema cannot know:
 * the stack's shape (roles, one-shot migration first, health-gated start order), files it
 * mounts, variables it sets, and that no secret value is committed. `docker compose config`
 * is not run: no Docker engine or compose binary here.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv } from 'ajv'
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' }
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { projectRoot, variables } from '../../src/config/index.js'
import { readDockerfile } from '../helpers/dockerfile.js'

const schema = JSON.parse(
  readFileSync(path.join(projectRoot, 'test/deploy/schemas/compose-spec.json'), 'utf8'),
)
const ajv = new Ajv({ allErrors: true, strict: false })
// The schema names its meta-schema https://json-schema.org/draft-07/schema; ajv knows draft-07
// by its older id (http://…#): the same document is registered under the new one, so the schema
// itself is checked against it before use.
ajv.addMetaSchema({ ...draft07, $id: schema.$schema })
const validateCompose = ajv.compile(schema)

interface Service {
  image?: string
  build?: unknown
  command?: string[]
  restart?: string
  environment?: Record<string, string>
  env_file?: Array<{ path: string; required?: boolean }>
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test?: string[]; disable?: boolean }
  volumes?: string[]
  secrets?: string[]
}
interface Compose {
  services: Record<string, Service>
  secrets: Record<string, { file: string }>
}

/** YAML 1.1 merge keys (`<<: *service`) as Compose resolves them. */
const text = readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8')
const compose = parse(text, { merge: true }) as Compose
const services = compose.services
const ours = Object.entries(services).filter(([, s]) => s.image === 'decision-markets:local')

/** Files another part of the project writes (Prometheus rules, Grafana dashboards). */
const WRITTEN_ELSEWHERE = ['deploy/prometheus/', 'deploy/grafana/']

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const valid = validateCompose(compose)
    expect(validateCompose.errors ?? [], JSON.stringify(validateCompose.errors, null, 2)).toEqual([])
    expect(valid).toBe(true)
  })

  it('the schema is real: it refuses a misspelt condition and an unknown service key', () => {
    const broken = structuredClone(compose)
    ;(broken.services['api-1'] as Service).depends_on = { migrate: { condition: 'service_finished' } }
    ;(broken.services.worker as Record<string, unknown>).restarts = 'always'
    expect(validateCompose(broken)).toBe(false)
    const messages = (validateCompose.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
    expect(messages.join('\n')).toContain('/services/api-1/depends_on/migrate/condition')
    expect(messages.join('\n')).toContain('/services/worker')
  })

  it('runs the whole stack: PostgreSQL, Redis, migrate, two APIs, a worker, nginx, Prometheus, Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api-1', 'api-2', 'grafana', 'migrate', 'nginx', 'postgres', 'prometheus', 'redis', 'worker'].sort(),
    )
    expect(services['api-1']?.environment?.PROCESS_ROLE).toBe('api')
    expect(services['api-2']?.environment?.PROCESS_ROLE).toBe('api')
    expect(services.worker?.environment?.PROCESS_ROLE).toBe('worker')
    expect(services.migrate?.command).toEqual(['migrate'])
    expect(services.migrate?.restart).toBe('no')
    // One issuer, so a token of one API is accepted by the other.
    expect(new Set(['api-1', 'api-2'].map((name) => services[name]?.environment?.PUBLIC_URL)).size).toBe(1)
    expect(services['api-1']?.environment?.TRUST_PROXY).toBe('true')
  })

  it('starts in order: databases healthy, then migrations done, then the service, then nginx', () => {
    for (const name of ['api-1', 'api-2', 'worker']) {
      expect(services[name]?.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      })
      expect(services[name]?.environment?.MIGRATE_ON_START).toBe('false')
    }
    expect(services.nginx?.depends_on).toMatchObject({
      'api-1': { condition: 'service_healthy' },
      'api-2': { condition: 'service_healthy' },
    })
    // A service another waits on being healthy has a healthcheck to become so.
    for (const service of Object.values(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[target], target).toBeDefined()
        if (condition === 'service_healthy') expect(services[target]?.healthcheck?.test, target).toBeDefined()
      }
    }
  })

  it("checks the service's health with the image's own HEALTHCHECK", () => {
    const { command } = readDockerfile().healthcheck
    for (const name of ['api-1', 'api-2', 'worker']) {
      expect(services[name]?.healthcheck?.test).toEqual(['CMD', ...command])
    }
  })

  it('mounts files that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string
        if (!source.startsWith('./')) continue // a named volume
        const file = path.join(projectRoot, source)
        if (!existsSync(file) && WRITTEN_ELSEWHERE.some((prefix) => source.startsWith(`./${prefix}`)))
          continue
        expect(existsSync(file), `${name} mounts ${source}`).toBe(true)
      }
    }
  })

  it('nginx proxies to the API services on their port', () => {
    const conf = readFileSync(path.join(projectRoot, 'deploy/nginx/nginx.conf'), 'utf8')
    const upstreams = [...conf.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`)
    const port = readDockerfile().env.PORT
    expect(upstreams.sort()).toEqual(['api-1', 'api-2'].map((name) => `${name}:${port}`))
  })

  it("Prometheus' targets, where its configuration is present, are compose services on the admin port", () => {
    const file = path.join(projectRoot, 'deploy/prometheus/prometheus.yml')
    if (!existsSync(file)) return // written with the alerts; checked once it is in the tree
    const targets = JSON.stringify(parse(readFileSync(file, 'utf8'))).match(/"[\w.-]+:\d+"/g) ?? []
    const metricsPort = readDockerfile().env.METRICS_PORT
    const hosts = targets.map((t) => t.slice(1, -1)).filter((t) => !t.startsWith('localhost'))
    expect(hosts.length).toBeGreaterThan(0)
    for (const target of hosts) {
      const [host, port] = target.split(':')
      if (host === 'prometheus') continue
      expect(
        ours.map(([name]) => name),
        target,
      ).toContain(host)
      expect(port, target).toBe(metricsPort)
    }
  })

  it('sets only variables the service reads', () => {
    const known = new Set(Object.keys(variables))
    for (const [name, service] of ours) {
      const unknown = Object.keys(service.environment ?? {}).filter((v) => !known.has(v))
      expect(unknown, name).toEqual([])
    }
    const example = readFileSync(path.join(projectRoot, 'deploy/compose.env.example'), 'utf8')
    const documented = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string)
    expect(documented.filter((v) => !known.has(v))).toEqual([])
    expect(documented).toEqual(expect.arrayContaining(['DATABASE_URL', 'ENCRYPTION_KEYS']))
  })

  it('commits no secret: values come from git-ignored files, of which only examples are committed', () => {
    const secretName = /PASSWORD|SECRET|TOKEN|_KEY$|_KEYS$|DATABASE_URL/
    for (const [name, service] of Object.entries(services)) {
      const leaked = Object.keys(service.environment ?? {}).filter(
        (v) => secretName.test(v) && !v.endsWith('_FILE'),
      )
      expect(leaked, name).toEqual([])
    }
    const files = [
      ...new Set([
        ...ours.flatMap(([, s]) => (s.env_file ?? []).map((e) => e.path)),
        ...Object.values(compose.secrets).map((s) => s.file),
      ]),
    ]
    expect(files.length).toBeGreaterThan(0)
    const ignored = spawnSync('git', ['check-ignore', '--no-index', ...files], {
      cwd: projectRoot,
      encoding: 'utf8',
    })
    expect(ignored.stdout.trim().split('\n').sort()).toEqual(files.sort())
    for (const envFile of ours.flatMap(([, s]) => (s.env_file ?? []).map((e) => e.path))) {
      expect(existsSync(path.join(projectRoot, `${envFile}.example`)), `${envFile}.example`).toBe(true)
    }
  })
})
