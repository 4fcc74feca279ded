/**
 * deploy/k8s against the Kubernetes schemas: every document of every file is validated with
 * kubernetes-models (validators generated from the Kubernetes OpenAPI schema; core kinds) and
 * @kubernetes-models/prometheus-operator (from the Prometheus Operator's CRD schemas;
 * ServiceMonitor). A document of a kind neither knows fails the test. Then what a schema cannot
 * see: objects that must point at each other do, pods are locked down, probes and ports agree
 * with the image, and every variable set is one the service reads.
 *
 * The generated validators do not forbid unknown fields (a misspelt `imagePullPolice` passes
 * them), so, as `kubeconform -strict` would, every document is also type-checked by TypeScript
 * against the same packages' interfaces, whose excess-property check names any unknown field.
 *
 * Not checked here: kustomization.yaml against a schema (kustomize's configuration is not an
 * API object; its resources are checked to exist), anything a live API server or admission
 * controller would add or refuse (no cluster, no kubectl, no kustomize binary here).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { projectRoot, variables } from '../../src/config/index.js'
import { readDockerfile } from '../helpers/dockerfile.js'

const dir = path.join(projectRoot, 'deploy/k8s')
const dockerfile = readDockerfile()

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped YAML; the schemas type them
type Manifest = Record<string, any>
interface Document {
  file: string
  manifest: Manifest
}

const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))
const documents: Document[] = files
  .filter((f) => f !== 'kustomization.yaml')
  .flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))
      .map((doc) => doc.toJS() as Manifest | null)
      .filter((manifest): manifest is Manifest => manifest !== null)
      .map((manifest) => ({ file, manifest })),
  )
const kustomization = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Manifest
const applied = documents.filter((d) => (kustomization.resources as string[]).includes(d.file))

const find = (kind: string, name: string) =>
  applied.find((d) => d.manifest.kind === kind && d.manifest.metadata?.name === name)?.manifest
const ofKind = (kind: string) => applied.filter((d) => d.manifest.kind === kind).map((d) => d.manifest)
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value)

/** Packages whose generated validators cover an API group beyond the core ones. */
const CRD_PACKAGES: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
}

interface Model {
  validate(): void
}
const modulePath = (apiVersion: string, kind?: string) => {
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : ''
  return `${CRD_PACKAGES[group] ?? 'kubernetes-models'}/${apiVersion}${kind ? `/${kind}` : ''}`
}

async function modelFor(
  apiVersion: string,
  kind: string,
): Promise<(new (data: Manifest) => Model) | undefined> {
  try {
    const module = await import(modulePath(apiVersion))
    return module[kind]
  } catch {
    return undefined
  }
}

