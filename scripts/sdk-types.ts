/**
 * The SDK's types (packages/sdk/src/generated/openapi.ts) from the OpenAPI document the app
 * serves, by openapi-typescript. Written by `npm run sdk:generate` and checked by
 * test/sdk/generated.test.ts, which both take the document from an app built in process.
 */
import openapiTS, { astToString } from 'openapi-typescript'

export const SDK_TYPES_FILE = 'packages/sdk/src/generated/openapi.ts'

const HEADER =
  '// Generated from /openapi.json by openapi-typescript (scripts/sdk-types.ts): do not edit.\n' +
  '// Regenerate with `npm run sdk:generate`; test/sdk/generated.test.ts fails while this is stale.\n\n'

export async function sdkTypes(document: object): Promise<string> {
  // The document is an object already: openapi-typescript's Redocly pass still validates it.
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0])
  return HEADER + astToString(ast)
}
