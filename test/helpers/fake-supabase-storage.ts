/**
 * A fake of Supabase Storage's object REST API, on 127.0.0.1, for the parts the evidence store
 * uses through the real @supabase/storage-js client:
 * - POST /storage/v1/object/{bucket}/{path} (raw body, its Content-Type, `x-upsert`) → {Key, Id};
 * - POST /storage/v1/object/sign/{bucket}/{path} {expiresIn} → {signedURL: '/object/sign/…?token=…'};
 * - GET /storage/v1/object/sign/{bucket}/{path}?token=…[&download=name]: the bytes with their
 *   type, as an attachment when `download` is given; 400 for a bad or expired token, as the
 *   real one answers.
 * The first two check the service key as the real one does (`apikey` and the bearer token); the
 * bucket must exist (made with `createBucket`). Tokens are HMACs of the path and the expiry.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { stopServer } from './net.js'

interface StoredObject {
  body: Buffer
  contentType: string
}

export class FakeSupabaseStorage {
  readonly buckets = new Map<string, Map<string, StoredObject>>()
  private readonly tokenKey = randomBytes(32)
  private server: http.Server | undefined
  private port = 0

  constructor(private readonly serviceKey: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  createBucket(name: string): void {
    this.buckets.set(name, new Map())
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const answer = this.handle(req, Buffer.concat(chunks))
        res.writeHead(answer.status, answer.headers ?? { 'content-type': 'application/json' })
        res.end(answer.body)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    await stopServer(server)
  }

  private token(objectPath: string, expires: number): string {
    const mac = createHmac('sha256', this.tokenKey).update(`${objectPath}.${expires}`).digest('base64url')
    return `${expires}.${mac}`
  }

  private handle(
    req: http.IncomingMessage,
    body: Buffer,
  ): { status: number; body: string | Buffer; headers?: Record<string, string> } {
    const url = new URL(req.url ?? '/', 'http://fake')
    const json = (status: number, value: unknown) => ({ status, body: JSON.stringify(value) })
    const error = (status: number, message: string) =>
      json(status, { statusCode: String(status), error: message, message })
    const signed = url.pathname.match(/^\/storage\/v1\/object\/sign\/([^/]+)\/(.+)$/)
    const plain = url.pathname.match(/^\/storage\/v1\/object\/([^/]+)\/(.+)$/)
    if (req.method === 'GET' && signed) {
      const [, bucket, key] = signed as unknown as [string, string, string]
      const objectPath = `${bucket}/${decodeURIComponent(key)}`
      const token = url.searchParams.get('token') ?? ''
      const expires = Number(token.split('.')[0])
      if (token !== this.token(objectPath, expires)) return error(400, 'InvalidSignature')
      if (Date.now() / 1000 >= expires) return error(400, 'ExpiredToken')
      const object = this.buckets.get(bucket)?.get(decodeURIComponent(key))
      if (!object) return error(404, 'not_found')
      const download = url.searchParams.get('download')
      return {
        status: 200,
        body: object.body,
        headers: {
          'content-type': object.contentType,
          'content-length': String(object.body.length),
          ...(download !== null
            ? { 'content-disposition': `attachment; filename=${encodeURIComponent(download)}` }
            : {}),
        },
      }
    }
    if (req.headers.apikey !== this.serviceKey || req.headers.authorization !== `Bearer ${this.serviceKey}`) {
      return error(403, 'Unauthorized')
    }
    if (req.method !== 'POST') return error(405, 'method not allowed')
    if (signed) {
      const [, bucket, key] = signed as unknown as [string, string, string]
      const objectKey = decodeURIComponent(key)
      if (!this.buckets.get(bucket)?.has(objectKey)) return error(404, 'Object not found')
      const { expiresIn } = JSON.parse(body.toString('utf8')) as { expiresIn: number }
      const expires = Math.floor(Date.now() / 1000) + expiresIn
      const token = this.token(`${bucket}/${objectKey}`, expires)
      return json(200, { signedURL: `/object/sign/${bucket}/${key}?token=${token}` })
    }
    if (plain) {
      const [, bucket, key] = plain as unknown as [string, string, string]
      const objects = this.buckets.get(bucket)
      if (!objects) return error(404, 'Bucket not found')
      const objectKey = decodeURIComponent(key)
      if (objects.has(objectKey) && req.headers['x-upsert'] !== 'true') return error(409, 'Duplicate')
      objects.set(objectKey, {
        body,
        contentType: String(req.headers['content-type'] ?? 'application/octet-stream'),
      })
      return json(200, { Key: `${bucket}/${objectKey}`, Id: randomUUID() })
    }
    return error(404, 'not found')
  }
}
