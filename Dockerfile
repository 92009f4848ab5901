# The API as an image, for the fleet in docker-compose.yml (and any orchestrator).
# Built from the repository as it is: `docker build -t lead-lifecycle .`
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles against Node's headers when no prebuilt binary fits.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The PostgreSQL migrations are plain SQL files read at start-up beside the code that runs them.
RUN npx nest build api && npx ts-node --transpile-only tools/copy-migrations.ts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
RUN npm prune --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
# The data folder holds personal data and data keys: owned by the unprivileged user that runs the API.
RUN mkdir -p /data && chown node:node /data
USER node
ENV DATA_DIR=/data PORT=3000
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
