// Reads the database part of the environment; api/config.ts reads the rest.
export function databaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env) {
  return {
    url: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR || './.data',
    maxConnections: env.DATABASE_POOL_SIZE ? Number(env.DATABASE_POOL_SIZE) : undefined,
    statementTimeoutMs: env.STATEMENT_TIMEOUT_MS ? Number(env.STATEMENT_TIMEOUT_MS) : 15_000,
  };
}
