# syntax=docker/dockerfile:1
#
# The project's long-running Node processes, the worker and the gateway, from one image. The command picks
# which one runs:
#   docker run IMAGE                              -> node dist/worker/main.js (the default)
#   docker run IMAGE node dist/gateway/main.js    -> the gateway (set FINOPS_GATEWAY_PORT, default 8080)
# Configuration comes only from the environment (see src/config.ts and docker-compose.yml); the image holds
# no credentials.
#
# Debian (glibc) rather than Alpine: the Temporal SDK's native core (@temporalio/core-bridge) and the workflow
# bundler's SWC compiler ship prebuilt binaries for glibc.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: compile TypeScript to dist/ -------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- deps: production dependencies only --------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime -----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# In a container the gateway must listen beyond the container's loopback.
ENV NODE_ENV=production \
    FINOPS_GATEWAY_HOST=0.0.0.0
WORKDIR /app
# Files stay owned by root: the process, running as the image's unprivileged "node" user, cannot change them.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# The gateway's port; the worker listens on nothing.
EXPOSE 8080
CMD ["node", "dist/worker/main.js"]
