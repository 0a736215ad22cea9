import { openDatabase, type Database } from '../db/client';
import { databaseOptionsFromEnv } from '../db/config';

/** For command-line tools: open the configured database, migrate it, run `work`, close it. */
export async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const database = openDatabase(databaseOptionsFromEnv());
  try {
    await database.migrate();
    return await work(database);
  } finally {
    await database.close();
  }
}