describe('the Kubernetes manifests', () => {
  it('every document of every file is valid against its Kubernetes or CRD schema', async () => {
    expect(documents.length).toBeGreaterThan(10)
    const problems: string[] = []
    const checked = new Set<string>()
    for (const { file, manifest } of documents) {
      const label = `${file}: ${manifest.kind}/${manifest.metadata?.name}`
      const Model = await modelFor(manifest.apiVersion, manifest.kind)
      if (!Model) {
        problems.push(`${label}: no schema for ${manifest.apiVersion} ${manifest.kind}`)
        continue
      }
      try {
        new Model(manifest).validate()
        checked.add(`${manifest.apiVersion} ${manifest.kind}`)
      } catch (error) {
        problems.push(`${label}: ${(error as Error).message}`)
      }
    }
    expect(problems).toEqual([])
    expect([...checked].sort()).toEqual(
      expect.arrayContaining([
        'apps/v1 Deployment',
        'autoscaling/v2 HorizontalPodAutoscaler',
        'batch/v1 Job',
        'monitoring.coreos.com/v1 ServiceMonitor',
        'networking.k8s.io/v1 Ingress',
        'networking.k8s.io/v1 NetworkPolicy',
        'policy/v1 PodDisruptionBudget',
        'v1 ConfigMap',
        'v1 Service',
      ]),
    )
  })

  it('no document has a field its kind does not know (TypeScript excess-property check)', () => {
    const work = mkdtempSync(path.join(tmpdir(), 'dm-k8s-strict-'))
    try {
      symlinkSync(path.join(projectRoot, 'node_modules'), path.join(work, 'node_modules'))
      writeFileSync(path.join(work, 'package.json'), '{"type":"module"}')
      writeFileSync(
        path.join(work, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'es2022',
            types: [],
          },
          files: ['manifests.ts'],
        }),
      )
      // One document per line, so an error's line names the document.
      const lines = documents.map(
        ({ manifest }, i) =>
          `import type { I${manifest.kind} as T${i} } from '${modulePath(manifest.apiVersion, manifest.kind)}'; ` +
          `export const d${i}: T${i} = ${JSON.stringify(manifest)}`,
      )
      writeFileSync(path.join(work, 'manifests.ts'), `${lines.join('\n')}\n`)
      const tsc = spawnSync(
        process.execPath,
        [path.join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', work],
        {
          encoding: 'utf8',
          timeout: 120_000,
        },
      )
      const problems = [...tsc.stdout.matchAll(/manifests\.ts\((\d+),\d+\): error (TS\d+: .*)/g)].map((m) => {
        const doc = documents[Number(m[1]) - 1] as Document
        return `${doc.file}: ${doc.manifest.kind}/${doc.manifest.metadata?.name}: ${m[2]}`
      })
      expect(problems).toEqual([])
      expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }, 120_000)

  it('the schemas are real: a wrong type or pattern is refused, in a core kind and in a CRD', async () => {
    const Deployment = await modelFor('apps/v1', 'Deployment')
    const deployment = structuredClone(find('Deployment', 'decision-markets-api')) as Manifest
    deployment.spec.replicas = 'two'
    deployment.spec.template.spec.containers[0].resources.limits.memory = 'lots'
    expect(() => Deployment && new Deployment(deployment).validate()).toThrow(/replicas must be integer/)
    const ServiceMonitor = await modelFor('monitoring.coreos.com/v1', 'ServiceMonitor')
    const monitor = structuredClone(find('ServiceMonitor', 'decision-markets')) as Manifest
    monitor.spec.endpoints[0].interval = 'every minute'
    expect(() => ServiceMonitor && new ServiceMonitor(monitor).validate()).toThrow(
      /interval must match pattern/,
    )
  })

  it('kustomization.yaml lists every manifest but the example Secret, which says it is one', () => {
    const manifests = files.filter((f) => f !== 'kustomization.yaml')
    expect([...kustomization.resources].sort()).toEqual(
      manifests.filter((f) => f !== 'secret.example.yaml').sort(),
    )
    expect(applied.filter((d) => d.manifest.kind === 'Secret')).toEqual([])
    expect(readFileSync(path.join(dir, 'secret.example.yaml'), 'utf8')).toMatch(/^# EXAMPLE ONLY/)
    const images = (kustomization.images as Array<{ name: string }>).map((i) => i.name)
    for (const pod of podSpecs()) {
      for (const container of pod.spec.containers) expect(images).toContain(container.image)
    }
  })

  function podSpecs(): Array<{ name: string; spec: Manifest; labels: Record<string, string> }> {
    return applied
      .filter((d) => ['Deployment', 'Job'].includes(d.manifest.kind))
      .map((d) => ({
        name: d.manifest.metadata.name,
        spec: d.manifest.spec.template.spec,
        labels: d.manifest.spec.template.metadata.labels,
      }))
  }

  it('every pod runs as the image user, non-root, read-only, without capabilities, with limits', () => {
    const [uid, gid] = (dockerfile.user as string).split(':').map(Number)
    expect(
      podSpecs()
        .map((p) => p.name)
        .sort(),
    ).toEqual(['decision-markets-api', 'decision-markets-migrate', 'decision-markets-worker'])
    for (const { name, spec } of podSpecs()) {
      expect(spec.securityContext, name).toMatchObject({
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: gid ?? uid,
        seccompProfile: { type: 'RuntimeDefault' },
      })
      expect(spec.automountServiceAccountToken, name).toBe(false)
      const volumes = new Map<string, Manifest>((spec.volumes ?? []).map((v: Manifest) => [v.name, v]))
      for (const container of spec.containers) {
        expect(container.securityContext, name).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        })
        const tmp = container.volumeMounts?.find((m: Manifest) => m.mountPath === '/tmp')
        expect(volumes.get(tmp?.name)?.emptyDir, `${name} /tmp`).toBeDefined()
        expect(container.resources?.requests, name).toMatchObject({
          cpu: expect.anything(),
          memory: expect.anything(),
        })
        expect(container.resources?.limits?.memory, name).toBeDefined()
      }
    }
  })

  it("probes and ports agree with the image; each process runs the image's command in its role", () => {
    const api = find('Deployment', 'decision-markets-api')?.spec.template.spec.containers[0]
    const worker = find('Deployment', 'decision-markets-worker')?.spec.template.spec.containers[0]
    const migrate = find('Job', 'decision-markets-migrate')?.spec.template.spec.containers[0]
    const port = (c: Manifest, name: string) => c.ports.find((p: Manifest) => p.name === name)?.containerPort
    expect(port(api, 'http')).toBe(Number(dockerfile.env.PORT))
    expect(port(api, 'metrics')).toBe(Number(dockerfile.env.METRICS_PORT))
    expect(port(worker, 'metrics')).toBe(Number(dockerfile.env.METRICS_PORT))
    expect(api.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' })
    expect(api.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' })
    expect(worker.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' })
    expect(worker.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' })
    expect(api.args).toEqual(dockerfile.cmd)
    expect(worker.args).toEqual(dockerfile.cmd)
    expect(migrate.args).toEqual(['migrate'])
    const role = (c: Manifest) => c.env.find((e: Manifest) => e.name === 'PROCESS_ROLE')?.value
    expect([role(api), role(worker)]).toEqual(['api', 'worker'])
    expect(find('ConfigMap', 'decision-markets')?.data.MIGRATE_ON_START).toBe('false')
  })

  it('stops within its grace period: SHUTDOWN_GRACE_MS and the preStop pause fit before SIGKILL', () => {
    const graceMs = Number(find('ConfigMap', 'decision-markets')?.data.SHUTDOWN_GRACE_MS)
    for (const name of ['decision-markets-api', 'decision-markets-worker']) {
      const spec = find('Deployment', name)?.spec.template.spec
      const pause = Number(spec.containers[0].lifecycle?.preStop?.exec?.command?.[1] ?? 0)
      expect(graceMs + pause * 1000, name).toBeLessThan(spec.terminationGracePeriodSeconds * 1000)
    }
  })

  it('sets only variables the service reads; secrets only by reference to keys the example names', () => {
    const known = new Set(Object.keys(variables))
    const configMap = find('ConfigMap', 'decision-markets') as Manifest
    expect(Object.keys(configMap.data).filter((v) => !known.has(v))).toEqual([])
    const example = documents.find((d) => d.file === 'secret.example.yaml')?.manifest as Manifest
    const secretKeys = new Set(Object.keys(example.stringData))
    for (const { name, spec } of podSpecs()) {
      for (const container of spec.containers) {
        for (const env of container.env ?? []) {
          expect(known.has(env.name), `${name} ${env.name}`).toBe(true)
          if (env.value !== undefined)
            expect(env.name, 'a literal value is not a secret').not.toMatch(/SECRET|KEY|URL$/)
          const ref = env.valueFrom?.secretKeyRef
          if (!ref) continue
          expect(ref.name).toBe(example.metadata.name)
          if (!ref.optional) expect(secretKeys.has(ref.key), `${name} ${ref.key}`).toBe(true)
        }
        for (const from of container.envFrom ?? []) {
          expect(from.configMapRef?.name, `${name} envFrom`).toBe(configMap.metadata.name)
        }
      }
    }
  })

  it('Services, the PodDisruptionBudgets and the autoscaler point at the pods they mean', () => {
    const pods = podSpecs()
    const selected = (selector: Record<string, string>) =>
      pods.filter((p) => matches(selector, p.labels)).map((p) => p.name)
    expect(selected(find('Service', 'decision-markets-api')?.spec.selector)).toEqual(['decision-markets-api'])
    expect(selected(find('Service', 'decision-markets-metrics')?.spec.selector).sort()).toEqual([
      'decision-markets-api',
      'decision-markets-worker',
    ])
    for (const pdb of ofKind('PodDisruptionBudget')) {
      expect(selected(pdb.spec.selector.matchLabels)).toEqual([pdb.metadata.name])
    }
    for (const deployment of ofKind('Deployment')) {
      expect(matches(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(
        true,
      )
    }
    const hpa = find('HorizontalPodAutoscaler', 'decision-markets-api') as Manifest
    expect(find(hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name)).toBeDefined()
    // A drain can always evict one API pod: the budget leaves room below the smallest size.
    const pdb = find('PodDisruptionBudget', 'decision-markets-api') as Manifest
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas)
  })

  it('the Ingress reaches the API port, the ServiceMonitor the metrics port, and nothing else is open', () => {
    const ingress = find('Ingress', 'decision-markets') as Manifest
    const backend = ingress.spec.rules[0].http.paths[0].backend.service
    const service = find('Service', backend.name) as Manifest
    expect(service.spec.ports.map((p: Manifest) => p.name)).toContain(backend.port.name)
    expect(
      Number(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']),
    ).toBeGreaterThanOrEqual(3600)
    const monitor = find('ServiceMonitor', 'decision-markets') as Manifest
    const metrics = ofKind('Service').filter((s) =>
      matches(monitor.spec.selector.matchLabels, s.metadata.labels),
    )
    expect(metrics.map((s) => s.metadata.name)).toEqual(['decision-markets-metrics'])
    expect(metrics[0]?.spec.ports.map((p: Manifest) => p.name)).toContain(monitor.spec.endpoints[0].port)

    const policies = ofKind('NetworkPolicy')
    expect(
      policies.some((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress && !p.spec.egress),
    ).toBe(true)
    const openPorts = policies.flatMap((p) => (p.spec.ingress ?? []).flatMap((rule: Manifest) => rule.ports))
    expect(openPorts.map((p: Manifest) => p.port).sort()).toEqual(
      [Number(dockerfile.env.PORT), Number(dockerfile.env.METRICS_PORT)].sort(),
    )
    // No way out to private ranges or the cloud metadata address over HTTP(S).
    const web = policies
      .flatMap((p) => p.spec.egress ?? [])
      .find((rule: Manifest) => rule.ports?.some((port: Manifest) => port.port === 443))
    expect(web.to[0].ipBlock.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16']))
  })
})
