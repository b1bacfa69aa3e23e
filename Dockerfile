# The app image used by docker-compose.yml: one image, one worker (or the scheduler) per container.
FROM node:20.20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY src ./src
COPY workers ./workers
COPY config ./config
COPY tsconfig.json ./
USER node
# Node itself is the process (no npx/tsx wrapper), so SIGTERM reaches the workers' close handler;
# run with `docker run --init` (compose sets `init: true`) so a PID 1 reaps and forwards.
CMD ["node", "--import", "tsx", "workers/all.ts"]
