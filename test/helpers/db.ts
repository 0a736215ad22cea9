import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../db/client';

/**
 * A migrated database for one test file: PGlite in memory by default, or, when TEST_DATABASE_URL
 * is set, a freshly created PostgreSQL database on that server, dropped by `dispose`.
 */
export async function openTestDatabase(): Promise<Database & { dispose(): Promise<void>; url?: string }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const database = openDatabase({ dataDir: 'memory' });
    await database.migrate();
    return Object.assign(database, { dispose: () => database.close() });
  }
  const name = `sla_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = openDatabase({ url: url.toString(), maxConnections: 10 });
  await database.migrate();
  return Object.assign(database, {
    url: url.toString(),
    async dispose() {
      await database.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  });
}

/** Records the SQL statements Drizzle sends while `work` runs. */
export async function captureStatements<T>(database: Database, work: () => Promise<T>) {
  const statements: string[] = [];
  const stop = database.onQuery((query) => statements.push(query));
  try {
    const result = await work();
    return { result, statements };
  } finally {
    stop();
  }
}
