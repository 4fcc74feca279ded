/**
 * The local evidence store: one file per object under EVIDENCE_DIR (default .data/evidence,
 * beside the embedded PostgreSQL's data). Written to a temporary name and renamed, so a reader
 * never sees half a file and two uploads of the same bytes cannot interleave.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import type { EvidenceStore } from './index.js'

export function createLocalEvidenceStore(dir: string, projectRoot: string): EvidenceStore {
  const root = path.resolve(projectRoot, dir)
  const fileOf = (key: string) => {
    // Keys are made by the service (sha256/<hex>); refuse anything that could leave the folder.
    if (!/^[a-z0-9]+(\/[a-z0-9]+)*$/.test(key)) throw new Error(`not an evidence key: ${key}`)
    return path.join(root, ...key.split('/'))
  }
  return {
    kind: 'local',
    async put(key, body) {
      const file = fileOf(key)
      const existing = await stat(file).catch(() => undefined)
      if (existing?.size === body.length) return
      await mkdir(path.dirname(file), { recursive: true })
      const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`
      try {
        await writeFile(temporary, body, { mode: 0o600 })
        await rename(temporary, file)
      } finally {
        await rm(temporary, { force: true })
      }
    },
    async open(key): Promise<Readable | undefined> {
      const file = fileOf(key)
      const found = await stat(file).catch(() => undefined)
      return found?.isFile() ? createReadStream(file) : undefined
    },
  }
}
