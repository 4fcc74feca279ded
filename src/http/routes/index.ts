/**
 * Every route of the API, grouped by who may call them. Adding an operation means adding a
 * file under its group and one line here.
 */
import type { ApiContext } from '../context.js'
import type { App, RouteModule } from '../types.js'
import { listAuditRoute } from './admin/audit.js'
import { settleDisputeRoute } from './admin/disputes.js'
import { adminGrantRoute } from './admin/grants.js'
import { ledgerAuditRoute } from './admin/ledger-audit.js'
import { createAgentRoute } from './agents/create.js'
import { listDecisionsRoute } from './agents/decisions-list.js'
import { openDecisionRoute } from './agents/decisions-open.js'
import { reportOutcomeRoute } from './agents/decisions-outcome.js'
import { decisionRecordRoute } from './agents/decisions-record.js'
import { deleteAgentRoute } from './agents/delete.js'
import { getAgentRoute } from './agents/get.js'
import { listAgentsRoute } from './agents/list.js'
import { trackRecordRoute } from './agents/track-record.js'
import { updateAgentRoute } from './agents/update.js'
import { authRoutes } from './auth/index.js'
import { evidenceContentRoute } from './evidence/content.js'
import { getEvidenceRoute } from './evidence/get.js'
import { uploadEvidenceRoute } from './evidence/upload.js'
import { listAnchorsRoute } from './ledger/anchors.js'
import { proofRoutes } from './ledger/proofs.js'
import { closeMarketRoute } from './markets/close.js'
import { createMarketRoute } from './markets/create.js'
import { decideMarketRoute } from './markets/decide.js'
import { decisionObservationsRoute } from './markets/decision-observations.js'
import { disputeRoute } from './markets/dispute.js'
import { getMarketRoute } from './markets/get.js'
import { marketHistoryRoute } from './markets/history.js'
import { listMarketsRoute } from './markets/list.js'
import { proposalRoutes } from './markets/proposals.js'
import { quoteRoute } from './markets/quote.js'
import { resolveMarketRoute } from './markets/resolve.js'
import { tradeRoute } from './markets/trade.js'
import { listMarketTradesRoute } from './markets/trades-list.js'
import { voidMarketRoute } from './markets/void.js'
import { mcpRoutes } from './mcp/streamable-http.js'
import { createApiKeyRoute } from './me/api-keys-create.js'
import { listApiKeysRoute } from './me/api-keys-list.js'
import { revokeApiKeyRoute } from './me/api-keys-revoke.js'
import { myLedgerRoute } from './me/ledger.js'
import { getMe } from './me/me.js'
import { updateMe } from './me/me-update.js'
import { myPortfolioRoute } from './me/portfolio.js'
import { myPositionsRoute } from './me/positions.js'
import { myTradesRoute } from './me/trades.js'
import { healthz } from './operations/healthz.js'
import { readyz } from './operations/readyz.js'
import { streamRoutes } from './stream/index.js'
import { userActivityRoutes } from './users/activity.js'
import { getUser } from './users/get-user.js'

const operations: RouteModule[] = [healthz, readyz]

/** Identity (issue 3): local auth at /auth/v1 (local mode only), the caller, users, keys, audit. */
const identity: RouteModule[] = [
  authRoutes,
  getMe,
  updateMe,
  createApiKeyRoute,
  listApiKeysRoute,
  revokeApiKeyRoute,
  getUser,
  userActivityRoutes,
  listAuditRoute,
]

/** Markets and money (issue 4): markets, trading, lifecycle, the caller's money, admin grants and disputes. */
const markets: RouteModule[] = [
  createMarketRoute,
  listMarketsRoute,
  getMarketRoute,
  marketHistoryRoute,
  decisionObservationsRoute,
  listMarketTradesRoute,
  quoteRoute,
  tradeRoute,
  closeMarketRoute,
  resolveMarketRoute,
  disputeRoute,
  voidMarketRoute,
  myPositionsRoute,
  myTradesRoute,
  myLedgerRoute,
  myPortfolioRoute,
  adminGrantRoute,
  settleDisputeRoute,
]

/** Evidence files attached to resolutions and disputes (issue 14). */
const evidence: RouteModule[] = [uploadEvidenceRoute, getEvidenceRoute, evidenceContentRoute]

/** AI agents and decision markets (issue 5). */
const agents: RouteModule[] = [
  createAgentRoute,
  listAgentsRoute,
  getAgentRoute,
  updateAgentRoute,
  deleteAgentRoute,
  openDecisionRoute,
  listDecisionsRoute,
  decisionRecordRoute,
  trackRecordRoute,
  reportOutcomeRoute,
  decideMarketRoute,
  proposalRoutes,
]

/** The ledger's integrity: the anchored batches and their proofs (public, owners), the auditor (admins). */
const ledger: RouteModule[] = [listAnchorsRoute, proofRoutes, ledgerAuditRoute]

/** The realtime feed: public channels, and the caller's own channel when they authenticate. */
const realtime: RouteModule[] = [streamRoutes]

/** AI agents as MCP clients: the tools of src/mcp over streamable HTTP, calling the routes above. */
const mcp: RouteModule[] = [mcpRoutes]

export function registerRoutes(app: App, ctx: ApiContext) {
  for (const route of [
    ...operations,
    ...identity,
    ...markets,
    ...evidence,
    ...agents,
    ...ledger,
    ...realtime,
    ...mcp,
  ]) {
    route(app, ctx)
  }
}
