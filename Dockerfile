# One image for every service; SERVICE picks which one runs (see docker-compose.yml and the README).
# Production dependencies only, no chdb (every service here talks to a ClickHouse server) and no runner:
# Node 24 runs the TypeScript sources with its own type stripping (ADR 13).
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# The dependency layer: the manifests and the lock only, so a source change does not reinstall.
COPY package.json package-lock.json ./
COPY packages/cli/package.json packages/cli/
COPY packages/clickhouse/package.json packages/clickhouse/
COPY packages/config/package.json packages/config/
COPY packages/errors/package.json packages/errors/
COPY packages/events/package.json packages/events/
COPY packages/http/package.json packages/http/
COPY packages/kafka/package.json packages/kafka/
COPY packages/observability/package.json packages/observability/
COPY packages/pipeline/package.json packages/pipeline/
COPY services/all-in-one/package.json services/all-in-one/
COPY services/api/package.json services/api/
COPY services/archive/package.json services/archive/
COPY services/delivery/package.json services/delivery/
COPY services/failures/package.json services/failures/
COPY services/ingress/package.json services/ingress/
COPY services/replies/package.json services/replies/
COPY tools/local-clickhouse/package.json tools/local-clickhouse/
COPY tools/local-kafka/package.json tools/local-kafka/
# --omit=optional leaves out chdb (embedded ClickHouse) and the pinned Node binary of `npm ci` on a
# workstation: the base image's Node is the runtime here.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund --ignore-scripts && npm cache clean --force
# The sources, after the dependencies (.dockerignore keeps every node_modules of the context out).
COPY packages ./packages
COPY services ./services
COPY tools ./tools
# The code stays root's (read-only to the service); the one place it writes is its own.
RUN mkdir -p .data && chown node:node .data
USER node
# SERVICE is one of: ingress, delivery, replies, failures, archive, api. all-in-one runs too when
# KAFKA_BROKERS and CLICKHOUSE_URL are set (the image has neither Java for a local broker nor chdb).
ENV SERVICE=""
# A larger young generation: the consumers keep a unit or two of events alive at a time (ADR 7).
CMD ["sh", "-c", "if [ ! -f \"services/${SERVICE:-none}/src/index.ts\" ]; then echo \"set SERVICE to one of: ingress, delivery, replies, failures, archive, api (or all-in-one with KAFKA_BROKERS and CLICKHOUSE_URL)\" >&2; exit 2; fi; exec node --max-semi-space-size=64 \"services/${SERVICE}/src/index.ts\""]
