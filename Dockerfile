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
CMD ["npx", "tsx", "workers/all.ts"]
