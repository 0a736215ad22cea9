import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../db/client';
import * as schema from '../../db/schema/index';
import { openTestDatabase } from '../helpers/db';
import { getTableName, isTable } from 'drizzle-orm';

const root = new URL('../..', import.meta.url).pathname;

describe('migrations', () => {
  it('are current: drizzle-kit finds nothing to generate from db/schema', () => {
    // drizzle-kit wants a relative output folder, so the scratch copy lives inside the project.
    const scratch = mkdtempSync(join(root, '.tmp-migrations-'));
    try {
      cpSync(join(root, 'db/migrations'), scratch, { recursive: true });
      const before = readdirSync(scratch).length;
      const out = execFileSync(
        join(root, 'node_modules/.bin/drizzle-kit'),
        ['generate', '--dialect', 'postgresql', '--schema', './db/schema/index.ts', '--out', `./${scratch.slice(root.length)}`],
        { cwd: root, encoding: 'utf8' },
      );
      expect(out).toMatch(/No schema changes/);
      expect(readdirSync(scratch)).toHaveLength(before);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('create every table declared in db/schema', async () => {
    const database = await openTestDatabase();
    try {
      const declared = Object.values(schema)
        .filter((value) => isTable(value))
        .map((table) => getTableName(table as never))
        .sort();
      const created = (
        await rows<{ name: string }>(
          database.db,
          sql`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
        )
      ).map((r) => r.name);
      expect(declared.length).toBeGreaterThanOrEqual(40);
      expect(created).toEqual(declared);
    } finally {
      await database.dispose();
    }
  });
});
