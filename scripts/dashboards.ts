/**
 * Grafana dashboards as code. `npm run dashboards` writes deploy/grafana/dashboards/*.json, the
 * files Grafana's provisioning (deploy/grafana/provisioning/dashboards/) loads; they are committed,
 * and test/ops/dashboards.test.ts fails when they differ from what this script writes, so edit
 * here and run it again. `tsx scripts/dashboards.ts --out DIR` writes into DIR instead.
 *
 * Every query names metric families the service registers through ctx.metrics and selects
 * `job=~"$job", instance=~"$instance"`; the datasource is the `$datasource` variable, so the same
 * files work against any Prometheus. The tests parse every expression with promtool and check
 * that every metric named here is in a live scrape of the service.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type * as cog from '@grafana/grafana-foundation-sdk/cog'
import {
  LegendDisplayMode,
  LegendPlacement,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common'
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  type Panel,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard'
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus'
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries'

// Grafana's own variable syntax, not a JavaScript template.
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana interpolates it
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' }
/** The selector every query carries: the job and instance variables. */
const S = 'job=~"$job", instance=~"$instance"'
const RATE = '[$__rate_interval]'

interface Query {
  expr: string
  legend: string
}
type Unit = 'reqps' | 'ops' | 's' | 'percentunit' | 'bytes' | 'short' | 'none'

/** A time series panel: one or more queries, a unit, a width out of 24. */
function series(title: string, description: string, unit: Unit, queries: Query[], span = 12) {
  const panel = new TimeseriesBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(span)
    .height(8)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
  queries.forEach((q, i) => {
    panel.withTarget(
      new DataqueryBuilder()
        .datasource(DATASOURCE)
        .expr(q.expr)
        .legendFormat(q.legend)
        .refId(String.fromCharCode(65 + i)),
    )
  })
  return panel
}

/** A single number (the last value), for a state at a glance. */
function stat(title: string, description: string, unit: Unit, expr: string, legend = '', span = 6) {
  return new StatBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(span)
    .height(4)
    .withTarget(new DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend).refId('A'))
}

