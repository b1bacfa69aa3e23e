import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // Test files in one worker share loaded modules (jsdom, PGlite, BullMQ) instead of loading them
    // again per file: 64 s of imports became 12 s. Every test file owns its state (servers, queue
    // prefix, schema) and none mocks a module or changes process.env, so sharing is safe.
    isolate: false,
    // Integration tests share one Redis and one PostgreSQL; each file owns a unique prefix/schema,
    // but two cores do not gain from more than two forks running jsdom at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
