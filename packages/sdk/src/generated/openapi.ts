// Generated from /openapi.json by openapi-typescript (scripts/sdk-types.ts): do not edit.
// Regenerate with `npm run sdk:generate`; test/sdk/generated.test.ts fails while this is stale.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness probe */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness probe */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ready";
                            checks: {
                                database: {
                                    ok: boolean;
                                    detail?: string;
                                };
                                migrations: {
                                    ok: boolean;
                                    detail?: string;
                                };
                                anchoring?: {
                                    ok: boolean;
                                    detail?: string;
                                };
                            };
                        };
                    };
                };
                /** @description Temporarily unavailable */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The caller: profile, role and email */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Me"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change your username or display name */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description Letters, digits and underscores, 3–24 characters; unique without regard to case
                         * @example ada_lovelace
                         */
                        username?: string;
                        display_name?: string;
                    };
                };
            };
            responses: {
                /** @description The caller: profile, role and email */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Me"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/me/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your active API keys */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["ApiKey"][];
                        };
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create an API key (shown once)
         * @description Send it as `Authorization: Bearer <key>`. Needs a signed-in session: keys cannot mint keys.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        scopes: ("read" | "trade" | "agents")[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            /** @description The start of the key, to tell keys apart */
                            prefix: string;
                            scopes: ("read" | "trade" | "agents")[];
                            /** Format: date-time */
                            created_at: string;
                            /** @description Minute precision */
                            last_used_at: string | null;
                            /** @description The key; not shown again */
                            key: string;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{username}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's public profile */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    username: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A user's public fields */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PublicProfile"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{username}/trades": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's trades, newest first */
        get: {
            parameters: {
                query: {
                    limit: number;
                    cursor?: string;
                    market_id?: string;
                };
                header?: never;
                path: {
                    username: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: uuid */
                                id: string;
                                /** Format: uuid */
                                market_id: string;
                                question: string;
                                /** Format: uuid */
                                branch_id: string;
                                branch_index: number;
                                trader: {
                                    /** Format: uuid */
                                    id: string;
                                    username: string | null;
                                };
                                outcome: {
                                    index: number;
                                    label: string;
                                };
                                /** @enum {string} */
                                side: "buy" | "sell";
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                shares: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                cost: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                proceeds: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                fee: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                cash_delta: string;
                                avg_price: number;
                                prices_after: number[];
                                /** Format: date-time */
                                created_at: string;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{username}/positions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's positions, valued at current prices */
        get: {
            parameters: {
                query: {
                    limit: number;
                    cursor?: string;
                    status: "open" | "settled" | "all";
                };
                header?: never;
                path: {
                    username: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                market: {
                                    /** Format: uuid */
                                    id: string;
                                    slug: string;
                                    question: string;
                                    status: string;
                                };
                                /** Format: uuid */
                                branch_id: string;
                                branch_index: number;
                                outcome: {
                                    index: number;
                                    label: string;
                                };
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                shares: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                cost_basis: string;
                                avg_cost: number | null;
                                price: number | null;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                value: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                unrealized_pnl: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                realized_pnl: string;
                                payout: string | null;
                                settled_at: string | null;
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log (admins) */
        get: {
            parameters: {
                query: {
                    limit: number;
                    cursor?: string;
                    /** @example auth.sign_in_failed */
                    action?: string;
                    actor_id?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["AuditEntry"][];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List markets */
        get: {
            parameters: {
                query: {
                    limit: number;
                    cursor?: string;
                    status?: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                    kind?: "binary" | "categorical" | "scalar";
                    creator?: string;
                    /** @description An agent's decision markets */
                    agent?: string;
                    /** @description newest: by creation, newest first; volume: by volume traded, largest first; closing_soon: open markets by closing time, soonest first; traders: by number of traders, most first. A cursor belongs to the order it came from. */
                    sort?: "newest" | "volume" | "closing_soon" | "traders";
                    /** @description Full-text search of question and description (words, "a phrase", -excluded) */
                    q?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: uuid */
                                id: string;
                                slug: string;
                                question: string;
                                description: string;
                                /** @enum {string} */
                                kind: "binary" | "categorical" | "scalar";
                                /** @enum {string} */
                                status: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                                /** Format: uuid */
                                creator_id: string;
                                /** Format: uuid */
                                resolver_id: string;
                                outcomes: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                }[];
                                scalar: {
                                    /**
                                     * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                     * @example -3.25
                                     */
                                    lo: string;
                                    /**
                                     * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                     * @example -3.25
                                     */
                                    hi: string;
                                    unit: string | null;
                                } | null;
                                fee_bps: number;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                subsidy_per_branch: string;
                                /** @description Prices of the first (for plain markets, only) branch */
                                prices: number[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                volume: string;
                                traders: number;
                                branches: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                    /** @enum {string} */
                                    status: "open" | "closed" | "voided" | "settled";
                                    prices: number[];
                                    shares_outstanding: string[];
                                    /**
                                     * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                     * @example 12.5
                                     */
                                    subsidy: string;
                                    /** @description LMSR b = subsidy / ln(outcomes), in credits */
                                    liquidity: string;
                                    /**
                                     * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                     * @example 12.5
                                     */
                                    escrow: string;
                                    /**
                                     * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                     * @example 12.5
                                     */
                                    volume: string;
                                    trades: number;
                                    traders: number;
                                    last_trade_at: string | null;
                                }[];
                                /** Format: date-time */
                                close_at: string;
                                closed_at: string | null;
                                decide_at: string | null;
                                resolution: {
                                    outcome: {
                                        /** Format: uuid */
                                        id: string;
                                        index: number;
                                        label: string;
                                    } | null;
                                    value: string | null;
                                    evidence: {
                                        [key: string]: unknown;
                                    } | null;
                                    resolved_by: string | null;
                                    /** Format: date-time */
                                    resolved_at: string;
                                    dispute_until: string | null;
                                } | null;
                                finalized_at: string | null;
                                voided_at: string | null;
                                void_reason: string | null;
                                /** Format: date-time */
                                created_at: string;
                                decision?: components["schemas"]["DecisionView"] | null;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a market
         * @description Binary (YES/NO), categorical (2–32 outcomes) or scalar (a range lo..hi traded as LONG/SHORT). The subsidy is escrowed from your cash; it bounds the market maker’s loss and what is left of it comes back when the market settles. With `branches` (2–16 candidate actions), `decide_at` and `default_branch` it is a decision market: each branch is a conditional market escrowing its own subsidy; at decide_at the rule takes the branch with the best lagging TWAP (if it beats the default by the threshold and the market met its minimums) and refunds the others at cost.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        question: string;
                        description?: string;
                        kind: "binary" | "categorical" | "scalar";
                        outcomes?: string[];
                        scalar?: {
                            /**
                             * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                             * @example -3.25
                             */
                            lo: string;
                            /**
                             * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                             * @example -3.25
                             */
                            hi: string;
                            unit?: string;
                        };
                        /**
                         * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                         * @example 12.5
                         */
                        subsidy: string;
                        /** Format: date-time */
                        close_at: string;
                        /** Format: uuid */
                        resolver_id?: string;
                        slug?: string;
                        /** @description Decision markets: 2–16 candidate actions, one conditional branch each */
                        branches?: string[];
                        /**
                         * Format: date-time
                         * @description Decision markets: when the rule decides
                         */
                        decide_at?: string;
                        /** @description Decision markets: the branch taken unless the market clearly prefers another */
                        default_branch?: number;
                        decision_rule?: {
                            threshold_bps?: number;
                            min_traders?: number;
                            /**
                             * Format: amount
                             * @description Credits, a decimal string such as "12.5" (no leading zeros, at most 6 decimals)
                             * @example 12.5
                             */
                            min_volume?: string;
                            twap_interval_seconds?: number;
                            twap_window_seconds?: number | null;
                            twap_max_step_bps?: number;
                            allow_early_decision?: boolean;
                        };
                        /** @description Categorical decision markets: utility per outcome */
                        utilities?: number[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            slug: string;
                            question: string;
                            description: string;
                            /** @enum {string} */
                            kind: "binary" | "categorical" | "scalar";
                            /** @enum {string} */
                            status: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                            /** Format: uuid */
                            creator_id: string;
                            /** Format: uuid */
                            resolver_id: string;
                            outcomes: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                            }[];
                            scalar: {
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                lo: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                hi: string;
                                unit: string | null;
                            } | null;
                            fee_bps: number;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            subsidy_per_branch: string;
                            /** @description Prices of the first (for plain markets, only) branch */
                            prices: number[];
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            volume: string;
                            traders: number;
                            branches: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                                /** @enum {string} */
                                status: "open" | "closed" | "voided" | "settled";
                                prices: number[];
                                shares_outstanding: string[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                subsidy: string;
                                /** @description LMSR b = subsidy / ln(outcomes), in credits */
                                liquidity: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                escrow: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                volume: string;
                                trades: number;
                                traders: number;
                                last_trade_at: string | null;
                            }[];
                            /** Format: date-time */
                            close_at: string;
                            closed_at: string | null;
                            decide_at: string | null;
                            resolution: {
                                outcome: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                } | null;
                                value: string | null;
                                evidence: {
                                    [key: string]: unknown;
                                } | null;
                                resolved_by: string | null;
                                /** Format: date-time */
                                resolved_at: string;
                                dispute_until: string | null;
                            } | null;
                            finalized_at: string | null;
                            voided_at: string | null;
                            void_reason: string | null;
                            /** Format: date-time */
                            created_at: string;
                            decision?: components["schemas"]["DecisionView"] | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request understood but refused */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A market by id or slug */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            slug: string;
                            question: string;
                            description: string;
                            /** @enum {string} */
                            kind: "binary" | "categorical" | "scalar";
                            /** @enum {string} */
                            status: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                            /** Format: uuid */
                            creator_id: string;
                            /** Format: uuid */
                            resolver_id: string;
                            outcomes: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                            }[];
                            scalar: {
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                lo: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                hi: string;
                                unit: string | null;
                            } | null;
                            fee_bps: number;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            subsidy_per_branch: string;
                            /** @description Prices of the first (for plain markets, only) branch */
                            prices: number[];
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            volume: string;
                            traders: number;
                            branches: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                                /** @enum {string} */
                                status: "open" | "closed" | "voided" | "settled";
                                prices: number[];
                                shares_outstanding: string[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                subsidy: string;
                                /** @description LMSR b = subsidy / ln(outcomes), in credits */
                                liquidity: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                escrow: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                volume: string;
                                trades: number;
                                traders: number;
                                last_trade_at: string | null;
                            }[];
                            /** Format: date-time */
                            close_at: string;
                            closed_at: string | null;
                            decide_at: string | null;
                            resolution: {
                                outcome: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                } | null;
                                value: string | null;
                                evidence: {
                                    [key: string]: unknown;
                                } | null;
                                resolved_by: string | null;
                                /** Format: date-time */
                                resolved_at: string;
                                dispute_until: string | null;
                            } | null;
                            finalized_at: string | null;
                            voided_at: string | null;
                            void_reason: string | null;
                            /** Format: date-time */
                            created_at: string;
                            decision?: components["schemas"]["DecisionView"] | null;
                        };
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Price history of a branch */
        get: {
            parameters: {
                query: {
                    branch?: number;
                    /** @description Downsample to at most this many buckets */
                    points?: number;
                    limit: number;
                    /** @description The last seq received */
                    cursor?: string;
                };
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            market_id: string;
                            /** Format: uuid */
                            branch_id: string;
                            outcomes: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                            }[];
                            interval_seconds?: number;
                            points: {
                                /** @description The branch's trade number; 0 is the opening */
                                seq: number;
                                /** Format: date-time */
                                at: string;
                                prices: number[];
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/decision/observations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The observations behind a branch's decision score
         * @description Observation k is at `opened_at + k·interval_seconds` (opened_at: when trading opened, after the proposing phase if there was one). Observation 0 is `opening_score`; each next one moves toward the branch's score at that instant (the expected objective at the prices of the last trade at or before it, from GET …/history) by at most `max_step_bps`/10000. The score is the mean of the observations in [window_start, window_end]. The rule then takes the best branch if its score beats the default's by threshold_bps/10000 (and min_traders, min_volume are met). Public prices are rounded to 12 significant digits, so a recomputation from them agrees to about 1e-12.
         */
        get: {
            parameters: {
                query: {
                    branch: number;
                    limit: number;
                    /** @description The last observation index received */
                    cursor?: string;
                };
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            market_id: string;
                            branch: number;
                            label: string;
                            /** @description true: the observations the decision read; false: as of now */
                            decided: boolean;
                            /** Format: date-time */
                            opened_at: string;
                            /** Format: date-time */
                            window_start: string;
                            /** Format: date-time */
                            window_end: string;
                            interval_seconds: number;
                            max_step_bps: number;
                            threshold_bps: number;
                            opening_score: number;
                            /** @description The mean of the observations in the window */
                            score: number;
                            /** @description Observations in the window */
                            observation_count: number;
                            observations: {
                                index: number;
                                /** Format: date-time */
                                at: string;
                                value: number;
                                in_window: boolean;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/trades": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Trades of a market */
        get: {
            parameters: {
                query: {
                    limit: number;
                    cursor?: string;
                };
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: uuid */
                                id: string;
                                /** Format: uuid */
                                market_id: string;
                                question: string;
                                /** Format: uuid */
                                branch_id: string;
                                branch_index: number;
                                trader: {
                                    /** Format: uuid */
                                    id: string;
                                    username: string | null;
                                };
                                outcome: {
                                    index: number;
                                    label: string;
                                };
                                /** @enum {string} */
                                side: "buy" | "sell";
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                shares: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                cost: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                proceeds: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                fee: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                cash_delta: string;
                                avg_price: number;
                                prices_after: number[];
                                /** Format: date-time */
                                created_at: string;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Trade */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes retries safe: the trade happens once */
                    "idempotency-key"?: string;
                };
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Branch index or id; omitted for plain (one-branch) markets */
                        branch?: number | string;
                        /**
                         * @description Outcome index, label (case-insensitive) or id
                         * @example YES
                         * @example 0
                         */
                        outcome: number | string;
                        side: "buy" | "sell";
                        /**
                         * @description Buy: credits to spend, fee included
                         * @example 12.5
                         */
                        amount?: string;
                        /**
                         * @description Shares to buy or sell; "all" sells everything held of the outcome
                         * @example 10
                         * @example all
                         */
                        shares?: string;
                        /**
                         * @description Buy: the most to pay in total (cost + fee)
                         * @example 12.5
                         */
                        max_cost?: string;
                        /**
                         * @description Buy by amount: the fewest shares to accept
                         * @example 12.5
                         */
                        min_shares?: string;
                        /**
                         * @description Sell: the least to receive after the fee
                         * @example 12.5
                         */
                        min_proceeds?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            trade: {
                                /** Format: uuid */
                                id: string;
                                /** Format: uuid */
                                market_id: string;
                                /** Format: uuid */
                                branch_id: string;
                                branch_index: number;
                                outcome: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                };
                                /** @enum {string} */
                                side: "buy" | "sell";
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                shares: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                cost: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                proceeds: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                fee: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                cash_delta: string;
                                avg_price: number;
                                prices_after: number[];
                                /** Format: date-time */
                                created_at: string;
                            };
                            /** @description The branch's prices after the trade */
                            prices: number[];
                            position: {
                                /** Format: uuid */
                                market_id: string;
                                /** Format: uuid */
                                branch_id: string;
                                outcome: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                };
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                shares: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                cost_basis: string;
                                avg_cost: number | null;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                realized_pnl: string;
                            };
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            cash: string;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request understood but refused */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/quote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Quote a trade
         * @description Takes the body of POST /v1/markets/{market}/trades. Signed in, your cash and shares apply (a trade you could not make is refused the same way); anonymous quotes assume enough of both.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Branch index or id; omitted for plain (one-branch) markets */
                        branch?: number | string;
                        /**
                         * @description Outcome index, label (case-insensitive) or id
                         * @example YES
                         * @example 0
                         */
                        outcome: number | string;
                        side: "buy" | "sell";
                        /**
                         * @description Buy: credits to spend, fee included
                         * @example 12.5
                         */
                        amount?: string;
                        /**
                         * @description Shares to buy or sell; "all" sells everything held of the outcome
                         * @example 10
                         * @example all
                         */
                        shares?: string;
                        /**
                         * @description Buy: the most to pay in total (cost + fee)
                         * @example 12.5
                         */
                        max_cost?: string;
                        /**
                         * @description Buy by amount: the fewest shares to accept
                         * @example 12.5
                         */
                        min_shares?: string;
                        /**
                         * @description Sell: the least to receive after the fee
                         * @example 12.5
                         */
                        min_proceeds?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            market_id: string;
                            /** Format: uuid */
                            branch_id: string;
                            outcome: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                            };
                            /** @enum {string} */
                            side: "buy" | "sell";
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            shares: string;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            cost: string;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            proceeds: string;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            fee: string;
                            /**
                             * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                             * @example -3.25
                             */
                            cash_delta: string;
                            avg_price: number;
                            prices_before: number[];
                            prices_after: number[];
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request understood but refused */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/close": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Close a market early */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            slug: string;
                            question: string;
                            description: string;
                            /** @enum {string} */
                            kind: "binary" | "categorical" | "scalar";
                            /** @enum {string} */
                            status: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                            /** Format: uuid */
                            creator_id: string;
                            /** Format: uuid */
                            resolver_id: string;
                            outcomes: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                            }[];
                            scalar: {
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                lo: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                hi: string;
                                unit: string | null;
                            } | null;
                            fee_bps: number;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            subsidy_per_branch: string;
                            /** @description Prices of the first (for plain markets, only) branch */
                            prices: number[];
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            volume: string;
                            traders: number;
                            branches: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                                /** @enum {string} */
                                status: "open" | "closed" | "voided" | "settled";
                                prices: number[];
                                shares_outstanding: string[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                subsidy: string;
                                /** @description LMSR b = subsidy / ln(outcomes), in credits */
                                liquidity: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                escrow: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                volume: string;
                                trades: number;
                                traders: number;
                                last_trade_at: string | null;
                            }[];
                            /** Format: date-time */
                            close_at: string;
                            closed_at: string | null;
                            decide_at: string | null;
                            resolution: {
                                outcome: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                } | null;
                                value: string | null;
                                evidence: {
                                    [key: string]: unknown;
                                } | null;
                                resolved_by: string | null;
                                /** Format: date-time */
                                resolved_at: string;
                                dispute_until: string | null;
                            } | null;
                            finalized_at: string | null;
                            voided_at: string | null;
                            void_reason: string | null;
                            /** Format: date-time */
                            created_at: string;
                            decision?: components["schemas"]["DecisionView"] | null;
                        };
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resolve a market */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description Outcome index, label (case-insensitive) or id
                         * @example YES
                         * @example 0
                         */
                        outcome?: number | string;
                        /**
                         * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                         * @example -3.25
                         */
                        value?: string;
                        evidence: {
                            /** Format: uri */
                            url?: string;
                            note?: string;
                            files?: string[];
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            slug: string;
                            question: string;
                            description: string;
                            /** @enum {string} */
                            kind: "binary" | "categorical" | "scalar";
                            /** @enum {string} */
                            status: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                            /** Format: uuid */
                            creator_id: string;
                            /** Format: uuid */
                            resolver_id: string;
                            outcomes: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                            }[];
                            scalar: {
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                lo: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                hi: string;
                                unit: string | null;
                            } | null;
                            fee_bps: number;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            subsidy_per_branch: string;
                            /** @description Prices of the first (for plain markets, only) branch */
                            prices: number[];
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            volume: string;
                            traders: number;
                            branches: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                                /** @enum {string} */
                                status: "open" | "closed" | "voided" | "settled";
                                prices: number[];
                                shares_outstanding: string[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                subsidy: string;
                                /** @description LMSR b = subsidy / ln(outcomes), in credits */
                                liquidity: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                escrow: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                volume: string;
                                trades: number;
                                traders: number;
                                last_trade_at: string | null;
                            }[];
                            /** Format: date-time */
                            close_at: string;
                            closed_at: string | null;
                            decide_at: string | null;
                            resolution: {
                                outcome: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                } | null;
                                value: string | null;
                                evidence: {
                                    [key: string]: unknown;
                                } | null;
                                resolved_by: string | null;
                                /** Format: date-time */
                                resolved_at: string;
                                dispute_until: string | null;
                            } | null;
                            finalized_at: string | null;
                            voided_at: string | null;
                            void_reason: string | null;
                            /** Format: date-time */
                            created_at: string;
                            decision?: components["schemas"]["DecisionView"] | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request understood but refused */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/disputes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Dispute a resolution
         * @description Within the dispute window, by a holder of shares; DISPUTE_BOND_CREDITS are held until an admin settles.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason: string;
                        /** Format: uri */
                        evidence_url?: string;
                        evidence_files?: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            /** Format: uuid */
                            market_id: string;
                            /** Format: uuid */
                            disputer_id: string;
                            reason: string;
                            evidence_url: string | null;
                            evidence_files: {
                                /** Format: uuid */
                                id: string;
                                sha256: string;
                                /** @description Bytes, as a decimal string */
                                size: string;
                                content_type: string;
                                filename: string;
                            }[];
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            bond: string;
                            /** @enum {string} */
                            status: "open" | "upheld" | "rejected";
                            settled_by: string | null;
                            settled_at: string | null;
                            settlement_note: string | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request understood but refused */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/void": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Void a market (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            slug: string;
                            question: string;
                            description: string;
                            /** @enum {string} */
                            kind: "binary" | "categorical" | "scalar";
                            /** @enum {string} */
                            status: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                            /** Format: uuid */
                            creator_id: string;
                            /** Format: uuid */
                            resolver_id: string;
                            outcomes: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                            }[];
                            scalar: {
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                lo: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                hi: string;
                                unit: string | null;
                            } | null;
                            fee_bps: number;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            subsidy_per_branch: string;
                            /** @description Prices of the first (for plain markets, only) branch */
                            prices: number[];
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            volume: string;
                            traders: number;
                            branches: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                                /** @enum {string} */
                                status: "open" | "closed" | "voided" | "settled";
                                prices: number[];
                                shares_outstanding: string[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                subsidy: string;
                                /** @description LMSR b = subsidy / ln(outcomes), in credits */
                                liquidity: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                escrow: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                volume: string;
                                trades: number;
                                traders: number;
                                last_trade_at: string | null;
                            }[];
                            /** Format: date-time */
                            close_at: string;
                            closed_at: string | null;
                            decide_at: string | null;
                            resolution: {
                                outcome: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                } | null;
                                value: string | null;
                                evidence: {
                                    [key: string]: unknown;
                                } | null;
                                resolved_by: string | null;
                                /** Format: date-time */
                                resolved_at: string;
                                dispute_until: string | null;
                            } | null;
                            finalized_at: string | null;
                            voided_at: string | null;
                            void_reason: string | null;
                            /** Format: date-time */
                            created_at: string;
                            decision?: components["schemas"]["DecisionView"] | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/positions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My positions */
        get: {
            parameters: {
                query: {
                    limit: number;
                    cursor?: string;
                    status: "open" | "settled" | "all";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                market: {
                                    /** Format: uuid */
                                    id: string;
                                    slug: string;
                                    question: string;
                                    status: string;
                                };
                                /** Format: uuid */
                                branch_id: string;
                                branch_index: number;
                                outcome: {
                                    index: number;
                                    label: string;
                                };
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                shares: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                cost_basis: string;
                                avg_cost: number | null;
                                price: number | null;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                value: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                unrealized_pnl: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                realized_pnl: string;
                                payout: string | null;
                                settled_at: string | null;
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/trades": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My trades */
        get: {
            parameters: {
                query: {
                    limit: number;
                    cursor?: string;
                    market_id?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: uuid */
                                id: string;
                                /** Format: uuid */
                                market_id: string;
                                question: string;
                                /** Format: uuid */
                                branch_id: string;
                                branch_index: number;
                                trader: {
                                    /** Format: uuid */
                                    id: string;
                                    username: string | null;
                                };
                                outcome: {
                                    index: number;
                                    label: string;
                                };
                                /** @enum {string} */
                                side: "buy" | "sell";
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                shares: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                cost: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                proceeds: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                fee: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                cash_delta: string;
                                avg_price: number;
                                prices_after: number[];
                                /** Format: date-time */
                                created_at: string;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/ledger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My ledger */
        get: {
            parameters: {
                query: {
                    limit: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description Gap-free sequence number of the posting */
                                seq: string;
                                entry_id: string;
                                kind: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                amount: string;
                                balance_after: string | null;
                                market_id: string | null;
                                trade_id: string | null;
                                memo: string | null;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/portfolio": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My portfolio */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            cash: string;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            positions_value: string;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            total: string;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            invested: string;
                            /**
                             * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                             * @example -3.25
                             */
                            realized_pnl: string;
                            /**
                             * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                             * @example -3.25
                             */
                            unrealized_pnl: string;
                            open_positions: number;
                        };
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/grants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Grant credits (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: uuid */
                        user_id: string;
                        /**
                         * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                         * @example 12.5
                         */
                        amount: string;
                        memo?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            entry_id: string;
                            /** Format: uuid */
                            user_id: string;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            amount: string;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            cash: string;
                            memo: string | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/disputes/{id}/settle": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Settle a dispute (admins) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        decision: "uphold" | "reject";
                        /**
                         * @description Outcome index, label (case-insensitive) or id
                         * @example YES
                         * @example 0
                         */
                        outcome?: number | string;
                        /**
                         * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                         * @example -3.25
                         */
                        value?: string;
                        void?: boolean;
                        note?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            dispute: {
                                /** Format: uuid */
                                id: string;
                                /** Format: uuid */
                                market_id: string;
                                /** Format: uuid */
                                disputer_id: string;
                                reason: string;
                                evidence_url: string | null;
                                evidence_files: {
                                    /** Format: uuid */
                                    id: string;
                                    sha256: string;
                                    /** @description Bytes, as a decimal string */
                                    size: string;
                                    content_type: string;
                                    filename: string;
                                }[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                bond: string;
                                /** @enum {string} */
                                status: "open" | "upheld" | "rejected";
                                settled_by: string | null;
                                settled_at: string | null;
                                settlement_note: string | null;
                                /** Format: date-time */
                                created_at: string;
                            };
                            market: {
                                /** Format: uuid */
                                id: string;
                                slug: string;
                                question: string;
                                description: string;
                                /** @enum {string} */
                                kind: "binary" | "categorical" | "scalar";
                                /** @enum {string} */
                                status: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                                /** Format: uuid */
                                creator_id: string;
                                /** Format: uuid */
                                resolver_id: string;
                                outcomes: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                }[];
                                scalar: {
                                    /**
                                     * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                     * @example -3.25
                                     */
                                    lo: string;
                                    /**
                                     * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                     * @example -3.25
                                     */
                                    hi: string;
                                    unit: string | null;
                                } | null;
                                fee_bps: number;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                subsidy_per_branch: string;
                                /** @description Prices of the first (for plain markets, only) branch */
                                prices: number[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                volume: string;
                                traders: number;
                                branches: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                    /** @enum {string} */
                                    status: "open" | "closed" | "voided" | "settled";
                                    prices: number[];
                                    shares_outstanding: string[];
                                    /**
                                     * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                     * @example 12.5
                                     */
                                    subsidy: string;
                                    /** @description LMSR b = subsidy / ln(outcomes), in credits */
                                    liquidity: string;
                                    /**
                                     * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                     * @example 12.5
                                     */
                                    escrow: string;
                                    /**
                                     * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                     * @example 12.5
                                     */
                                    volume: string;
                                    trades: number;
                                    traders: number;
                                    last_trade_at: string | null;
                                }[];
                                /** Format: date-time */
                                close_at: string;
                                closed_at: string | null;
                                decide_at: string | null;
                                resolution: {
                                    outcome: {
                                        /** Format: uuid */
                                        id: string;
                                        index: number;
                                        label: string;
                                    } | null;
                                    value: string | null;
                                    evidence: {
                                        [key: string]: unknown;
                                    } | null;
                                    resolved_by: string | null;
                                    /** Format: date-time */
                                    resolved_at: string;
                                    dispute_until: string | null;
                                } | null;
                                finalized_at: string | null;
                                voided_at: string | null;
                                void_reason: string | null;
                                /** Format: date-time */
                                created_at: string;
                                decision?: components["schemas"]["DecisionView"] | null;
                            };
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request understood but refused */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/evidence/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An evidence file and a fresh download link
         * @description Public once attached to a resolution or dispute; before that, its uploader and admins only.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            sha256: string;
                            /** @description Bytes, as a decimal string */
                            size: string;
                            content_type: string;
                            filename: string;
                            /** Format: uuid */
                            uploader_id: string;
                            /** @description Attached to a resolution or dispute (then public) */
                            attached: boolean;
                            /** Format: date-time */
                            created_at: string;
                            link: {
                                /** @description Signed link serving the bytes as an attachment */
                                url: string;
                                /** Format: date-time */
                                expires_at: string;
                            };
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/evidence/{id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download an evidence file (signed link) */
        get: {
            parameters: {
                query: {
                    expires: string;
                    signature: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The file, as an attachment */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": string;
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List agents */
        get: {
            parameters: {
                query: {
                    owner?: "me";
                    limit: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: uuid */
                                id: string;
                                /** @description The operator's username */
                                owner: string | null;
                                name: string;
                                description: string;
                                objective: {
                                    /** @description binary: P(YES) is maximised; categorical: Σ p·utility; scalar: the expected value */
                                    kind: "binary" | "categorical" | "scalar";
                                    outcomes?: string[];
                                    utilities?: number[];
                                    scalar?: {
                                        /**
                                         * Format: signed-amount
                                         * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                         * @example -3.25
                                         */
                                        lo: string;
                                        /**
                                         * Format: signed-amount
                                         * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                         * @example -3.25
                                         */
                                        hi: string;
                                        unit?: string;
                                    };
                                    /** @description How the outcome is measured */
                                    measurement: string;
                                };
                                action_source: string;
                                actions: {
                                    label: string;
                                    /** @default  */
                                    description: string;
                                }[];
                                llm: {
                                    /** @description Shown to the operator only */
                                    base_url?: string;
                                    model: string;
                                    /** @description Shown to the operator only */
                                    instructions?: string;
                                    has_api_key: boolean;
                                } | null;
                                default_action: string;
                                decision_rule: {
                                    threshold_bps: number;
                                    min_traders: number;
                                    /**
                                     * Format: amount
                                     * @description Credits, a decimal string such as "12.5" (no leading zeros, at most 6 decimals)
                                     * @example 12.5
                                     */
                                    min_volume: string;
                                    twap_interval_seconds: number;
                                    twap_window_seconds: number | null;
                                    twap_max_step_bps: number;
                                    allow_early_decision: boolean;
                                };
                                liquidity_per_decision: string;
                                delivery: {
                                    /** @enum {string} */
                                    type: "webhook";
                                    /** @description Shown to the operator only (it often carries a token) */
                                    url?: string;
                                    /** @description Shown to the operator only */
                                    has_secret?: boolean;
                                } | {
                                    /** @enum {string} */
                                    type: "polling";
                                };
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Create an AI agent whose decisions a market takes */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        description?: string;
                        objective: {
                            /** @description binary: P(YES) is maximised; categorical: Σ p·utility; scalar: the expected value */
                            kind: "binary" | "categorical" | "scalar";
                            outcomes?: string[];
                            utilities?: number[];
                            scalar?: {
                                /**
                                 * Format: signed-amount
                                 * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                 * @example -3.25
                                 */
                                lo: string;
                                /**
                                 * Format: signed-amount
                                 * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                 * @example -3.25
                                 */
                                hi: string;
                                unit?: string;
                            };
                            /** @description How the outcome is measured */
                            measurement: string;
                        };
                        action_source: "fixed" | "llm" | "proposals";
                        actions?: {
                            label: string;
                            /** @default  */
                            description: string;
                        }[];
                        llm?: {
                            /**
                             * Format: uri
                             * @description OpenAI-compatible base URL, up to /v1
                             */
                            base_url: string;
                            model: string;
                            /** @description Stored encrypted; never returned */
                            api_key?: string;
                            instructions?: string;
                        };
                        default_action: string;
                        decision_rule?: {
                            threshold_bps?: number;
                            min_traders?: number;
                            /**
                             * Format: amount
                             * @description Credits, a decimal string such as "12.5" (no leading zeros, at most 6 decimals)
                             * @example 12.5
                             */
                            min_volume?: string;
                            twap_interval_seconds?: number;
                            twap_window_seconds?: number | null;
                            twap_max_step_bps?: number;
                            allow_early_decision?: boolean;
                        };
                        /**
                         * Format: amount
                         * @description Credits, a decimal string such as "12.5" (no leading zeros, at most 6 decimals)
                         * @example 12.5
                         */
                        liquidity_per_decision: string;
                        delivery: {
                            /** @enum {string} */
                            type: "webhook";
                            /** Format: uri */
                            url: string;
                            /** @description HMAC key; generated and shown once when omitted */
                            secret?: string;
                        } | {
                            /** @enum {string} */
                            type: "polling";
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            /** @description The operator's username */
                            owner: string | null;
                            name: string;
                            description: string;
                            objective: {
                                /** @description binary: P(YES) is maximised; categorical: Σ p·utility; scalar: the expected value */
                                kind: "binary" | "categorical" | "scalar";
                                outcomes?: string[];
                                utilities?: number[];
                                scalar?: {
                                    /**
                                     * Format: signed-amount
                                     * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                     * @example -3.25
                                     */
                                    lo: string;
                                    /**
                                     * Format: signed-amount
                                     * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                     * @example -3.25
                                     */
                                    hi: string;
                                    unit?: string;
                                };
                                /** @description How the outcome is measured */
                                measurement: string;
                            };
                            action_source: string;
                            actions: {
                                label: string;
                                /** @default  */
                                description: string;
                            }[];
                            llm: {
                                /** @description Shown to the operator only */
                                base_url?: string;
                                model: string;
                                /** @description Shown to the operator only */
                                instructions?: string;
                                has_api_key: boolean;
                            } | null;
                            default_action: string;
                            decision_rule: {
                                threshold_bps: number;
                                min_traders: number;
                                /**
                                 * Format: amount
                                 * @description Credits, a decimal string such as "12.5" (no leading zeros, at most 6 decimals)
                                 * @example 12.5
                                 */
                                min_volume: string;
                                twap_interval_seconds: number;
                                twap_window_seconds: number | null;
                                twap_max_step_bps: number;
                                allow_early_decision: boolean;
                            };
                            liquidity_per_decision: string;
                            delivery: {
                                /** @enum {string} */
                                type: "webhook";
                                /** @description Shown to the operator only (it often carries a token) */
                                url?: string;
                                /** @description Shown to the operator only */
                                has_secret?: boolean;
                            } | {
                                /** @enum {string} */
                                type: "polling";
                            };
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            /** @description The generated webhook secret: shown this once */
                            webhook_secret?: string;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request understood but refused */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an agent */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description An AI agent; its secrets are never part of it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            /** @description The operator's username */
                            owner: string | null;
                            name: string;
                            description: string;
                            objective: {
                                /** @description binary: P(YES) is maximised; categorical: Σ p·utility; scalar: the expected value */
                                kind: "binary" | "categorical" | "scalar";
                                outcomes?: string[];
                                utilities?: number[];
                                scalar?: {
                                    /**
                                     * Format: signed-amount
                                     * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                     * @example -3.25
                                     */
                                    lo: string;
                                    /**
                                     * Format: signed-amount
                                     * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                     * @example -3.25
                                     */
                                    hi: string;
                                    unit?: string;
                                };
                                /** @description How the outcome is measured */
                                measurement: string;
                            };
                            action_source: string;
                            actions: {
                                label: string;
                                /** @default  */
                                description: string;
                            }[];
                            llm: {
                                /** @description Shown to the operator only */
                                base_url?: string;
                                model: string;
                                /** @description Shown to the operator only */
                                instructions?: string;
                                has_api_key: boolean;
                            } | null;
                            default_action: string;
                            decision_rule: {
                                threshold_bps: number;
                                min_traders: number;
                                /**
                                 * Format: amount
                                 * @description Credits, a decimal string such as "12.5" (no leading zeros, at most 6 decimals)
                                 * @example 12.5
                                 */
                                min_volume: string;
                                twap_interval_seconds: number;
                                twap_window_seconds: number | null;
                                twap_max_step_bps: number;
                                allow_early_decision: boolean;
                            };
                            liquidity_per_decision: string;
                            delivery: {
                                /** @enum {string} */
                                type: "webhook";
                                /** @description Shown to the operator only (it often carries a token) */
                                url?: string;
                                /** @description Shown to the operator only */
                                has_secret?: boolean;
                            } | {
                                /** @enum {string} */
                                type: "polling";
                            };
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Retire an agent */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Retired */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change an agent */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        description?: string;
                        objective?: {
                            /** @description binary: P(YES) is maximised; categorical: Σ p·utility; scalar: the expected value */
                            kind: "binary" | "categorical" | "scalar";
                            outcomes?: string[];
                            utilities?: number[];
                            scalar?: {
                                /**
                                 * Format: signed-amount
                                 * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                 * @example -3.25
                                 */
                                lo: string;
                                /**
                                 * Format: signed-amount
                                 * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                 * @example -3.25
                                 */
                                hi: string;
                                unit?: string;
                            };
                            /** @description How the outcome is measured */
                            measurement: string;
                        };
                        action_source?: "fixed" | "llm" | "proposals";
                        actions?: {
                            label: string;
                            /** @default  */
                            description: string;
                        }[];
                        llm?: {
                            /**
                             * Format: uri
                             * @description OpenAI-compatible base URL, up to /v1
                             */
                            base_url: string;
                            model: string;
                            /** @description Stored encrypted; never returned */
                            api_key?: string;
                            instructions?: string;
                        };
                        default_action?: string;
                        decision_rule?: {
                            threshold_bps?: number;
                            min_traders?: number;
                            /**
                             * Format: amount
                             * @description Credits, a decimal string such as "12.5" (no leading zeros, at most 6 decimals)
                             * @example 12.5
                             */
                            min_volume?: string;
                            twap_interval_seconds?: number;
                            twap_window_seconds?: number | null;
                            twap_max_step_bps?: number;
                            allow_early_decision?: boolean;
                        };
                        /**
                         * Format: amount
                         * @description Credits, a decimal string such as "12.5" (no leading zeros, at most 6 decimals)
                         * @example 12.5
                         */
                        liquidity_per_decision?: string;
                        delivery?: {
                            /** @enum {string} */
                            type: "webhook";
                            /** Format: uri */
                            url: string;
                            /** @description HMAC key; generated and shown once when omitted */
                            secret?: string;
                        } | {
                            /** @enum {string} */
                            type: "polling";
                        };
                        rotate_webhook_secret?: boolean;
                        clear_llm_api_key?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            /** @description The operator's username */
                            owner: string | null;
                            name: string;
                            description: string;
                            objective: {
                                /** @description binary: P(YES) is maximised; categorical: Σ p·utility; scalar: the expected value */
                                kind: "binary" | "categorical" | "scalar";
                                outcomes?: string[];
                                utilities?: number[];
                                scalar?: {
                                    /**
                                     * Format: signed-amount
                                     * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                     * @example -3.25
                                     */
                                    lo: string;
                                    /**
                                     * Format: signed-amount
                                     * @description A decimal string such as "-3.25" (no leading zeros, at most 6 decimals)
                                     * @example -3.25
                                     */
                                    hi: string;
                                    unit?: string;
                                };
                                /** @description How the outcome is measured */
                                measurement: string;
                            };
                            action_source: string;
                            actions: {
                                label: string;
                                /** @default  */
                                description: string;
                            }[];
                            llm: {
                                /** @description Shown to the operator only */
                                base_url?: string;
                                model: string;
                                /** @description Shown to the operator only */
                                instructions?: string;
                                has_api_key: boolean;
                            } | null;
                            default_action: string;
                            decision_rule: {
                                threshold_bps: number;
                                min_traders: number;
                                /**
                                 * Format: amount
                                 * @description Credits, a decimal string such as "12.5" (no leading zeros, at most 6 decimals)
                                 * @example 12.5
                                 */
                                min_volume: string;
                                twap_interval_seconds: number;
                                twap_window_seconds: number | null;
                                twap_max_step_bps: number;
                                allow_early_decision: boolean;
                            };
                            liquidity_per_decision: string;
                            delivery: {
                                /** @enum {string} */
                                type: "webhook";
                                /** @description Shown to the operator only (it often carries a token) */
                                url?: string;
                                /** @description Shown to the operator only */
                                has_secret?: boolean;
                            } | {
                                /** @enum {string} */
                                type: "polling";
                            };
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            /** @description The generated webhook secret: shown this once */
                            webhook_secret?: string;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/agents/{id}/decisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An agent's decisions */
        get: {
            parameters: {
                query: {
                    limit: number;
                    cursor?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                market: {
                                    /** Format: uuid */
                                    id: string;
                                    slug: string;
                                    question: string;
                                    status: string;
                                    /** Format: date-time */
                                    decide_at: string;
                                    /** Format: date-time */
                                    close_at: string;
                                };
                                actions: {
                                    branch: number;
                                    label: string | null;
                                }[];
                                default_action: {
                                    branch: number;
                                    label: string | null;
                                };
                                prior: {
                                    branch: number;
                                    action: string | null;
                                    confidence: number | null;
                                    rationale: string | null;
                                    model: string | null;
                                    /** @description The agent's forecast for each action by branch (the probability that the objective is met if it is taken); null where it gave none */
                                    forecasts: (number | null)[] | null;
                                } | null;
                                prior_error: string | null;
                                decision: {
                                    chosen: {
                                        branch: number;
                                        label: string | null;
                                    };
                                    best: {
                                        branch: number;
                                        label: string | null;
                                    };
                                    reason: string | null;
                                    explanation: string | null;
                                    scores: unknown;
                                    decided_at: string | null;
                                } | null;
                                /** @description Whether the market chose otherwise than the agent's own prior */
                                overrode_prior: boolean | null;
                                /** @description How the decision scores in the track record, once decided */
                                record: {
                                    /** @description The agent's forecast of the action taken, made before the market opened: its forecast for that action (the LLM forecasts each candidate), or, for a decision recorded without those, its confidence when the market took its choice; null otherwise */
                                    prior_forecast: number | null;
                                    /** @description The chosen branch's decision score (lagging TWAP) at the decision */
                                    market_forecast: number | null;
                                    /** @description The realised objective of the action taken on the scores’ scale: binary 1 (YES) or 0 (NO); scalar clamp((v−lo)/(hi−lo)); categorical the outcome’s min-max normalised utility. Null until resolved */
                                    outcome: number | null;
                                    /** @description (prior_forecast − outcome)² (mean squared error, 6 decimals; lower is better) */
                                    brier_prior: number | null;
                                    /** @description (market_forecast − outcome)² (mean squared error, 6 decimals; lower is better) */
                                    brier_market: number | null;
                                } | null;
                                outcome: {
                                    outcome: number | null;
                                    value: string | null;
                                    resolved_at: string;
                                } | null;
                                delivery: {
                                    status: string;
                                    attempts: number | null;
                                    last_status: number | null;
                                    last_error: string | null;
                                    delivered_at: string | null;
                                } | null;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Open a decision market for the agent's next decision */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        question: string;
                        description?: string;
                        /** @description What the agent knows; sent to its LLM */
                        context?: string;
                        /** Format: date-time */
                        decide_at: string;
                        /** Format: date-time */
                        close_at: string;
                        actions?: {
                            label: string;
                            /** @default  */
                            description: string;
                        }[];
                        slug?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            market: {
                                /** Format: uuid */
                                id: string;
                                slug: string;
                                question: string;
                                description: string;
                                /** @enum {string} */
                                kind: "binary" | "categorical" | "scalar";
                                /** @enum {string} */
                                status: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                                /** Format: uuid */
                                creator_id: string;
                                /** Format: uuid */
                                resolver_id: string;
                                outcomes: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                }[];
                                scalar: {
                                    /**
                                     * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                     * @example -3.25
                                     */
                                    lo: string;
                                    /**
                                     * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                     * @example -3.25
                                     */
                                    hi: string;
                                    unit: string | null;
                                } | null;
                                fee_bps: number;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                subsidy_per_branch: string;
                                /** @description Prices of the first (for plain markets, only) branch */
                                prices: number[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                volume: string;
                                traders: number;
                                branches: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                    /** @enum {string} */
                                    status: "open" | "closed" | "voided" | "settled";
                                    prices: number[];
                                    shares_outstanding: string[];
                                    /**
                                     * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                     * @example 12.5
                                     */
                                    subsidy: string;
                                    /** @description LMSR b = subsidy / ln(outcomes), in credits */
                                    liquidity: string;
                                    /**
                                     * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                     * @example 12.5
                                     */
                                    escrow: string;
                                    /**
                                     * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                     * @example 12.5
                                     */
                                    volume: string;
                                    trades: number;
                                    traders: number;
                                    last_trade_at: string | null;
                                }[];
                                /** Format: date-time */
                                close_at: string;
                                closed_at: string | null;
                                decide_at: string | null;
                                resolution: {
                                    outcome: {
                                        /** Format: uuid */
                                        id: string;
                                        index: number;
                                        label: string;
                                    } | null;
                                    value: string | null;
                                    evidence: {
                                        [key: string]: unknown;
                                    } | null;
                                    resolved_by: string | null;
                                    /** Format: date-time */
                                    resolved_at: string;
                                    dispute_until: string | null;
                                } | null;
                                finalized_at: string | null;
                                voided_at: string | null;
                                void_reason: string | null;
                                /** Format: date-time */
                                created_at: string;
                                decision?: components["schemas"]["DecisionView"] | null;
                            };
                            /** @description null while the market is preparing: the prior comes with the opening */
                            prior: {
                                branch: number;
                                action: string;
                                confidence: number;
                                rationale: string;
                                model: string;
                            } | null;
                            /** @description Why the agent recorded no prior (its LLM failed); the decision opened all the same */
                            prior_error: string | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request understood but refused */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{id}/decisions/{marketId}/record": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of an agent's decisions, with how it scores */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    marketId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            market: {
                                /** Format: uuid */
                                id: string;
                                slug: string;
                                question: string;
                                status: string;
                                /** Format: date-time */
                                decide_at: string;
                                /** Format: date-time */
                                close_at: string;
                            };
                            actions: {
                                branch: number;
                                label: string | null;
                            }[];
                            default_action: {
                                branch: number;
                                label: string | null;
                            };
                            prior: {
                                branch: number;
                                action: string | null;
                                confidence: number | null;
                                rationale: string | null;
                                model: string | null;
                                /** @description The agent's forecast for each action by branch (the probability that the objective is met if it is taken); null where it gave none */
                                forecasts: (number | null)[] | null;
                            } | null;
                            prior_error: string | null;
                            decision: {
                                chosen: {
                                    branch: number;
                                    label: string | null;
                                };
                                best: {
                                    branch: number;
                                    label: string | null;
                                };
                                reason: string | null;
                                explanation: string | null;
                                scores: unknown;
                                decided_at: string | null;
                            } | null;
                            /** @description Whether the market chose otherwise than the agent's own prior */
                            overrode_prior: boolean | null;
                            /** @description How the decision scores in the track record, once decided */
                            record: {
                                /** @description The agent's forecast of the action taken, made before the market opened: its forecast for that action (the LLM forecasts each candidate), or, for a decision recorded without those, its confidence when the market took its choice; null otherwise */
                                prior_forecast: number | null;
                                /** @description The chosen branch's decision score (lagging TWAP) at the decision */
                                market_forecast: number | null;
                                /** @description The realised objective of the action taken on the scores’ scale: binary 1 (YES) or 0 (NO); scalar clamp((v−lo)/(hi−lo)); categorical the outcome’s min-max normalised utility. Null until resolved */
                                outcome: number | null;
                                /** @description (prior_forecast − outcome)² (mean squared error, 6 decimals; lower is better) */
                                brier_prior: number | null;
                                /** @description (market_forecast − outcome)² (mean squared error, 6 decimals; lower is better) */
                                brier_market: number | null;
                            } | null;
                            outcome: {
                                outcome: number | null;
                                value: string | null;
                                resolved_at: string;
                            } | null;
                            delivery: {
                                status: string;
                                attempts: number | null;
                                last_status: number | null;
                                last_error: string | null;
                                delivered_at: string | null;
                            } | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{id}/track-record": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An agent's track record: the market against the agent's own prior
         * @description Computed over the agent's most recent 1000 decided decisions.
         *
         *     **Overrides.** A decision with a prior (an LLM agent) is overridden when the market chose another action than the prior did.
         *
         *     **What is scored.** Only the action taken is carried out, so only its outcome is observed; each resolved decision is one event, the realised objective y of the action taken on the decision scores’ [0, 1] scale: binary 1 for YES and 0 for NO; scalar clamp((v − lo) / (hi − lo), 0, 1), what a LONG share paid; categorical the reported outcome’s min-max normalised utility. The market's forecast of y is the chosen branch's decision score (lagging TWAP) at the decision. The prior's is the agent's own forecast for the action taken, given with its choice before the market opened (its LLM forecasts every candidate action: the probability that the objective is met if it is taken), so an overridden prior is scored on the action the market preferred. A decision recorded without forecasts per action uses the stated confidence when the market took the agent’s choice, and scores the market only otherwise.
         *
         *     **Brier score** = mean (forecast − y)² (for scalar and categorical objectives, the squared error of a forecast of the mean); lower is better. `brier.paired` scores both on the decisions both forecast: who was right. Numbers have 6 decimals.
         *
         *     **Calibration.** Ten buckets of forecast ([0, 0.1) … [0.9, 1]) with their count, mean forecast and the mean y observed, for the prior and the market.
         *
         *     **Trend.** `by_month` (UTC month of the decision) and `recent` (the last `recent` decisions).
         */
        get: {
            parameters: {
                query: {
                    recent: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            agent_id: string;
                            /** @description Decisions opened, decided or not */
                            opened: number;
                            window: {
                                decisions: number;
                                limit: number;
                                /** @description Older decisions than the most recent `limit` are not counted */
                                truncated: boolean;
                            };
                            /** @description Decisions the market took */
                            decided: number;
                            /** @description Of those, with a prior on record */
                            with_prior: number;
                            /** @description Where the market chose otherwise than the prior */
                            overridden: number;
                            /** @description overridden / with_prior */
                            override_rate: number | null;
                            /** @description Decided decisions whose outcome is reported */
                            resolved: number;
                            brier: {
                                /** @description Over the resolved decisions (mean squared error, 6 decimals; lower is better) */
                                market: number | null;
                                market_count: number;
                                /** @description Over the resolved decisions where the prior forecast the action taken (mean squared error, 6 decimals; lower is better) */
                                prior: number | null;
                                prior_count: number;
                                /** @description Both scored on the same events: who was right */
                                paired: {
                                    count: number;
                                    /** @description The prior, on the decisions both forecast (mean squared error, 6 decimals; lower is better) */
                                    prior: number | null;
                                    /** @description The market, on the same decisions (mean squared error, 6 decimals; lower is better) */
                                    market: number | null;
                                };
                            };
                            calibration: {
                                /** @description Ten buckets of the prior’s forecast: [0, 0.1), … [0.9, 1] */
                                prior: {
                                    lo: number;
                                    hi: number;
                                    count: number;
                                    /** @description Mean forecast in the bucket */
                                    mean_forecast: number | null;
                                    /** @description Mean realised objective in the bucket (binary: how often YES came) */
                                    observed: number | null;
                                }[];
                                /** @description Ten buckets of the market’s forecast */
                                market: {
                                    lo: number;
                                    hi: number;
                                    count: number;
                                    /** @description Mean forecast in the bucket */
                                    mean_forecast: number | null;
                                    /** @description Mean realised objective in the bucket (binary: how often YES came) */
                                    observed: number | null;
                                }[];
                            };
                            by_month: {
                                month: string;
                                /** @description Decisions the market took */
                                decided: number;
                                /** @description Of those, with a prior on record */
                                with_prior: number;
                                /** @description Where the market chose otherwise than the prior */
                                overridden: number;
                                /** @description overridden / with_prior */
                                override_rate: number | null;
                                /** @description Decided decisions whose outcome is reported */
                                resolved: number;
                                brier: {
                                    /** @description Over the resolved decisions (mean squared error, 6 decimals; lower is better) */
                                    market: number | null;
                                    market_count: number;
                                    /** @description Over the resolved decisions where the prior forecast the action taken (mean squared error, 6 decimals; lower is better) */
                                    prior: number | null;
                                    prior_count: number;
                                    /** @description Both scored on the same events: who was right */
                                    paired: {
                                        count: number;
                                        /** @description The prior, on the decisions both forecast (mean squared error, 6 decimals; lower is better) */
                                        prior: number | null;
                                        /** @description The market, on the same decisions (mean squared error, 6 decimals; lower is better) */
                                        market: number | null;
                                    };
                                };
                            }[];
                            /** @description The most recent `size` decisions */
                            recent: {
                                size: number;
                                /** @description Decisions the market took */
                                decided: number;
                                /** @description Of those, with a prior on record */
                                with_prior: number;
                                /** @description Where the market chose otherwise than the prior */
                                overridden: number;
                                /** @description overridden / with_prior */
                                override_rate: number | null;
                                /** @description Decided decisions whose outcome is reported */
                                resolved: number;
                                brier: {
                                    /** @description Over the resolved decisions (mean squared error, 6 decimals; lower is better) */
                                    market: number | null;
                                    market_count: number;
                                    /** @description Over the resolved decisions where the prior forecast the action taken (mean squared error, 6 decimals; lower is better) */
                                    prior: number | null;
                                    prior_count: number;
                                    /** @description Both scored on the same events: who was right */
                                    paired: {
                                        count: number;
                                        /** @description The prior, on the decisions both forecast (mean squared error, 6 decimals; lower is better) */
                                        prior: number | null;
                                        /** @description The market, on the same decisions (mean squared error, 6 decimals; lower is better) */
                                        market: number | null;
                                    };
                                };
                            };
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{id}/decisions/{marketId}/outcome": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Report the outcome of a decision */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    marketId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description Outcome index, label (case-insensitive) or id
                         * @example YES
                         * @example 0
                         */
                        outcome?: number | string;
                        /**
                         * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                         * @example -3.25
                         */
                        value?: string;
                        evidence: {
                            /** Format: uri */
                            url?: string;
                            note?: string;
                            files?: string[];
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            slug: string;
                            question: string;
                            description: string;
                            /** @enum {string} */
                            kind: "binary" | "categorical" | "scalar";
                            /** @enum {string} */
                            status: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                            /** Format: uuid */
                            creator_id: string;
                            /** Format: uuid */
                            resolver_id: string;
                            outcomes: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                            }[];
                            scalar: {
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                lo: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                hi: string;
                                unit: string | null;
                            } | null;
                            fee_bps: number;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            subsidy_per_branch: string;
                            /** @description Prices of the first (for plain markets, only) branch */
                            prices: number[];
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            volume: string;
                            traders: number;
                            branches: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                                /** @enum {string} */
                                status: "open" | "closed" | "voided" | "settled";
                                prices: number[];
                                shares_outstanding: string[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                subsidy: string;
                                /** @description LMSR b = subsidy / ln(outcomes), in credits */
                                liquidity: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                escrow: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                volume: string;
                                trades: number;
                                traders: number;
                                last_trade_at: string | null;
                            }[];
                            /** Format: date-time */
                            close_at: string;
                            closed_at: string | null;
                            decide_at: string | null;
                            resolution: {
                                outcome: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                } | null;
                                value: string | null;
                                evidence: {
                                    [key: string]: unknown;
                                } | null;
                                resolved_by: string | null;
                                /** Format: date-time */
                                resolved_at: string;
                                dispute_until: string | null;
                            } | null;
                            finalized_at: string | null;
                            voided_at: string | null;
                            void_reason: string | null;
                            /** Format: date-time */
                            created_at: string;
                            decision?: components["schemas"]["DecisionView"] | null;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request understood but refused */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/decide": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Decide a decision market now */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            slug: string;
                            question: string;
                            description: string;
                            /** @enum {string} */
                            kind: "binary" | "categorical" | "scalar";
                            /** @enum {string} */
                            status: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                            /** Format: uuid */
                            creator_id: string;
                            /** Format: uuid */
                            resolver_id: string;
                            outcomes: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                            }[];
                            scalar: {
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                lo: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                hi: string;
                                unit: string | null;
                            } | null;
                            fee_bps: number;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            subsidy_per_branch: string;
                            /** @description Prices of the first (for plain markets, only) branch */
                            prices: number[];
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            volume: string;
                            traders: number;
                            branches: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                                /** @enum {string} */
                                status: "open" | "closed" | "voided" | "settled";
                                prices: number[];
                                shares_outstanding: string[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                subsidy: string;
                                /** @description LMSR b = subsidy / ln(outcomes), in credits */
                                liquidity: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                escrow: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                volume: string;
                                trades: number;
                                traders: number;
                                last_trade_at: string | null;
                            }[];
                            /** Format: date-time */
                            close_at: string;
                            closed_at: string | null;
                            decide_at: string | null;
                            resolution: {
                                outcome: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                } | null;
                                value: string | null;
                                evidence: {
                                    [key: string]: unknown;
                                } | null;
                                resolved_by: string | null;
                                /** Format: date-time */
                                resolved_at: string;
                                dispute_until: string | null;
                            } | null;
                            finalized_at: string | null;
                            voided_at: string | null;
                            void_reason: string | null;
                            /** Format: date-time */
                            created_at: string;
                            decision?: components["schemas"]["DecisionView"] | null;
                        };
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request understood but refused */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/proposals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A decision's proposals */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: uuid */
                                id: string;
                                /** Format: uuid */
                                market_id: string;
                                /** @description The proposer's username */
                                proposer: string | null;
                                label: string;
                                description: string;
                                /** @enum {string} */
                                status: "pending" | "admitted" | "rejected";
                                reviewed_at: string | null;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                        };
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Propose an action for a decision */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        label: string;
                        description?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            /** Format: uuid */
                            market_id: string;
                            /** @description The proposer's username */
                            proposer: string | null;
                            label: string;
                            description: string;
                            /** @enum {string} */
                            status: "pending" | "admitted" | "rejected";
                            reviewed_at: string | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/proposals/{proposalId}/review": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Admit or reject a proposal (the operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                    proposalId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        status: "admitted" | "rejected";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            /** Format: uuid */
                            market_id: string;
                            /** @description The proposer's username */
                            proposer: string | null;
                            label: string;
                            description: string;
                            /** @enum {string} */
                            status: "pending" | "admitted" | "rejected";
                            reviewed_at: string | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/open": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Open a proposing decision market (the operator)
         * @description Admitted proposals become branches, escrowed from your cash; trading starts; decide_at is set.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            slug: string;
                            question: string;
                            description: string;
                            /** @enum {string} */
                            kind: "binary" | "categorical" | "scalar";
                            /** @enum {string} */
                            status: "preparing" | "proposing" | "open" | "closed" | "decided" | "resolved" | "finalized" | "voided";
                            /** Format: uuid */
                            creator_id: string;
                            /** Format: uuid */
                            resolver_id: string;
                            outcomes: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                            }[];
                            scalar: {
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                lo: string;
                                /**
                                 * @description A decimal number as a JSON string with at most 6 decimals, may be negative, e.g. "-3.25"
                                 * @example -3.25
                                 */
                                hi: string;
                                unit: string | null;
                            } | null;
                            fee_bps: number;
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            subsidy_per_branch: string;
                            /** @description Prices of the first (for plain markets, only) branch */
                            prices: number[];
                            /**
                             * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                             * @example 12.5
                             */
                            volume: string;
                            traders: number;
                            branches: {
                                /** Format: uuid */
                                id: string;
                                index: number;
                                label: string;
                                /** @enum {string} */
                                status: "open" | "closed" | "voided" | "settled";
                                prices: number[];
                                shares_outstanding: string[];
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                subsidy: string;
                                /** @description LMSR b = subsidy / ln(outcomes), in credits */
                                liquidity: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                escrow: string;
                                /**
                                 * @description A decimal amount as a JSON string (a JSON number is refused) with at most 6 decimals, e.g. "12.5"
                                 * @example 12.5
                                 */
                                volume: string;
                                trades: number;
                                traders: number;
                                last_trade_at: string | null;
                            }[];
                            /** Format: date-time */
                            close_at: string;
                            closed_at: string | null;
                            decide_at: string | null;
                            resolution: {
                                outcome: {
                                    /** Format: uuid */
                                    id: string;
                                    index: number;
                                    label: string;
                                } | null;
                                value: string | null;
                                evidence: {
                                    [key: string]: unknown;
                                } | null;
                                resolved_by: string | null;
                                /** Format: date-time */
                                resolved_at: string;
                                dispute_until: string | null;
                            } | null;
                            finalized_at: string | null;
                            voided_at: string | null;
                            void_reason: string | null;
                            /** Format: date-time */
                            created_at: string;
                            decision?: components["schemas"]["DecisionView"] | null;
                        };
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request understood but refused */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ledger/anchors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Anchored batches of the ledger and the decision records
         * @description Every posting and every decision or resolution record is a leaf of one batch; a batch is final once its root is on the chain (status anchored).
         */
        get: {
            parameters: {
                query: {
                    limit: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description Consecutive from 1; the batch id on the contract */
                                id: string;
                                /** @description Inclusive sequence range; empty when last is first - 1 */
                                postings: {
                                    first: string;
                                    last: string;
                                };
                                /** @description Inclusive sequence range; empty when last is first - 1 */
                                records: {
                                    first: string;
                                    last: string;
                                };
                                leaf_count: number;
                                /** @description Poseidon Merkle root (0x hex felt) */
                                root: string;
                                /** @description local: computed and stored, not (yet) on a chain; submitted: a transaction is on its way; anchored: accepted by the chain (final); conflict: the chain holds another root for this id */
                                status: "local" | "submitted" | "anchored" | "conflict";
                                final: boolean;
                                transaction_hash: string | null;
                                finality: string | null;
                                block_number: number | null;
                                attempts: number;
                                last_error: string | null;
                                /** Format: date-time */
                                created_at: string;
                                submitted_at: string | null;
                                anchored_at: string | null;
                            }[];
                            next_cursor: string | null;
                            anchoring: {
                                unbatched_postings: string;
                                unbatched_records: string;
                                pending_batches: number;
                                conflicts: number;
                                last_anchored_batch: string | null;
                                /** @description Age of the oldest entry not yet in an anchored batch */
                                lag_seconds: number;
                            };
                            chain: {
                                contract_address: string | null;
                            };
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ledger/entries/{seq}/proof": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Proof that a ledger posting is anchored
         * @description The leaf, its plain fields, its path to the batch root and the batch on the chain. 409 proof_not_ready until the batch holding it has closed.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Sequence number
                     * @example 42
                     */
                    seq: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Checks offline with `decision-markets verify`, and against the chain with --rpc-url */
                            proof: {
                                /** @enum {number} */
                                version: 1;
                                kind: "posting" | "decision" | "resolution";
                                /** @description The leaf's plain fields; the verifier recomputes the leaf from them alone */
                                fields: {
                                    [key: string]: unknown;
                                };
                                /** @description The leaf hash (0x hex felt) */
                                leaf: string;
                                /** @description The leaf's position in its batch */
                                index: number;
                                leaf_count: number;
                                /** @description Siblings from the bottom up (OpenZeppelin verify_poseidon order) */
                                path: string[];
                                root: string;
                                batch_id: string;
                            };
                            batch: {
                                /** @description Consecutive from 1; the batch id on the contract */
                                id: string;
                                /** @description Inclusive sequence range; empty when last is first - 1 */
                                postings: {
                                    first: string;
                                    last: string;
                                };
                                /** @description Inclusive sequence range; empty when last is first - 1 */
                                records: {
                                    first: string;
                                    last: string;
                                };
                                leaf_count: number;
                                /** @description Poseidon Merkle root (0x hex felt) */
                                root: string;
                                /** @description local: computed and stored, not (yet) on a chain; submitted: a transaction is on its way; anchored: accepted by the chain (final); conflict: the chain holds another root for this id */
                                status: "local" | "submitted" | "anchored" | "conflict";
                                final: boolean;
                                transaction_hash: string | null;
                                finality: string | null;
                                block_number: number | null;
                                attempts: number;
                                last_error: string | null;
                                /** Format: date-time */
                                created_at: string;
                                submitted_at: string | null;
                                anchored_at: string | null;
                            };
                            chain: {
                                contract_address: string | null;
                            };
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ledger/records/{seq}/proof": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Proof that a decision or resolution record is anchored
         * @description The leaf, its plain fields, its path to the batch root and the batch on the chain. 409 proof_not_ready until the batch holding it has closed.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Sequence number
                     * @example 42
                     */
                    seq: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Checks offline with `decision-markets verify`, and against the chain with --rpc-url */
                            proof: {
                                /** @enum {number} */
                                version: 1;
                                kind: "posting" | "decision" | "resolution";
                                /** @description The leaf's plain fields; the verifier recomputes the leaf from them alone */
                                fields: {
                                    [key: string]: unknown;
                                };
                                /** @description The leaf hash (0x hex felt) */
                                leaf: string;
                                /** @description The leaf's position in its batch */
                                index: number;
                                leaf_count: number;
                                /** @description Siblings from the bottom up (OpenZeppelin verify_poseidon order) */
                                path: string[];
                                root: string;
                                batch_id: string;
                            };
                            batch: {
                                /** @description Consecutive from 1; the batch id on the contract */
                                id: string;
                                /** @description Inclusive sequence range; empty when last is first - 1 */
                                postings: {
                                    first: string;
                                    last: string;
                                };
                                /** @description Inclusive sequence range; empty when last is first - 1 */
                                records: {
                                    first: string;
                                    last: string;
                                };
                                leaf_count: number;
                                /** @description Poseidon Merkle root (0x hex felt) */
                                root: string;
                                /** @description local: computed and stored, not (yet) on a chain; submitted: a transaction is on its way; anchored: accepted by the chain (final); conflict: the chain holds another root for this id */
                                status: "local" | "submitted" | "anchored" | "conflict";
                                final: boolean;
                                transaction_hash: string | null;
                                finality: string | null;
                                block_number: number | null;
                                attempts: number;
                                last_error: string | null;
                                /** Format: date-time */
                                created_at: string;
                                submitted_at: string | null;
                                anchored_at: string | null;
                            };
                            chain: {
                                contract_address: string | null;
                            };
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/decision/proof": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Proof of a market's decision record
         * @description The leaf, its plain fields, its path to the batch root and the batch on the chain. 409 proof_not_ready until the batch holding it has closed.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Checks offline with `decision-markets verify`, and against the chain with --rpc-url */
                            proof: {
                                /** @enum {number} */
                                version: 1;
                                kind: "posting" | "decision" | "resolution";
                                /** @description The leaf's plain fields; the verifier recomputes the leaf from them alone */
                                fields: {
                                    [key: string]: unknown;
                                };
                                /** @description The leaf hash (0x hex felt) */
                                leaf: string;
                                /** @description The leaf's position in its batch */
                                index: number;
                                leaf_count: number;
                                /** @description Siblings from the bottom up (OpenZeppelin verify_poseidon order) */
                                path: string[];
                                root: string;
                                batch_id: string;
                            };
                            batch: {
                                /** @description Consecutive from 1; the batch id on the contract */
                                id: string;
                                /** @description Inclusive sequence range; empty when last is first - 1 */
                                postings: {
                                    first: string;
                                    last: string;
                                };
                                /** @description Inclusive sequence range; empty when last is first - 1 */
                                records: {
                                    first: string;
                                    last: string;
                                };
                                leaf_count: number;
                                /** @description Poseidon Merkle root (0x hex felt) */
                                root: string;
                                /** @description local: computed and stored, not (yet) on a chain; submitted: a transaction is on its way; anchored: accepted by the chain (final); conflict: the chain holds another root for this id */
                                status: "local" | "submitted" | "anchored" | "conflict";
                                final: boolean;
                                transaction_hash: string | null;
                                finality: string | null;
                                block_number: number | null;
                                attempts: number;
                                last_error: string | null;
                                /** Format: date-time */
                                created_at: string;
                                submitted_at: string | null;
                                anchored_at: string | null;
                            };
                            chain: {
                                contract_address: string | null;
                            };
                        };
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/markets/{market}/resolution/proof": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Proof of a market's latest resolution record (a changed resolution or a void is a new record)
         * @description The leaf, its plain fields, its path to the batch root and the batch on the chain. 409 proof_not_ready until the batch holding it has closed.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /**
                     * @description Market id (UUID) or slug
                     * @example will-it-rain-in-paris-tomorrow-1x2y3z
                     */
                    market: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Checks offline with `decision-markets verify`, and against the chain with --rpc-url */
                            proof: {
                                /** @enum {number} */
                                version: 1;
                                kind: "posting" | "decision" | "resolution";
                                /** @description The leaf's plain fields; the verifier recomputes the leaf from them alone */
                                fields: {
                                    [key: string]: unknown;
                                };
                                /** @description The leaf hash (0x hex felt) */
                                leaf: string;
                                /** @description The leaf's position in its batch */
                                index: number;
                                leaf_count: number;
                                /** @description Siblings from the bottom up (OpenZeppelin verify_poseidon order) */
                                path: string[];
                                root: string;
                                batch_id: string;
                            };
                            batch: {
                                /** @description Consecutive from 1; the batch id on the contract */
                                id: string;
                                /** @description Inclusive sequence range; empty when last is first - 1 */
                                postings: {
                                    first: string;
                                    last: string;
                                };
                                /** @description Inclusive sequence range; empty when last is first - 1 */
                                records: {
                                    first: string;
                                    last: string;
                                };
                                leaf_count: number;
                                /** @description Poseidon Merkle root (0x hex felt) */
                                root: string;
                                /** @description local: computed and stored, not (yet) on a chain; submitted: a transaction is on its way; anchored: accepted by the chain (final); conflict: the chain holds another root for this id */
                                status: "local" | "submitted" | "anchored" | "conflict";
                                final: boolean;
                                transaction_hash: string | null;
                                finality: string | null;
                                block_number: number | null;
                                attempts: number;
                                last_error: string | null;
                                /** Format: date-time */
                                created_at: string;
                                submitted_at: string | null;
                                anchored_at: string | null;
                            };
                            chain: {
                                contract_address: string | null;
                            };
                        };
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/ledger/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The ledger auditor: checkpoint, last run, open violations (admins) */
        get: {
            parameters: {
                query: {
                    limit: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            checkpoint: {
                                /** @description Every posting up to this seq has been checked */
                                checked_seq: string;
                                /** @description Last committed posting */
                                ledger_seq: string;
                                /** @description Postings committed and not yet checked */
                                behind: string;
                                checked_at: string | null;
                            };
                            last_run: {
                                /** Format: date-time */
                                at: string;
                                result: "ok" | "violation" | "error";
                                duration_ms: number;
                                /** @description Postings the run checked */
                                postings: string;
                                error: string | null;
                            } | null;
                            last_success_at: string | null;
                            open_violations: {
                                total: number;
                                by_invariant: {
                                    [key: string]: number;
                                };
                                /** @description Newest first, at most `limit` */
                                items: {
                                    id: string;
                                    /** @description The rule the ledger broke */
                                    invariant: "entry_balanced" | "balance_matches_postings" | "cash_nonnegative" | "escrow_covers_worst_case" | "position_matches_trades";
                                    /** @description What is wrong: 'entry:<id>', 'account:<id>', 'branch:<id>', … */
                                    subject: string;
                                    /** @description The journal entries that show it */
                                    entry_ids: string[];
                                    account_id: string | null;
                                    branch_id: string | null;
                                    market_id: string | null;
                                    user_id: string | null;
                                    detail: {
                                        [key: string]: unknown;
                                    };
                                    /** @description Posting range of the run that found it */
                                    found_in: {
                                        first: string;
                                        last: string;
                                    };
                                    /** Format: date-time */
                                    found_at: string;
                                    /** Format: date-time */
                                    last_seen_at: string;
                                }[];
                            };
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stream/sse": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One realtime channel as Server-Sent Events (resume with Last-Event-ID) */
        get: {
            parameters: {
                query: {
                    channel: string;
                };
                header?: {
                    "last-event-id"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description text/event-stream */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": string;
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Realtime feed (WebSocket; protocol in docs/realtime.md)
         * @description Connect with a WebSocket client. Channels: market:<id>, market:<id>:trades, markets, user. Every event carries a per-stream sequence number from the database; resume replays missed events. Close codes: 1001 going away (shutdown), 1008 policy, 1009 message too big, 4001 credential revoked (a `user` subscription), 4008 slow consumer.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Problem */
                426: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign up with email and password (GoTrue-compatible, auto-confirmed) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email?: string;
                        password?: string;
                        data?: {
                            [key: string]: unknown;
                        };
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description A session, as Supabase Auth returns it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description ES256 JWT with Supabase claims */
                            access_token: string;
                            /** @enum {string} */
                            token_type: "bearer";
                            /** @description Seconds */
                            expires_in: number;
                            /** @description Unix seconds */
                            expires_at: number;
                            /** @description Single use: each refresh returns a new one */
                            refresh_token: string;
                            user: components["schemas"]["GoTrueUser"];
                        };
                    };
                };
                /** @description GoTrue's error shape */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GoTrueError"];
                    };
                };
                /** @description GoTrue's error shape */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GoTrueError"];
                    };
                };
                /** @description GoTrue's error shape */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GoTrueError"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in with a password, or exchange a refresh token (rotated on use) */
        post: {
            parameters: {
                query?: {
                    grant_type?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email?: string;
                        password?: string;
                        data?: {
                            [key: string]: unknown;
                        };
                        refresh_token?: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description A session, as Supabase Auth returns it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description ES256 JWT with Supabase claims */
                            access_token: string;
                            /** @enum {string} */
                            token_type: "bearer";
                            /** @description Seconds */
                            expires_in: number;
                            /** @description Unix seconds */
                            expires_at: number;
                            /** @description Single use: each refresh returns a new one */
                            refresh_token: string;
                            user: components["schemas"]["GoTrueUser"];
                        };
                    };
                };
                /** @description GoTrue's error shape */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GoTrueError"];
                    };
                };
                /** @description GoTrue's error shape */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GoTrueError"];
                    };
                };
                /** @description GoTrue's error shape */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GoTrueError"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/user": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The user of the access token */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A user, as Supabase Auth returns it */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            aud: string;
                            role: string;
                            email: string;
                            email_confirmed_at: string | null;
                            phone: string;
                            confirmed_at: string | null;
                            last_sign_in_at: string | null;
                            app_metadata: {
                                [key: string]: unknown;
                            };
                            user_metadata: {
                                [key: string]: unknown;
                            };
                            identities: {
                                [key: string]: unknown;
                            }[];
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            is_anonymous: boolean;
                        };
                    };
                };
                /** @description GoTrue's error shape */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GoTrueError"];
                    };
                };
                /** @description GoTrue's error shape */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GoTrueError"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out this session (local), every session (global) or the others */
        post: {
            parameters: {
                query: {
                    scope: "global" | "local" | "others";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Signed out */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description GoTrue's error shape */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GoTrueError"];
                    };
                };
                /** @description GoTrue's error shape */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GoTrueError"];
                    };
                };
                /** @description GoTrue's error shape */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GoTrueError"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public signing keys (JWKS) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Public JWKs (ES256) */
                            keys: {
                                [key: string]: unknown;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/evidence": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload an evidence file
         * @description The file is the body, sent with its Content-Type; attach it by id to a resolution (`evidence.files`) or a dispute (`evidence_files`).
         */
        post: {
            parameters: {
                query?: {
                    filename?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            sha256: string;
                            /** @description Bytes, as a decimal string */
                            size: string;
                            content_type: string;
                            filename: string;
                            /** Format: uuid */
                            uploader_id: string;
                            /** @description Attached to a resolution or dispute (then public) */
                            attached: boolean;
                            /** Format: date-time */
                            created_at: string;
                            link: {
                                /** @description Signed link serving the bytes as an attachment */
                                url: string;
                                /** Format: date-time */
                                expires_at: string;
                            };
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not allowed */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "decision.made": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A decision market chose an action
         * @description Sent to the agent's webhook URL once the market has decided (delivery `webhook`).
         *
         *     **Signature (Standard Webhooks).** Every attempt is signed as standardwebhooks.com specifies, so the standard libraries verify it (`standardwebhooks` for TypeScript and Python, Svix’s libraries): `webhook-id` (the delivery id), `webhook-timestamp` (unix seconds of the attempt) and `webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<raw body>")>`. A secret the service generated (`whsec_` and standard base64) is given to the library as it is; a secret you chose, with the library’s raw format (`new Webhook(secret, { format: "raw" })`: its UTF-8 bytes are the key); a `whsec_` secret generated before these headers (URL-safe base64) after replacing `-` by `+` and `_` by `/`.
         *
         *     **Legacy signature.** Receivers written before the standard headers keep working: `DM-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is the lower-case hex HMAC-SHA256 of the string `<t>.<raw body>` (the exact bytes received, before any JSON parsing), keyed with the agent's webhook secret **verbatim** (the whole `whsec_…` string, prefix included, as UTF-8 bytes, not base64-decoded); compare in constant time.
         *
         *     **Timestamp.** `t` is when the attempt was made; each retry is signed afresh. Refuse a `t` more than 300 s from your clock (replays).
         *
         *     **Acknowledging.** Answer 2xx within WEBHOOK_TIMEOUT_MS (10000 ms) and nothing more is sent. Any other status, a redirect (not followed), a timeout or a refused connection counts as a failure.
         *
         *     **Retries.** Up to 10 attempts (WEBHOOK_MAX_ATTEMPTS). The first retry comes WEBHOOK_RETRY_DELAY_SECONDS (30 s) after the failed attempt, each later one twice the one before (30 s, 60 s, 120 s, …), give or take the worker's poll interval (QUEUE_POLL_INTERVAL_SECONDS). After the last failure the delivery is marked failed; GET /v1/agents/{id}/decisions shows its attempts. The same `DM-Delivery` id (and body `delivery_id`) comes on every attempt: drop duplicates by it.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Standard Webhooks: the delivery id, the same on every retry */
                    "webhook-id": string;
                    /** @description Standard Webhooks: unix seconds of this attempt */
                    "webhook-timestamp": string;
                    /** @description Standard Webhooks: `v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<raw body>` */
                    "webhook-signature": string;
                    /** @description Legacy: HMAC-SHA256 of `<t>.<raw body>` keyed with the webhook secret verbatim */
                    "DM-Signature": string;
                    /** @description Legacy: stable id of this delivery, the same on every retry */
                    "DM-Delivery": string;
                    /** @description The event: `decision.made` */
                    "DM-Event": "decision.made";
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @constant */
                        event: "decision.made";
                        /**
                         * Format: uuid
                         * @description The same on every attempt of this delivery (and in DM-Delivery): drop duplicates by it
                         */
                        delivery_id: string;
                        agent: {
                            /** Format: uuid */
                            id: string;
                            name: string;
                        };
                        market: {
                            /** Format: uuid */
                            id: string;
                            slug: string;
                            question: string;
                        };
                        /** @description The action the market chose: do this */
                        action: {
                            branch: number;
                            label: string | null;
                        };
                        /** @description The agent's default action */
                        default_action: {
                            branch: number;
                            label: string | null;
                        };
                        overrode_default: boolean;
                        /** @enum {string} */
                        reason: "best_beats_default" | "default_is_best" | "below_threshold" | "insufficient_traders" | "insufficient_volume";
                        explanation: string;
                        /** @description Each branch's decision score (lagging TWAP) at the decision */
                        scores: {
                            branch: number;
                            label: string;
                            score: number;
                        }[];
                        /** Format: date-time */
                        decided_at: string;
                        /** @description What the market's choice rests on */
                        evidence?: {
                            /** @description Distinct traders over all branches */
                            distinct_traders: number;
                            /** @description Credits traded over all branches (decimal string) */
                            total_volume: string;
                            /** @description The rule's threshold over the default action */
                            threshold_bps: number;
                            /** @description The best branch's score minus the default's */
                            margin: number;
                            /** Format: date-time */
                            window_start: string;
                            /** Format: date-time */
                            window_end: string;
                            branches: {
                                branch: number;
                                label: string;
                                /** @description Decision score (lagging TWAP) */
                                score: number;
                                /** @description The objective at the prices at the decision */
                                spot: number;
                                traders: number;
                                /** @description Credits traded on the branch (decimal string) */
                                volume: string;
                            }[];
                        };
                        /** @description The agent's own choice before the market opened (LLM agents); null without one */
                        prior?: {
                            branch: number;
                            label: string | null;
                            confidence: number | null;
                        } | null;
                        /** @description Whether the market chose otherwise than the prior; null without one */
                        overrode_prior?: boolean | null;
                    };
                };
            };
            responses: {
                /** @description Acknowledged: the delivery is done */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Anything else is a failure and the delivery is retried */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /** @description RFC 9457 problem details */
        Problem: {
            /**
             * @description URI identifying the problem type
             * @example urn:problem:not_found
             */
            type: string;
            title: string;
            status: number;
            detail?: string;
            /** @description The request path */
            instance?: string;
            /** @description Stable machine-readable error code */
            code: string;
            request_id?: string;
            errors?: {
                /** @description Where the problem is, e.g. /body/amount */
                field: string;
                message: string;
            }[];
        } & {
            [key: string]: unknown;
        };
        /** @description A user's public fields */
        PublicProfile: {
            username: string;
            display_name: string;
            /** Format: date-time */
            created_at: string;
        };
        /** @description The caller: profile, role and email */
        Me: {
            /** Format: uuid */
            id: string;
            email: string | null;
            username: string;
            display_name: string;
            role: "user" | "admin";
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        ApiKey: {
            /** Format: uuid */
            id: string;
            name: string;
            /** @description The start of the key, to tell keys apart */
            prefix: string;
            scopes: ("read" | "trade" | "agents")[];
            /** Format: date-time */
            created_at: string;
            /** @description Minute precision */
            last_used_at: string | null;
        };
        AuditEntry: {
            /** @description Increasing; newest first in lists */
            id: string;
            /** Format: date-time */
            occurred_at: string;
            actor_id: string | null;
            /** @description session, api_key, cli, system or anonymous */
            actor_kind: string;
            /**
             * @example auth.signed_in
             * @example api_key.created
             * @example role.granted
             */
            action: string;
            subject_type: string | null;
            subject_id: string | null;
            ip: string | null;
            user_agent: string | null;
            details: {
                [key: string]: unknown;
            };
        };
        /** @description Decision markets: the rule, live scores and, once decided, the result */
        DecisionView: {
            agent_id: string | null;
            /** Format: date-time */
            decide_at: string;
            default_branch: number;
            rule: {
                threshold_bps: number;
                min_traders: number;
                /**
                 * Format: amount
                 * @description Credits, a decimal string such as "12.5" (no leading zeros, at most 6 decimals)
                 * @example 12.5
                 */
                min_volume: string;
                twap_interval_seconds: number;
                twap_window_seconds: number | null;
                twap_max_step_bps: number;
                allow_early_decision: boolean;
            };
            utilities: number[] | null;
            /** @description The TWAP window the scores average (the decision's, or as of now); each observation is at GET /v1/markets/{id}/decision/observations */
            scoring: {
                /**
                 * Format: date-time
                 * @description Start of the observations' grid: when trading opened (after any proposing phase)
                 */
                opened_at: string;
                window_start: string | null;
                window_end: string | null;
            };
            scores: {
                branch: number;
                label: string;
                /** @description Lagging TWAP of the expected objective: what the rule compares */
                score: number;
                /** @description The expected objective at current prices */
                spot: number;
                observations: number;
                last_observation: number;
                traders: number;
                volume: string;
            }[];
            distinct_traders: number;
            total_volume: string;
            result: {
                chosen: {
                    branch: number;
                    label: string | null;
                };
                best: {
                    branch: number;
                    label: string | null;
                };
                /** @enum {string} */
                reason: "best_beats_default" | "default_is_best" | "below_threshold" | "insufficient_traders" | "insufficient_volume";
                explanation: string;
                /** Format: date-time */
                decided_at: string;
                decided_by: string | null;
            } | null;
            prior: {
                branch: number;
                action: string | null;
                confidence: number | null;
                rationale: string | null;
                model: string | null;
            } | null;
        };
        /** @description A user, as Supabase Auth returns it */
        GoTrueUser: {
            /** Format: uuid */
            id: string;
            aud: string;
            role: string;
            email: string;
            email_confirmed_at: string | null;
            phone: string;
            confirmed_at: string | null;
            last_sign_in_at: string | null;
            app_metadata: {
                [key: string]: unknown;
            };
            user_metadata: {
                [key: string]: unknown;
            };
            identities: {
                [key: string]: unknown;
            }[];
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            is_anonymous: boolean;
        };
        /** @description A session, as Supabase Auth returns it */
        GoTrueSession: {
            /** @description ES256 JWT with Supabase claims */
            access_token: string;
            /** @enum {string} */
            token_type: "bearer";
            /** @description Seconds */
            expires_in: number;
            /** @description Unix seconds */
            expires_at: number;
            /** @description Single use: each refresh returns a new one */
            refresh_token: string;
            user: components["schemas"]["GoTrueUser"];
        };
        /** @description GoTrue's error shape */
        GoTrueError: {
            /** @description GoTrue's error code (a string with X-Supabase-Api-Version: 2024-01-01, else the status) */
            code: string | number;
            message?: string;
            msg?: string;
            error_code?: string;
        } & {
            [key: string]: unknown;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
