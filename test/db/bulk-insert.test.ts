import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { bulkInsert, copyField, copyLine, json } from '../../db/seed/bulk-insert';
import { openTestDatabase } from '../helpers/db';

let database: Awaited<ReturnType<typeof openTestDatabase>>;

beforeAll(async () => {
  database = await openTestDatabase();
  await database.db.execute(
    sql.raw(`CREATE TABLE copy_probe (id int PRIMARY KEY, label text, tags text[], doc jsonb, flag boolean, at timestamptz, big bigint)`),
  );
}, 60_000);

afterAll(async () => {
  await database?.dispose();
});

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, and writes NULL as \\N', () => {
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField(true)).toBe('t');
    expect(copyField(12.5)).toBe('12.5');
    expect(copyField(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678Z');
  });

  it('writes arrays as PostgreSQL array literals, quoting what needs it', () => {
    expect(copyField([])).toBe('{}');
    expect(copyField(['too_soon', 'after_max_span'])).toBe('{too_soon,after_max_span}');
    expect(copyField(['a b', 'c,d', 'say "hi"', '', 'NULL', null])).toBe('{"a b","c,d","say \\\\"hi\\\\"","","NULL",NULL}');
  });

  it('writes objects and json() values as JSON text', () => {
    expect(copyField({ url: '/pricing', n: 1 })).toBe('{"url":"/pricing","n":1}');
    expect(copyField(json(['a', 'b']))).toBe('["a","b"]');
    expect(copyLine([1, 'x', null])).toBe('1\tx\t\\N\n');
  });

  it('refuses numbers COPY cannot read back', () => {
    expect(() => copyField(Number.NaN)).toThrow(/non-finite/);
  });
});

describe('bulkInsert', () => {
  it('round-trips awkward values through COPY on this driver', async () => {
    const nasty = 'tab\there\nnew line\r\\back\\slash "quotes" \'single\' ↔ ünïcödé';
    const written = await bulkInsert(database, 'copy_probe', ['id', 'label', 'tags', 'doc', 'flag', 'at', 'big'], [
      [1, nasty, ['a b', 'c,d', 'say "hi"', 'back\\slash', '', null], { text: nasty, list: [1, 2], nested: { ok: true } }, true, '2026-03-01T12:00:00.000Z', 9_007_199_254_740_991n],
      [2, null, [], json([]), false, null, null],
      [3, '\\N', ['NULL'], json('just text'), null, new Date('2026-03-02T00:00:00Z'), 0],
    ]);
    expect(written).toBe(3);
    const back = await rows<{ id: number; label: string | null; tags: string; doc: string; flag: boolean | null; at: string | null; big: string | null }>(
      database.db,
      sql.raw(`SELECT id, label, array_to_json(tags)::text AS tags, doc::text AS doc, flag, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at, big::text AS big FROM copy_probe ORDER BY id`),
    );
    expect(back[0]).toEqual({
      id: 1,
      label: nasty,
      tags: JSON.stringify(['a b', 'c,d', 'say "hi"', 'back\\slash', '', null]),
      doc: JSON.stringify({ list: [1, 2], text: nasty, nested: { ok: true } }).replace(/,/g, ', ').replace(/":/g, '": '),
      flag: true,
      at: '2026-03-01 12:00:00',
      big: '9007199254740991',
    });
    expect(back[1]).toEqual({ id: 2, label: null, tags: '[]', doc: '[]', flag: false, at: null, big: null });
    expect(back[2]).toEqual({ id: 3, label: '\\N', tags: '["NULL"]', doc: '"just text"', flag: null, at: '2026-03-02 00:00:00', big: '0' });
  });

  it('writes nothing for no rows', async () => {
    expect(await bulkInsert(database, 'copy_probe', ['id'], [])).toBe(0);
  });
});
