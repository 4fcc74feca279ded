import { FormatRegistry } from '@sinclair/typebox'

/**
 * The string formats the API's schemas use, for checking a body with TypeBox's Value (which
 * knows no format until one is registered; Fastify's Ajv checks them in the service).
 */
export function registerFormats() {
  FormatRegistry.Set('uuid', (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v))
  FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)) && v.includes('T'))
}
