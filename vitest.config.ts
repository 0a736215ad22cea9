import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One copy of graphql for every importer (its .mjs and .js builds would otherwise both load).
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Each test file opens its own database (PGlite in memory, or a fresh PostgreSQL database).
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test receivers listen on 127.0.0.1: the webhook target rules (domain/webhooks/targets.ts) are
    // tested with an explicit policy in test/domain/webhook-targets.test.ts.
    env: { NODE_ENV: 'test', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
  },
});
