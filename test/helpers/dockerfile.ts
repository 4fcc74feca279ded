/**
 * The project's Dockerfile as data (parsed with dockerfile-ast, the parser of the Dockerfile
 * language server): its stages, and what the runtime stage runs with. Tests run exactly this,
 * not a copy of it written in the test.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { DockerfileParser, Env, type Instruction, ModifiableInstruction } from 'dockerfile-ast'
import { projectRoot } from '../../src/config/index.js'

export const DOCKERFILE = path.join(projectRoot, 'Dockerfile')

export interface Stage {
  name: string | undefined
  /** The image, with build arguments of the first lines resolved. */
  image: string
  instructions: Instruction[]
}

export interface Dockerfile {
  text: string
  stages: Stage[]
  runtime: Stage
  /** ENV of the runtime stage, in order. */
  env: Record<string, string>
  entrypoint: string[]
  cmd: string[]
  healthcheck: { flags: Record<string, string>; command: string[] }
  user: string | undefined
  workdir: string | undefined
}

/** An exec-form argument (`["node", "x.js"]`); the shell form is refused, it runs under sh. */
function execForm(instruction: Instruction, text = instruction.getArgumentsContent() ?? ''): string[] {
  const parsed: unknown = JSON.parse(text)
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new Error(`${instruction.getKeyword()} must be in exec form, got ${text}`)
  }
  return parsed
}

function last(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.getKeyword() === keyword).at(-1)
}

export function readDockerfile(file = DOCKERFILE): Dockerfile {
  const text = readFileSync(file, 'utf8')
  const parsed = DockerfileParser.parse(text)
  const args = new Map(
    parsed
      .getInitialARGs()
      .flatMap((arg) => arg.getProperties().map((p) => [p.getName(), p.getValue() ?? ''] as const)),
  )
  const stages: Stage[] = []
  for (const instruction of parsed.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = parsed
        .getFROMs()
        .find((f) => f.getRange().start.line === instruction.getRange().start.line)
      const raw = from?.getImage() ?? ''
      const image = raw.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args.get(a ?? b) ?? '')
      stages.push({ name: from?.getBuildStage() ?? undefined, image, instructions: [] })
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  const runtime = stages.at(-1)
  if (!runtime) throw new Error('the Dockerfile has no FROM')

  const env: Record<string, string> = {}
  for (const instruction of runtime.instructions) {
    if (!(instruction instanceof Env)) continue
    for (const property of instruction.getProperties()) {
      env[property.getName()] = property.getValue() ?? ''
    }
  }
  const entrypoint = last(runtime, 'ENTRYPOINT')
  const cmd = last(runtime, 'CMD')
  const healthcheck = last(runtime, 'HEALTHCHECK')
  if (!entrypoint || !cmd || !healthcheck)
    throw new Error('the runtime stage needs ENTRYPOINT, CMD, HEALTHCHECK')
  const healthText = healthcheck.getArgumentsContent() ?? ''
  const healthCmd = /(?:^|\s)CMD\s+(\[.*\])\s*$/s.exec(healthText)
  if (!healthCmd?.[1]) throw new Error(`HEALTHCHECK must be CMD in exec form, got ${healthText}`)
  const flags =
    healthcheck instanceof ModifiableInstruction
      ? Object.fromEntries(healthcheck.getFlags().map((f) => [f.getName(), f.getValue() ?? '']))
      : {}
  return {
    text,
    stages,
    runtime,
    env,
    entrypoint: execForm(entrypoint),
    cmd: execForm(cmd),
    healthcheck: { flags, command: execForm(healthcheck, healthCmd[1]) },
    user: last(runtime, 'USER')?.getArgumentsContent() ?? undefined,
    workdir: last(runtime, 'WORKDIR')?.getArgumentsContent() ?? undefined,
  }
}
