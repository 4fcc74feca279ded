export type { Credentials, Session } from './auth.js'
export {
  type Api,
  type ClientOptions,
  createClient,
  type DecisionMarketsClient,
  type PagedPath,
  type PageItem,
  type PageParams,
  type PlacedTrade,
  type Quote,
  type RetryOptions,
  type SignInOptions,
  signIn,
  signUp,
  type TradeOptions,
  type TradeRequest,
  type TradeResult,
  unwrap,
} from './client.js'
export type { components, paths } from './generated/openapi.js'
export { type Problem, ProblemError, problemFrom } from './problem.js'
export type { StreamEvent, StreamOptions } from './stream.js'
