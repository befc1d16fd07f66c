# Build: compile TypeScript to dist/, and bundle the vault into the one file dist/vault.js.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs ./scripts/
COPY src ./src
RUN npm run build

# Run: the bundle alone (it holds every dependency), as the unprivileged node user (uid 1000). The clients command's
# bundle comes along, so that service keys are made where the vault reads them: docker compose run --rm clients …
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/dist/vault.js ./dist/vault.js
COPY --from=build /app/dist/docs ./dist/docs
COPY --from=build /app/dist/cli/clients.js ./dist/cli/clients.js
USER node
EXPOSE 5000
# The young generation at its full size from the start (npm start has the same flag): left to V8, it starts small and
# shrinks again while the vault idles, and a burst of reads then (market open) promotes what is still in flight
# (README, Performance).
CMD ["node", "--min-semi-space-size=16", "dist/vault.js"]
