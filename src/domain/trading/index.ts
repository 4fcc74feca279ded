export { applyTrades, costBudget, MAX_TRADE_QUANTITY, quote, tradeFee } from './engine.js'
export type {
  BatchResult,
  TradeFill,
  TradeRejection,
  TradeRejectionCode,
  TradeRequest,
  TradeResult,
  TradeSide,
} from './types.js'