/** p50, p90 and p99 of a histogram family, summed over the selected processes. */
function quantiles(family: string, extra = '', by = ''): Query[] {
  const labels = extra ? `${S}, ${extra}` : S
  const group = by ? `${by}, le` : 'le'
  return [0.5, 0.9, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (${group}) (rate(${family}_bucket{${labels}}${RATE})))`,
    legend: by ? `p${q * 100} {{${by}}}` : `p${q * 100}`,
  }))
}

type Item = { row: string } | cog.Builder<Panel>

/** A dashboard with the datasource, job and instance variables, rows and panels laid out in order. */
function dashboard(uid: string, title: string, description: string, items: Item[]) {
  const builder = new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['decision-markets', 'generated'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(
      new QueryVariableBuilder('job')
        .label('Job')
        .datasource(DATASOURCE)
        .query('label_values(dm_process_start_time_seconds, job)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .current({ text: 'All', value: '$__all' })
        .allValue('.*'),
    )
    .withVariable(
      new QueryVariableBuilder('instance')
        .label('Instance')
        .datasource(DATASOURCE)
        .query('label_values(dm_process_start_time_seconds{job=~"$job"}, instance)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .current({ text: 'All', value: '$__all' })
        .allValue('.*'),
    )
  let id = 1
  for (const item of items) {
    if ('row' in item) builder.withRow(new RowBuilder(item.row).id(id++))
    else builder.withPanel(withId(item, id++))
  }
  return builder.build()
}

/** Grafana keys panel state by id; fixed ids keep the generated files stable. */
function withId(panel: cog.Builder<Panel>, id: number): cog.Builder<Panel> {
  return { build: () => ({ ...panel.build(), id }) }
}

export function buildDashboards(): Record<string, unknown> {
  const overview = dashboard(
    'dm-overview',
    'Decision Markets / Service overview',
    'Traffic, errors and latency of the API, and the health of every process.',
    [
      { row: 'Processes' },
      stat('Targets up', 'Processes Prometheus scrapes successfully.', 'none', `sum(up{${S}})`),
      stat(
        'Requests/s',
        'All API requests, every route.',
        'reqps',
        `sum(rate(dm_http_requests_total{${S}}${RATE}))`,
      ),
      stat(
        '5xx ratio',
        'Share of requests answered 5xx (alert: HighServerErrorRatio above 5%).',
        'percentunit',
        `sum(rate(dm_http_requests_total{${S}, status_class="5xx"}${RATE})) / sum(rate(dm_http_requests_total{${S}}${RATE}))`,
      ),
      stat(
        'Builds running',
        'Processes per version and role (dm_build_info).',
        'none',
        `count by (version, role) (dm_build_info{${S}})`,
        '{{version}} {{role}}',
      ),
      { row: 'Traffic and errors' },
      series('Requests by route', 'Requests per second by route template.', 'reqps', [
        { expr: `sum by (route) (rate(dm_http_requests_total{${S}}${RATE}))`, legend: '{{route}}' },
      ]),
      series('Requests by status class', 'Requests per second by status class.', 'reqps', [
        {
          expr: `sum by (status_class) (rate(dm_http_requests_total{${S}}${RATE}))`,
          legend: '{{status_class}}',
        },
      ]),
      series(
        'Server errors by route',
        '5xx answers per second by route: every bad input is a 4xx, so any 5xx is a bug or a dependency down.',
        'reqps',
        [
          {
            expr: `sum by (route) (rate(dm_http_requests_total{${S}, status_class="5xx"}${RATE}))`,
            legend: '{{route}}',
          },
        ],
      ),
      series(
        'Refused before the handler',
        'Rate-limit refusals (429) by limiter and authentication failures by reason.',
        'ops',
        [
          {
            expr: `sum by (scope) (rate(dm_rate_limit_refusals_total{${S}}${RATE}))`,
            legend: '429 {{scope}}',
          },
          { expr: `sum by (reason) (rate(dm_auth_failures_total{${S}}${RATE}))`, legend: 'auth {{reason}}' },
        ],
      ),
      { row: 'Latency' },
      series(
        'Request latency',
        'Server time per request, every route.',
        's',
        quantiles('dm_http_request_duration_seconds'),
      ),
      series('p99 latency by route', 'The slowest routes first.', 's', [
        {
          expr: `topk(10, histogram_quantile(0.99, sum by (route, le) (rate(dm_http_request_duration_seconds_bucket{${S}}${RATE}))))`,
          legend: '{{route}}',
        },
      ]),
      { row: 'Runtime' },
      series(
        'CPU',
        'CPU seconds per second by process.',
        'percentunit',
        [{ expr: `rate(dm_process_cpu_seconds_total{${S}}${RATE})`, legend: '{{instance}}' }],
        8,
      ),
      series(
        'Memory',
        'Resident set and used V8 heap by process.',
        'bytes',
        [
          { expr: `dm_process_resident_memory_bytes{${S}}`, legend: 'rss {{instance}}' },
          { expr: `dm_nodejs_heap_size_used_bytes{${S}}`, legend: 'heap {{instance}}' },
        ],
        8,
      ),
      series(
        'Event-loop lag p99',
        'A busy event loop delays every request of that process.',
        's',
        [{ expr: `dm_nodejs_eventloop_lag_p99_seconds{${S}}`, legend: '{{instance}}' }],
        8,
      ),
    ],
  )

  const trading = dashboard(
    'dm-trading',
    'Decision Markets / Trading and markets',
    'Trades accepted and refused, trade latency, group-commit batches, and the agents around the markets (LLM calls, decision webhooks).',
    [
      { row: 'Trades' },
      series('Trades by result', 'Trades per second, accepted and refused.', 'ops', [
        { expr: `sum by (result) (rate(dm_trades_total{${S}}${RATE}))`, legend: '{{result}}' },
      ]),
      series(
        'Refusals by code',
        'Refused trades per second by error code (insufficient_funds, slippage_exceeded, market_closed, …).',
        'ops',
        [
          {
            expr: `sum by (code) (rate(dm_trades_total{${S}, result="refused"}${RATE}))`,
            legend: '{{code}}',
          },
        ],
      ),
      series(
        'Trade latency',
        'From the trade service call to its commit, accepted trades (alert: TradeLatencyP99High above 500 ms).',
        's',
        quantiles('dm_trade_duration_seconds'),
      ),
      series(
        'Trade request latency',
        'Server time of POST /v1/markets/:market/trades, refusals included.',
        's',
        quantiles('dm_http_request_duration_seconds', 'route="/v1/markets/:market/trades", method="POST"'),
      ),
      { row: 'Group commit' },
      series(
        'Batches per second',
        'Group-commit transactions per second.',
        'ops',
        [{ expr: `sum(rate(dm_trade_batch_size_count{${S}}${RATE}))`, legend: 'batches' }],
        8,
      ),
      series(
        'Trades per batch',
        'Mean and p99 of the trades one transaction commits.',
        'short',
        [
          {
            expr: `sum(rate(dm_trade_batch_size_sum{${S}}${RATE})) / sum(rate(dm_trade_batch_size_count{${S}}${RATE}))`,
            legend: 'mean',
          },
          {
            expr: `histogram_quantile(0.99, sum by (le) (rate(dm_trade_batch_size_bucket{${S}}${RATE})))`,
            legend: 'p99',
          },
        ],
        16,
      ),
      { row: 'Agents' },
      series(
        'LLM calls by outcome',
        "Agents' LLM calls per second.",
        'ops',
        [{ expr: `sum by (outcome) (rate(dm_llm_calls_total{${S}}${RATE}))`, legend: '{{outcome}}' }],
        8,
      ),
      series(
        'LLM call time',
        'Time an LLM took to answer, by outcome (p99).',
        's',
        [
          {
            expr: `histogram_quantile(0.99, sum by (outcome, le) (rate(dm_llm_call_duration_seconds_bucket{${S}}${RATE})))`,
            legend: 'p99 {{outcome}}',
          },
        ],
        8,
      ),
      series(
        'Webhook attempts by outcome',
        'Decision webhook attempts per second (alert: WebhookDeliveriesFailing when most fail).',
        'ops',
        [
          {
            expr: `sum by (outcome) (rate(dm_webhook_deliveries_total{${S}}${RATE}))`,
            legend: '{{outcome}}',
          },
        ],
        8,
      ),
    ],
  )

  const database = dashboard(
    'dm-database',
    'Decision Markets / Database and queues',
    'The pg pool of each process, query round trips by query name, and the pg-boss job queues.',
    [
      { row: 'Connection pool' },
      series(
        'Pool connections',
        'Open, idle and waiting connections by process, against DATABASE_POOL_MAX (alert: DatabasePoolSaturated).',
        'short',
        [
          {
            expr: `max by (instance, state) (dm_db_pool_connections{${S}})`,
            legend: '{{state}} {{instance}}',
          },
          { expr: `max by (instance) (dm_db_pool_max{${S}})`, legend: 'max {{instance}}' },
        ],
      ),
      series('Pool in use', 'Busy connections as a share of the pool, by process.', 'percentunit', [
        {
          expr: `(max by (instance) (dm_db_pool_connections{${S}, state="total"}) - max by (instance) (dm_db_pool_connections{${S}, state="idle"})) / max by (instance) (dm_db_pool_max{${S}})`,
          legend: '{{instance}}',
        },
      ]),
      { row: 'Queries' },
      series(
        'Queries per second',
        'The ten most frequent named queries.',
        'ops',
        [
          {
            expr: `topk(10, sum by (query) (rate(dm_db_query_duration_seconds_count{${S}}${RATE})))`,
            legend: '{{query}}',
          },
        ],
        8,
      ),
      series(
        'Slowest queries (p99)',
        'The ten named queries with the highest p99 round trip.',
        's',
        [
          {
            expr: `topk(10, histogram_quantile(0.99, sum by (query, le) (rate(dm_db_query_duration_seconds_bucket{${S}}${RATE}))))`,
            legend: '{{query}}',
          },
        ],
        8,
      ),
      series(
        'Query errors',
        'Failed round trips per second by query (serialisation retries included).',
        'ops',
        [
          {
            expr: `sum by (query) (rate(dm_db_query_duration_seconds_count{${S}, outcome="error"}${RATE}))`,
            legend: '{{query}}',
          },
        ],
        8,
      ),
      { row: 'Job queues' },
      series('Jobs by queue and state', 'pg-boss jobs created, waiting to retry and active.', 'short', [
        { expr: `max by (queue, state) (dm_queue_jobs{${S}})`, legend: '{{queue}} {{state}}' },
      ]),
      series(
        'Queue lag',
        'Age of the oldest job ready to run and not started (alert: QueueLagHigh above 2 minutes).',
        's',
        [{ expr: `max by (queue) (dm_queue_lag_seconds{${S}})`, legend: '{{queue}}' }],
      ),
    ],
  )

  const anchoring = dashboard(
    'dm-anchoring',
    'Decision Markets / Anchoring',
    'The Merkle batches of ledger postings and records, and their anchoring on Starknet.',
    [
      { row: 'Now' },
      stat(
        'Anchoring lag',
        'Age of the oldest committed entry not yet in an anchored batch (alert: AnchoringLagHigh above 30 minutes).',
        's',
        `max(dm_anchoring_lag_seconds{${S}})`,
      ),
      stat(
        'Pending batches',
        'Batches not yet final on the chain.',
        'none',
        `max(dm_anchoring_pending_batches{${S}})`,
      ),
      stat(
        'Conflicts',
        'Batches for which the chain holds another root: the submitter stops until an operator looks.',
        'none',
        `max(dm_anchoring_conflicts{${S}})`,
      ),
      stat(
        'Last anchored batch',
        'Id of the last batch final on the chain.',
        'none',
        `max(dm_anchoring_last_anchored_batch{${S}})`,
      ),
      { row: 'Backlog' },
      series('Entries waiting for a batch', 'Committed postings and records in no batch yet.', 'short', [
        { expr: `max(dm_anchoring_unbatched_postings{${S}})`, legend: 'postings' },
        { expr: `max(dm_anchoring_unbatched_records{${S}})`, legend: 'records' },
      ]),
      series(
        'Anchoring lag',
        'Age of the oldest committed entry not yet in an anchored batch, over time.',
        's',
        [{ expr: `max(dm_anchoring_lag_seconds{${S}})`, legend: 'lag' }],
      ),
      series(
        'Batches anchored per hour',
        'Batches that became final on the chain in the last hour.',
        'short',
        [{ expr: `max(delta(dm_anchoring_last_anchored_batch{${S}}[1h]))`, legend: 'batches' }],
      ),
    ],
  )

  const audit = dashboard(
    'dm-ledger-audit',
    'Decision Markets / Ledger audit',
    "The ledger auditor's runs: invariants re-checked incrementally from the last checked posting.",
    [
      { row: 'Now' },
      stat(
        'Open violations',
        'Violations found by the last run, every invariant (alert: LedgerAuditViolation).',
        'none',
        `sum(max by (invariant) (dm_ledger_audit_violations{${S}}))`,
      ),
      stat(
        'Since the last successful run',
        'Alert: LedgerAuditStale after 15 minutes.',
        's',
        `time() - max(dm_ledger_audit_last_success_timestamp_seconds{${S}})`,
      ),
      stat(
        'Last posting checked',
        'Sequence number of the last ledger posting the auditor checked.',
        'none',
        `max(dm_ledger_audit_checked_seq{${S}})`,
      ),
      { row: 'Runs' },
      series('Violations by invariant', 'Open violations found by the last run.', 'short', [
        { expr: `max by (invariant) (dm_ledger_audit_violations{${S}})`, legend: '{{invariant}}' },
      ]),
      series('Runs by result', 'Audit runs per interval: ok, violation, error.', 'short', [
        { expr: `sum by (result) (increase(dm_ledger_audit_runs_total{${S}}${RATE}))`, legend: '{{result}}' },
      ]),
      series('Postings checked per second', 'How fast the checked sequence advances.', 'ops', [
        { expr: `max(deriv(dm_ledger_audit_checked_seq{${S}}${RATE}))`, legend: 'postings/s' },
      ]),
      series('Run time', 'Time one audit run takes.', 's', quantiles('dm_ledger_audit_duration_seconds')),
    ],
  )

  const cache = dashboard(
    'dm-cache',
    'Decision Markets / Cache',
    'The read cache of markets, lists, histories and tapes: hits, misses, invalidations, and Redis.',
    [
      { row: 'Now' },
      stat(
        'Hit ratio',
        'Hits among all cache lookups, every cache.',
        'percentunit',
        `sum(rate(dm_cache_requests_total{${S}, result="hit"}${RATE})) / sum(rate(dm_cache_requests_total{${S}}${RATE}))`,
      ),
      stat(
        'Redis reachable',
        'Processes whose Redis answers a ping, of those with REDIS_URL set (alert: RedisUnreachable).',
        'none',
        `sum(dm_redis_up{${S}})`,
      ),
      { row: 'Lookups' },
      series('Lookups by cache and result', 'Cache lookups per second: hit, miss, stale, error.', 'ops', [
        {
          expr: `sum by (cache, result) (rate(dm_cache_requests_total{${S}}${RATE}))`,
          legend: '{{cache}} {{result}}',
        },
      ]),
      series('Hit ratio by cache', 'Hits among lookups, per cached view.', 'percentunit', [
        {
          expr: `sum by (cache) (rate(dm_cache_requests_total{${S}, result="hit"}${RATE})) / sum by (cache) (rate(dm_cache_requests_total{${S}}${RATE}))`,
          legend: '{{cache}}',
        },
      ]),
      series('Invalidations', 'Entries dropped because their data changed, per cache.', 'ops', [
        { expr: `sum by (cache) (rate(dm_cache_invalidations_total{${S}}${RATE}))`, legend: '{{cache}}' },
      ]),
      series('Redis up', 'Per process: 1 when Redis answers the ping at scrape.', 'none', [
        { expr: `dm_redis_up{${S}}`, legend: '{{instance}}' },
      ]),
    ],
  )

  const realtime = dashboard(
    'dm-realtime',
    'Decision Markets / Realtime',
    'The live feed (GET /v1/stream, SSE): connections, subscriptions, events, lag from commit, gaps and cut-offs.',
    [
      { row: 'Now' },
      stat(
        'Connections',
        'Feed connections open, every process.',
        'none',
        `sum(dm_realtime_connections{${S}})`,
      ),
      stat(
        'Subscriptions',
        'Channel subscriptions open, every process.',
        'none',
        `sum(dm_realtime_subscriptions{${S}})`,
      ),
      { row: 'Traffic' },
      series(
        'Events by channel kind',
        'Events delivered to channels per second (once per channel, not per subscriber).',
        'ops',
        [
          {
            expr: `sum by (channel_kind) (rate(dm_realtime_events_total{${S}}${RATE}))`,
            legend: '{{channel_kind}}',
          },
        ],
      ),
      series('Messages sent', 'Messages written to feed clients per second, per process.', 'ops', [
        {
          expr: `sum by (instance) (rate(dm_realtime_messages_sent_total{${S}}${RATE}))`,
          legend: '{{instance}}',
        },
      ]),
      series('Subscriptions by channel kind', 'Open subscriptions per kind of channel.', 'none', [
        { expr: `sum by (channel_kind) (dm_realtime_subscriptions{${S}})`, legend: '{{channel_kind}}' },
      ]),
      { row: 'Health' },
      series(
        'Commit to subscribers',
        'From a trade batch’s commit to its events handed to this process’s subscribers.',
        's',
        quantiles('dm_realtime_publish_lag_seconds'),
      ),
      series(
        'Gaps filled from the database',
        'Bus events missed and read back by sequence, per second.',
        'ops',
        [
          {
            expr: `sum by (channel_kind) (rate(dm_realtime_gaps_total{${S}}${RATE}))`,
            legend: '{{channel_kind}}',
          },
        ],
      ),
      series(
        'Disconnects by reason',
        'Connections ended per second: slow consumers cut off, clients gone, shutdown.',
        'ops',
        [
          {
            expr: `sum by (reason) (rate(dm_realtime_disconnects_total{${S}}${RATE}))`,
            legend: '{{reason}}',
          },
        ],
      ),
    ],
  )

  return {
    'overview.json': overview,
    'realtime.json': realtime,
    'trading.json': trading,
    'database-and-queues.json': database,
    'anchoring.json': anchoring,
    'ledger-audit.json': audit,
    'cache.json': cache,
  }
}

/** Writes the dashboards into `dir`, replacing the JSON files there: a removed dashboard goes too. */
export function writeDashboards(dir: string): string[] {
  mkdirSync(dir, { recursive: true })
  for (const name of readdirSync(dir)) if (name.endsWith('.json')) rmSync(path.join(dir, name))
  const files = buildDashboards()
  for (const [name, json] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), `${JSON.stringify(json, null, 2)}\n`)
  }
  return Object.keys(files)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out')
  const dir =
    at >= 0 && process.argv[at + 1]
      ? path.resolve(process.argv[at + 1] as string)
      : fileURLToPath(new URL('../deploy/grafana/dashboards/', import.meta.url))
  const written = writeDashboards(dir)
  process.stdout.write(`${written.length} dashboards written to ${dir}\n`)
}
