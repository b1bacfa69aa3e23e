import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration tests share one Redis and one PostgreSQL; each file owns a unique prefix/schema,
    // but two cores do not gain from more than two forks running jsdom at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
