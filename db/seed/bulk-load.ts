// Bulk-load mode: drop the secondary indexes and foreign keys of the tables about to be filled,
// load, then rebuild them — the way pg_restore does it. Building an index once is much cheaper
// than maintaining it row by row, and re-adding a foreign key checks all rows in one query (so
// integrity is still enforced by the database). The seed session is one transaction, so a
// failure rolls the DDL back with the data: the schema is never left without its indexes.
// Default seed on PGlite: 33 s with per-row checks and index upkeep, about half without.
import { sql } from 'drizzle-orm';
import { rows } from '../client';
import type { SeedSession } from './session';

interface Definition {
  name: string;
  table: string;
  definition: string;
}

const quote = (name: string) => '"' + name.replace(/"/g, '""') + '"';

async function run(session: SeedSession, statement: string): Promise<void> {
  await session.db.execute(sql.raw(statement));
}

export async function withBulkLoadMode<T>(
  session: SeedSession,
  tables: readonly string[],
  work: () => Promise<T>,
  onRebuild?: () => void,
): Promise<T> {
  const list = tables.map((t) => `'${t.replace(/'/g, "''")}'`).join(', ');
  // Indexes that back a primary key, unique or exclusion constraint stay (others point at them).
  const indexes = await rows<Definition>(
    session.db,
    sql.raw(`
      SELECT i.relname AS name, t.relname AS "table", pg_get_indexdef(i.oid) AS definition
      FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = current_schema() AND t.relname IN (${list})
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u', 'x'))
      ORDER BY 1`),
  );
  const foreignKeys = await rows<Definition>(
    session.db,
    sql.raw(`
      SELECT c.conname AS name, t.relname AS "table", pg_get_constraintdef(c.oid) AS definition
      FROM pg_constraint c
      JOIN pg_class t ON t.oid = c.conrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname IN (${list})
      ORDER BY 1`),
  );
  for (const fk of foreignKeys) await run(session, `ALTER TABLE ${quote(fk.table)} DROP CONSTRAINT ${quote(fk.name)}`);
  for (const index of indexes) await run(session, `DROP INDEX ${quote(index.name)}`);

  const result = await work();

  onRebuild?.();
  for (const index of indexes) await run(session, index.definition);
  for (const fk of foreignKeys) await run(session, `ALTER TABLE ${quote(fk.table)} ADD CONSTRAINT ${quote(fk.name)} ${fk.definition}`);
  return result;
}
