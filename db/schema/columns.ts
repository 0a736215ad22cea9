import { timestamp, uuid } from 'drizzle-orm/pg-core';

// Shared column helpers, spread into tables. Times are kept to the millisecond, the precision of a
// JavaScript Date: a value read, sent back (a cursor, an expected time) and compared is then the
// very value stored, on PostgreSQL (microseconds by default) as on PGlite.
const ms = { withTimezone: true, precision: 3 } as const;
export const uuidPk = () => uuid('id').primaryKey().defaultRandom();
export const createdAt = () => timestamp('created_at', ms).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', ms).notNull().defaultNow();
export const tstz = (name: string) => timestamp(name, ms);
