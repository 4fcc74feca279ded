/**
 * `npm run demo`: the product in a minute. Starts the service on an embedded PostgreSQL of its
 * own (in .data/demo-postgres, on free ports, so it runs beside `npm start`), then tells the
 * story through the HTTP API: an operator's agent asks its LLM, a decision market overrules it,
 * the choice reaches the operator's webhook, the branches not taken are refunded, the outcome
 * is reported and holders are paid.
 *
 * The LLM and the operator's webhook receiver are local servers started here (the same ones the
 * tests use): they speak the real protocols (OpenAI chat completions; signed webhooks), so
 * pointing the agent at a real provider and a real endpoint changes nothing else.
 */
import path from 'node:path'
import { loadConfig, projectRoot } from '../src/config/index.js'
import { createLogger } from '../src/infra/logger.js'
import { startService } from '../src/start/server.js'
import { startFakeLlm } from '../test/fakes/llm-server.js'
import { startWebhookReceiver } from '../test/fakes/webhook-receiver.js'
import { freePort } from '../test/helpers/net.js'

const bold = (s: string) => `\x1b[1m${s}\x1b[0m`
const dim = (s: string) => `\x1b[2m${s}\x1b[0m`
const step = (n: number, title: string) => console.log(`\n${bold(`${n}. ${title}`)}`)
const say = (s: string) => console.log(`   ${s}`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const pct = (p: number) => `${(p * 100).toFixed(1)}%`

/** Polls until `check` gives a value. A demo stuck waiting has failed: it says so and exits 1. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs / 1000} s waiting for ${what}`)
    await sleep(500)
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the demo reads the API's JSON loosely, for brevity
type Json = Record<string, any>

async function main() {
  const apiPort = await freePort()
  const config = loadConfig({
    ...process.env,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    DATABASE_URL: '',
    // The story needs the worker (it decides, delivers, settles) beside the API: a PROCESS_ROLE
    // of api from the environment left the demo waiting at step 4 for ever.
    PROCESS_ROLE: 'all',
    EMBEDDED_PG_DIR: path.join(projectRoot, '.data', 'demo-postgres'),
    EMBEDDED_PG_PORT: String(await freePort()),
    LOG_LEVEL: 'error',
    QUEUE_POLL_INTERVAL_SECONDS: '1',
    WEBHOOK_RETRY_DELAY_SECONDS: '1',
    DISPUTE_WINDOW_S: '2',
    RATE_LIMIT_IP_MAX: '100000',
    // The demo's LLM and webhook receiver are local fakes.
    OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
  })
  console.log(bold('Decision Markets — the market chooses what the agent does'))
  say(dim('starting an embedded PostgreSQL and the service…'))
  const service = await startService(config, createLogger('error'))
  const base = service.address as string
  const secret = 'whsec_demo_0123456789abcdef'
  const llm = await startFakeLlm(() => ({
    kind: 'json',
    value: {
      action: 'Launch A',
      confidence: 0.8,
      rationale: 'The redesign is what our most active users asked for.',
    },
  }))
  const receiver = await startWebhookReceiver(secret, { failFirst: 2 })
  say(`API at ${base} (docs at ${base}/docs)`)

  async function call(method: string, url: string, token?: string, body?: unknown): Promise<Json> {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const json = (await res.json().catch(() => ({}))) as Json
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${json.detail ?? json.message ?? ''}`)
    return json
  }
  const signUp = async (name: string) => {
    const session = await call('POST', '/auth/v1/signup', undefined, {
      email: `${name.toLowerCase()}-${Date.now()}@demo.example`,
      password: 'demo password 123',
      data: { display_name: name },
    })
    const me = await call('GET', '/v1/me/portfolio', session.access_token)
    return {
      name,
      token: session.access_token as string,
      id: session.user.id as string,
      cash: me.cash as string,
    }
  }

  try {
    step(1, 'An operator signs up and creates an AI agent')
    const operator = await signUp('Olivia')
    say(`Olivia has ${operator.cash} credits (the sign-up grant)`)
    const agent = await call('POST', '/v1/agents', operator.token, {
      name: 'Growth agent',
      description: 'Decides which product to launch next',
      objective: { kind: 'binary', measurement: 'Monthly active users above 10k at the end of the quarter' },
      action_source: 'fixed',
      actions: [
        { label: 'Launch A', description: 'the redesign' },
        { label: 'Launch B', description: 'the public API' },
        { label: 'Launch C', description: 'the mobile app' },
      ],
      llm: { base_url: llm.baseUrl, model: 'demo-model', api_key: 'sk-demo' },
      default_action: 'Launch A',
      decision_rule: {
        threshold_bps: 200,
        min_traders: 3,
        min_volume: '10',
        twap_interval_seconds: 1,
        twap_max_step_bps: 2000,
      },
      liquidity_per_decision: '50',
      delivery: { type: 'webhook', url: receiver.url, secret },
    })
    say(
      `agent "${agent.name}": actions ${agent.actions.map((a: Json) => a.label).join(', ')}; default ${agent.default_action}`,
    )

    step(2, 'The agent records its own prior, then a decision market opens')
    const decideAt = new Date(Date.now() + 10_000)
    const opened = await call('POST', `/v1/agents/${agent.id}/decisions`, operator.token, {
      question: 'Will monthly active users pass 10k this quarter?',
      context: 'Last quarter ended at 7.5k MAU.',
      decide_at: decideAt.toISOString(),
      close_at: new Date(Date.now() + 5 * 60_000).toISOString(),
    })
    const market = opened.market
    // The request returns at once with the market preparing; a job asks the LLM, then it opens.
    let prior: Json | null = null
    for (let i = 0; i < 100 && !prior; i++) {
      const listed = await call('GET', `/v1/agents/${agent.id}/decisions`, operator.token)
      const row = listed.items.find((d: Json) => d.market.id === market.id)
      if (row?.market.status === 'open') prior = row.prior
      else await sleep(200)
    }
    if (!prior) throw new Error('the decision did not open: the agent LLM gave no prior')
    say(`LLM prior: ${bold(prior.action)} with confidence ${pct(prior.confidence)} — "${prior.rationale}"`)
    say(
      `market ${market.slug}: one conditional branch per action, ${market.subsidy_per_branch} credits of liquidity each`,
    )
    say(dim(`the prior stays hidden from traders until the market decides (at ${decideAt.toISOString()})`))

    step(3, 'Traders bet on what each action would do')
    const traders = [await signUp('Alice'), await signUp('Bob'), await signUp('Carol')]
    const show = async () => {
      const m = await call('GET', `/v1/markets/${market.id}`)
      for (const s of m.decision.scores) {
        say(
          `   ${s.label.padEnd(9)} P(YES) ${pct(s.spot).padStart(6)}   decision score (lagging TWAP) ${pct(s.score)}`,
        )
      }
    }
    const trades: Array<[number, number, Json]> = [
      [0, 2, { outcome: 'YES', side: 'buy', amount: '40' }],
      [1, 2, { outcome: 'YES', side: 'buy', amount: '30' }],
      [2, 0, { outcome: 'NO', side: 'buy', amount: '25' }],
      [1, 1, { outcome: 'NO', side: 'buy', amount: '20' }],
      [0, 0, { outcome: 'YES', side: 'buy', amount: '10' }],
      [2, 2, { outcome: 'YES', side: 'buy', amount: '15' }],
    ]
    for (const [who, branch, body] of trades) {
      const trader = traders[who] as (typeof traders)[number]
      const res = await call('POST', `/v1/markets/${market.id}/trades`, trader.token, { branch, ...body })
      say(
        `${trader.name} ${body.side}s ${body.outcome} in "${market.branches[branch].label}" for ${body.amount} → ` +
          `${res.trade.shares} shares, YES now ${pct(res.prices[0])}`,
      )
    }
    try {
      await call('POST', `/v1/markets/${market.id}/trades`, operator.token, {
        branch: 2,
        outcome: 'YES',
        side: 'buy',
        amount: '5',
      })
    } catch (error) {
      say(dim(`Olivia tries to trade her own agent's market: ${(error as Error).message}`))
    }
    await show()

    step(4, 'At decide_at the worker decides')
    const decided = await waitFor('the decision', async () => {
      const m = await call('GET', `/v1/markets/${market.id}`)
      return m.decision.result ? m : undefined
    })
    const result = decided.decision.result
    for (const s of decided.decision.scores)
      say(`   ${s.label.padEnd(9)} score ${pct(s.score)} over ${s.observations} observations`)
    say(`chosen: ${bold(result.chosen.label)} (${result.reason}) — ${result.explanation}`)
    say(`the agent preferred ${decided.decision.prior.action}; ${bold('the market overrode it')}`)

    step(5, 'The choice is delivered to the operator’s webhook')
    await waitFor('the webhook delivery', async () => (receiver.accepted.length > 0 ? true : undefined))
    for (const attempt of receiver.attempts) {
      say(
        `attempt → HTTP ${attempt.status}${attempt.signatureOk ? ', signature valid' : ''} (delivery ${attempt.deliveryId})`,
      )
    }
    const delivered = receiver.accepted[0]?.body as Json | undefined
    say(`received: action "${delivered?.action?.label}" — retried from the job queue until acknowledged`)

    step(6, 'The branches not taken are refunded at cost')
    for (const trader of traders) {
      const ledger = await call('GET', '/v1/me/ledger?limit=50', trader.token)
      for (const line of ledger.items.filter((l: Json) => l.kind === 'refund')) {
        say(`${trader.name}: refund ${line.amount} credits`)
      }
    }

    step(7, 'The outcome is reported; holders of the chosen branch are paid')
    await call('POST', `/v1/agents/${agent.id}/decisions/${market.id}/outcome`, operator.token, {
      outcome: 'YES',
      evidence: { note: 'MAU reached 10.4k' },
    })
    say('Olivia reports YES (evidence: MAU reached 10.4k); the dispute window is 2 s in this demo')
    await waitFor('the settlement', async () =>
      (await call('GET', `/v1/markets/${market.id}`)).status === 'finalized' ? true : undefined,
    )
    for (const trader of [...traders, operator]) {
      const p = await call('GET', '/v1/me/portfolio', trader.token)
      say(`${trader.name.padEnd(6)} cash ${p.cash} (realised P&L ${p.realized_pnl})`)
    }
    const decisions = await call('GET', `/v1/agents/${agent.id}/decisions`)
    const record = decisions.items[0]
    say(
      `record: prior ${record.prior.action}, market chose ${record.decision.chosen.label}, ` +
        `overrode prior: ${record.overrode_prior}, outcome: ${record.outcome ? 'YES' : 'pending'}`,
    )
    console.log(
      `\n${bold('Done.')} Every credit moved through the double-entry ledger. ` +
        'Run `npm start` and open http://127.0.0.1:3000/docs to try the API yourself.',
    )
  } finally {
    await receiver.close()
    await llm.close()
    await service.stop()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
