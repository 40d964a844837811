# Segugio API and worker image (one image, two commands). Build: docker build -t segugio .
# Node 22 LTS. The runtime stage carries production dependencies only (no tsx, no embedded PostgreSQL, no test
# tooling): the build stage compiles, bundles the workflows, then prunes the devDependencies before the copy.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm install --no-audit --no-fund
COPY . .
# `npm run build` = tsc + the prebuilt workflow bundle (dist/workflow-bundle.js) the worker loads in production.
RUN DATABASE_URL=postgresql://build@localhost/build npx prisma generate && npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production SEGUGIO_MODE=production HOST=0.0.0.0 PORT=3000 SEGUGIO_DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json /app/prisma.config.ts ./
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/data ./data
# The console's static files, where the compiled API looks for them (dist/api/../web).
COPY --from=build /app/web ./dist/web
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# Production mode refuses to start without the creditor identity (LETTERHEAD_*, SENDGRID_FROM) and
# SEGUGIO_PAYLOAD_KEY (32 bytes base64, the same for the API and the worker): pass them with `docker run -e` or compose.
# The worker: `node dist/worker/main.js` (runs dist/workflow-bundle.js); the operator's CLI: `node dist/scripts/cli.js`.
CMD ["node", "dist/api/server.js"]
