import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('OpenAPI and docs', () => {
  it('GET /openapi.json is a valid OpenAPI 3.1 document generated from the route schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const document = res.json()
    expect(document.openapi).toBe('3.1.0')
    expect(document.paths['/healthz'].get.responses['200']).toBeDefined()
    expect(document.paths['/readyz'].get.responses['503']).toBeDefined()
    expect(document.components.schemas.Problem).toBeDefined()
    // What receivers implement against: the payload, the signature (secret used verbatim), the
    // timestamp tolerance and the retry schedule.
    const webhook = document.webhooks['decision.made'].post
    expect(webhook.requestBody.content['application/json'].schema.properties.delivery_id).toBeDefined()
    expect(webhook.parameters.map((p: { name: string }) => p.name)).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'DM-Signature',
      'DM-Delivery',
      'DM-Event',
    ])
    expect(webhook.description).toMatch(/verbatim/)
    expect(webhook.description).toMatch(/standardwebhooks\.com/)
    expect(webhook.description).toMatch(/300 s/)
    expect(webhook.description).toMatch(/first retry comes WEBHOOK_RETRY_DELAY_SECONDS \(30 s\) after/)

    const validator = new Validator()
    const result = await validator.validate(document)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
  })

  it('GET /docs serves Swagger UI from the npm package, not a CDN', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.body).not.toMatch(/https?:\/\/(unpkg|cdn|cdnjs|jsdelivr)/)
    const script = /src="\.\/(static\/swagger-ui-bundle\.js)"/.exec(page.body)?.[1]
    expect(script).toBeDefined()
    const asset = await t.app.inject({ method: 'GET', url: `/docs/${script}` })
    expect(asset.statusCode).toBe(200)
    expect(asset.body.length).toBeGreaterThan(100_000)
  })
})
