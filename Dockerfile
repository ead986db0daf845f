# The tenantscope service. tsx is a runtime dependency that runs the TypeScript directly, so the
# image has no build stage: it is the source plus production dependencies.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    TENANTSCOPE_LISTEN=0.0.0.0:9470
WORKDIR /app

# Dependencies first, so that a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .

# The demo simulator writes Odoo logs and backup results here and tenantscope reads them, through a
# shared named volume. Docker seeds a new named volume from the image's directory, owner included,
# so creating it here lets both containers use it as the unprivileged node user. The clusters'
# folders (deploy/fleet.compose.yaml) exist from the start: tenantscope refuses log paths in a
# directory that does not, and it may start before the simulator (or without the demo profile).
RUN mkdir -p /var/lib/tenantscope-sim/eu1 /var/lib/tenantscope-sim/us1 && chown -R node:node /var/lib/tenantscope-sim

USER node
EXPOSE 9470
CMD ["node", "bin/tenantscope.js", "start"]
