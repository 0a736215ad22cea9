// Fast bulk loading for both drivers, in COPY text format:
// - PostgreSQL: COPY … FROM STDIN streamed through postgres.js.
// - PGlite: COPY … FROM '/dev/blob'. Measured on 300k activity rows: 8.0 s, against 10.5 s for
//   multi-row parameterised INSERTs of 2,000 rows, so PGlite gets COPY too.
// COPY also accepts explicit values for GENERATED ALWAYS identity columns, which lets callers
// choose ids that other rows reference (then setval the sequence; see syncIdentitySequence).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite } from '@electric-sql/pglite';
import type postgres from 'postgres';

/** A Database from db/client.ts, or a seed session inside a transaction (session.ts). */
export interface BulkTarget {
  driver: 'pglite' | 'postgres';
  pg?: Pick<postgres.Sql, 'unsafe'>;
  lite?: Pick<PGlite, 'query'>;
}

/** Marks a value for a json/jsonb column (plain objects are JSON too; arrays mean PG arrays). */
export class Json {
  constructor(readonly value: unknown) {}
}

export const json = (value: unknown): Json => new Json(value);

export type CopyValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | null
  | undefined
  | Json
  | readonly (string | number | null)[]
  | Record<string, unknown>;

const needsEscape = /[\\\t\n\r]/;

/** COPY text format: backslash, tab, newline and carriage return are backslash-escaped. */
export function copyEscape(text: string): string {
  if (!needsEscape.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'));
}

const arrayElementNeedsQuotes = /[",\\{}\s]/;

function arrayLiteral(items: readonly (string | number | null)[]): string {
  const parts = items.map((item) => {
    if (item === null) return 'NULL';
    const text = String(item);
    if (text === '' || arrayElementNeedsQuotes.test(text) || text.toUpperCase() === 'NULL') {
      return '"' + text.replace(/["\\]/g, '\\$&') + '"';
    }
    return text;
  });
  return '{' + parts.join(',') + '}';
}

/** One field in COPY text format; null and undefined become \N. */
export function copyField(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'string':
      return copyEscape(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`cannot COPY non-finite number ${value}`);
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 't' : 'f';
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Json) return copyEscape(JSON.stringify(value.value));
  if (Array.isArray(value)) return copyEscape(arrayLiteral(value));
  return copyEscape(JSON.stringify(value));
}

export function copyLine(row: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) line += (i === 0 ? '' : '\t') + copyField(row[i]);
  return line + '\n';
}

const quoteIdent = (name: string) => '"' + name.replace(/"/g, '""') + '"';

function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM ${source}`;
}

// Text is handed over in pieces of about this size: big enough to amortise calls, small enough
// not to double memory for a large chunk.
const PIECE_CHARS = 1 << 20;

function* textPieces(lines: Iterable<string>): Generator<string> {
  let piece = '';
  for (const line of lines) {
    piece += line;
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
}

function* encodeRows(rows: readonly (readonly CopyValue[])[]): Generator<string> {
  for (const row of rows) yield copyLine(row);
}

/** Inserts rows (values in `columns` order) with COPY; returns the number of rows written. */
export async function bulkInsert(
  database: BulkTarget,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly CopyValue[])[],
): Promise<number> {
  if (rows.length === 0) return 0;
  await copyText(database, table, columns, encodeRows(rows));
  return rows.length;
}

/** Like bulkInsert, for rows already encoded with copyLine (each ending in a newline). */
export async function bulkInsertLines(
  database: BulkTarget,
  table: string,
  columns: readonly string[],
  lines: readonly string[],
): Promise<number> {
  if (lines.length === 0) return 0;
  await copyText(database, table, columns, lines);
  return lines.length;
}

async function copyText(database: BulkTarget, table: string, columns: readonly string[], lines: Iterable<string>): Promise<void> {
  if (database.driver === 'postgres') {
    const pg = database.pg;
    if (!pg) throw new Error('postgres target without a postgres.js client');
    const writable = await pg.unsafe(copyStatement(table, columns, 'STDIN')).writable();
    await pipeline(Readable.from(textPieces(lines)), writable);
    return;
  }
  const lite = database.lite;
  if (!lite) throw new Error('pglite target without a PGlite instance or transaction');
  const blob = new Blob([...textPieces(lines)]);
  await lite.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob });
}

/** After inserting explicit ids into an identity column, moves its sequence past the largest id. */
export async function syncIdentitySequence(database: BulkTarget, table: string, column = 'id'): Promise<void> {
  const statement = `SELECT setval(pg_get_serial_sequence('${quoteIdent(table)}', '${column}'), coalesce(max(${quoteIdent(column)}), 0) + 1, false) FROM ${quoteIdent(table)}`;
  if (database.driver === 'postgres') await database.pg!.unsafe(statement);
  else await database.lite!.query(statement);
}
