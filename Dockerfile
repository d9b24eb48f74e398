# One image for every service; the command picks which one runs (see docker-compose.yml).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
COPY tools ./tools
RUN npm ci --no-audit --no-fund --omit=dev --include-workspace-root \
 && npm install --no-audit --no-fund --no-save tsx@4

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app /app
USER node
# SERVICE is one of: ingress, delivery, replies, failures, api, all-in-one
ENV SERVICE=all-in-one
# A larger young generation: the consumers keep a unit or two of events alive at a time (ADR 7).
CMD ["sh", "-c", "exec node --max-semi-space-size=64 --import tsx services/${SERVICE}/src/index.ts"]
