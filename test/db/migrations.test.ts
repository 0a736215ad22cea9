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

describe('migration 0004 on an existing database', () => {
  it('backfills one hand-off per move to MQL, links the clocks, and keeps one running clock per kind', async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const { readFileSync, writeFileSync } = await import('node:fs');
    // The migrations as they were before 0004, in a scratch folder.
    const before = mkdtempSync(join(root, '.tmp-migrations-'));
    const lite = new PGlite();
    try {
      cpSync(join(root, 'db/migrations'), before, { recursive: true });
      for (const f of readdirSync(before)) if (f.startsWith('0004')) rmSync(join(before, f));
      rmSync(join(before, 'meta/0004_snapshot.json'), { force: true });
      const journal = JSON.parse(readFileSync(join(before, 'meta/_journal.json'), 'utf8'));
      journal.entries = journal.entries.filter((e: { idx: number }) => e.idx < 4);
      writeFileSync(join(before, 'meta/_journal.json'), JSON.stringify(journal));
      const db = drizzle(lite);
      await migrate(db, { migrationsFolder: before });

      // An install with history: A accepted after a contact, B held for a phone, C rejected then
      // handed off again, D with two running response clocks (the old restart bug).
      await lite.exec(`
        insert into users (id, email, name, team, role) values ('00000000-0000-4000-8000-000000000001', 'rep@x.test', 'Rep', 'sales', 'sales');
        insert into sla_agreements (id, name, status) values ('00000000-0000-4000-8000-0000000000a1', 'Old SLA', 'draft');
        insert into agreement_revisions (id, agreement_id, number, status, time_zone) values ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000a1', 1, 'active', 'UTC');
        update sla_agreements set status = 'active', active_revision_id = '00000000-0000-4000-8000-0000000000b1';
        insert into sla_clock_rules (id, revision_id, clock, business_minutes) values
          ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000b1', 'response', 240),
          ('00000000-0000-4000-8000-0000000000c2', '00000000-0000-4000-8000-0000000000b1', 'acceptance', 480);
        insert into sla_clock_rules (id, revision_id, clock, stage, business_minutes) values
          ('00000000-0000-4000-8000-0000000000c3', '00000000-0000-4000-8000-0000000000b1', 'time_in_stage', 'mql', 2400);
        insert into leads (id, email, source, agreement_id, revision_id, owner_id, stage, handoff_status, handoff_missing_fields, handed_off_at) values
          ('00000000-0000-4000-8000-00000000000a', 'a@x.test', 'direct', '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-000000000001', 'sql', 'accepted', '{}', '2026-03-02 10:00Z'),
          ('00000000-0000-4000-8000-00000000000b', 'b@x.test', 'direct', '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b1', null, 'mql', 'held', '{phone}', null),
          ('00000000-0000-4000-8000-00000000000c', 'c@x.test', 'direct', '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-000000000001', 'mql', 'routed', '{}', '2026-03-10 10:00Z'),
          ('00000000-0000-4000-8000-00000000000d', 'd@x.test', 'direct', '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-000000000001', 'mql', 'routed', '{}', '2026-03-11 10:00Z'),
          ('00000000-0000-4000-8000-00000000000e', 'e@x.test', 'direct', '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b1', null, 'mql', 'none', '{}', null);
        insert into stage_transitions (lead_id, from_stage, to_stage, actor_type, actor_user_id, reason_code, occurred_at) values
          ('00000000-0000-4000-8000-00000000000a', 'lead', 'mql', 'system', null, null, '2026-03-02 10:00Z'),
          ('00000000-0000-4000-8000-00000000000a', 'mql', 'sql', 'user', '00000000-0000-4000-8000-000000000001', null, '2026-03-02 12:00Z'),
          ('00000000-0000-4000-8000-00000000000b', 'lead', 'mql', 'system', null, null, '2026-03-03 10:00Z'),
          ('00000000-0000-4000-8000-00000000000c', 'lead', 'mql', 'system', null, null, '2026-03-04 10:00Z'),
          ('00000000-0000-4000-8000-00000000000c', 'mql', 'recycled', 'user', '00000000-0000-4000-8000-000000000001', 'bad_timing', '2026-03-04 11:00Z'),
          ('00000000-0000-4000-8000-00000000000c', 'recycled', 'mql', 'system', null, null, '2026-03-10 09:59Z'),
          ('00000000-0000-4000-8000-00000000000d', 'lead', 'mql', 'system', null, null, '2026-03-11 10:00Z'),
          ('00000000-0000-4000-8000-00000000000e', 'lead', 'mql', 'user', '00000000-0000-4000-8000-000000000001', null, '2026-03-12 10:00Z');
        insert into contact_attempts (lead_id, user_id, channel, outcome, occurred_at, attempt_number) values
          ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-000000000001', 'phone', 'connected', '2026-03-02 11:00Z', 1);
        insert into sla_clocks (lead_id, rule_id, revision_id, clock, owner_id, status, started_at, due_at, stopped_at) values
          ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000b1', 'response', '00000000-0000-4000-8000-000000000001', 'met', '2026-03-02 10:00Z', '2026-03-02 14:00Z', '2026-03-02 11:00Z'),
          ('00000000-0000-4000-8000-00000000000c', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000b1', 'response', '00000000-0000-4000-8000-000000000001', 'cancelled', '2026-03-04 10:00Z', '2026-03-04 14:00Z', '2026-03-04 11:00Z'),
          ('00000000-0000-4000-8000-00000000000c', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000b1', 'response', '00000000-0000-4000-8000-000000000001', 'running', '2026-03-10 10:00Z', '2026-03-10 14:00Z', null),
          ('00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-0000000000c3', '00000000-0000-4000-8000-0000000000b1', 'time_in_stage', null, 'running', '2026-03-03 10:00Z', '2026-03-10 10:00Z', null),
          ('00000000-0000-4000-8000-00000000000d', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000b1', 'response', '00000000-0000-4000-8000-000000000001', 'running', '2026-03-11 10:00Z', '2026-03-11 14:00Z', null),
          ('00000000-0000-4000-8000-00000000000d', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000b1', 'response', '00000000-0000-4000-8000-000000000001', 'running', '2026-03-11 10:00Z', '2026-03-11 14:00Z', null);
      `);

      await migrate(db, { migrationsFolder: join(root, 'db/migrations') });

      const handoffs = (
        await lite.query<{ email: string; state: string; requested: string; handed_off: string | null; decided: string | null; first_contact: string | null; missing: string[]; clocks: number }>(
          `select l.email, h.state, to_char(h.requested_at at time zone 'UTC', 'MM-DD HH24:MI') as requested,
             to_char(h.handed_off_at at time zone 'UTC', 'MM-DD HH24:MI') as handed_off, to_char(h.decided_at at time zone 'UTC', 'MM-DD HH24:MI') as decided,
             to_char(h.first_contact_at at time zone 'UTC', 'MM-DD HH24:MI') as first_contact, h.missing_fields as missing,
             (select count(*)::int from sla_clocks c where c.handoff_id = h.id) as clocks
           from handoffs h join leads l on l.id = h.lead_id order by l.email, h.requested_at`,
        )
      ).rows;
      expect(handoffs).toEqual([
        { email: 'a@x.test', state: 'accepted', requested: '03-02 10:00', handed_off: '03-02 10:00', decided: '03-02 12:00', first_contact: '03-02 11:00', missing: [], clocks: 1 },
        { email: 'b@x.test', state: 'held', requested: '03-03 10:00', handed_off: null, decided: null, first_contact: null, missing: ['phone'], clocks: 0 },
        { email: 'c@x.test', state: 'rejected', requested: '03-04 10:00', handed_off: '03-04 10:00', decided: '03-04 11:00', first_contact: null, missing: [], clocks: 1 },
        { email: 'c@x.test', state: 'routed', requested: '03-10 09:59', handed_off: '03-10 10:00', decided: null, first_contact: null, missing: [], clocks: 1 },
        { email: 'd@x.test', state: 'routed', requested: '03-11 10:00', handed_off: '03-11 10:00', decided: null, first_contact: null, missing: [], clocks: 1 },
        // Moved to MQL by hand under the old code, never handed off: nothing open, nothing counted.
        { email: 'e@x.test', state: 'withdrawn', requested: '03-12 10:00', handed_off: null, decided: null, first_contact: null, missing: [], clocks: 0 },
      ]);
      const running = (await lite.query<{ n: number }>(`select count(*)::int as n from sla_clocks where status = 'running' and lead_id = '00000000-0000-4000-8000-00000000000d'`)).rows;
      expect(running).toEqual([{ n: 1 }]);
      const stuck = (await lite.query<{ stage: string }>(`select stage::text from sla_clocks where clock = 'time_in_stage'`)).rows;
      expect(stuck).toEqual([{ stage: 'mql' }]);
      // Moves written before this migration keep recorded_at null (read as occurred_at).
      const recorded = (await lite.query<{ n: number }>(`select count(*)::int as n from stage_transitions where recorded_at is not null`)).rows;
      expect(recorded).toEqual([{ n: 0 }]);
    } finally {
      await lite.close();
      rmSync(before, { recursive: true, force: true });
    }
  });
});
