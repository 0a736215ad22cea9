import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { isDatabaseEmpty, resetDatabase, seedDemoData, type SeedSummary } from '../../db/seed/index';
import { openTestDatabase } from '../helpers/db';
import { checkComplete, checkDocument } from '../../domain/agreements/checks';
import { readDocument } from '../../domain/agreements/store';
import { loadRevisionRules, reconcileScores } from '../../domain/scoring/reconcile';
import { TransactionRollbackError } from 'drizzle-orm';

// A small seed is enough to check the invariants the generator promises at any size.
const now = new Date('2026-03-15T00:00:00Z');
const leads = 1_500;

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let summary: SeedSummary;

const one = async <T>(query: string) => (await rows<T>(database.db, sql.raw(query)))[0]!;
const count = async (query: string) => Number((await one<{ n: number | string }>(query)).n);

// A fingerprint of the generated data, to compare two runs.
const fingerprint = () =>
  one<{ leads: string; activities: string; ledger: string }>(`
    SELECT
      (SELECT md5(string_agg(concat_ws('|', id, email, stage, fit_score, interest_score, owner_id, created_at), ',' ORDER BY id)) FROM leads) AS leads,
      (SELECT md5(string_agg(concat_ws('|', id, lead_id, type, occurred_at, properties::text), ',' ORDER BY id)) FROM activities) AS activities,
      (SELECT md5(string_agg(concat_ws('|', lead_id, rule_id, activity_id, points, occurred_at), ',' ORDER BY lead_id, occurred_at, rule_id)) FROM score_ledger) AS ledger`);

beforeAll(async () => {
  database = await openTestDatabase();
  expect(await isDatabaseEmpty(database)).toBe(true);
  summary = await seedDemoData(database, { leads, now });
}, 120_000);

afterAll(async () => {
  await database?.dispose();
});

describe('seedDemoData', () => {
  it('writes what the summary says', async () => {
    expect(summary.leads).toBe(leads);
    expect(summary.users).toBe(50);
    expect(summary.accounts).toBe(150);
    expect(summary.trafficDays).toBe(365);
    expect(await count('SELECT count(*) AS n FROM leads')).toBe(leads);
    expect(await count('SELECT count(*) AS n FROM activities')).toBe(summary.activities);
    expect(await count('SELECT count(*) AS n FROM score_ledger')).toBe(summary.ledgerRows);
    expect(await count('SELECT count(*) AS n FROM stage_transitions')).toBe(summary.transitions);
    expect(await count('SELECT count(*) AS n FROM contact_attempts')).toBe(summary.attempts);
    expect(await count('SELECT count(*) AS n FROM opportunities')).toBe(summary.opportunities);
    expect(summary.activities / leads).toBeGreaterThan(8);
    expect(await isDatabaseEmpty(database)).toBe(false);
  });

  it('creates one active agreement whose revision every lead uses', async () => {
    const agreement = await one<{ status: string; revision_status: string; name: string }>(
      `SELECT a.status, r.status AS revision_status, a.name FROM sla_agreements a JOIN agreement_revisions r ON r.id = a.active_revision_id`,
    );
    expect(agreement).toEqual({ status: 'active', revision_status: 'active', name: 'Marketing ↔ Sales SLA 2026' });
    expect(await count(`SELECT count(*) AS n FROM leads l JOIN sla_agreements a ON a.id = l.agreement_id WHERE l.revision_id IS DISTINCT FROM a.active_revision_id`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM users WHERE email = 'admin@example.com' AND role = 'admin'`)).toBe(1);
  });

  it("keeps each lead's stage equal to its last transition, starting from a system 'lead' row", async () => {
    expect(
      await count(`
        SELECT count(*) AS n FROM leads l
        JOIN LATERAL (SELECT to_stage, occurred_at FROM stage_transitions t WHERE t.lead_id = l.id ORDER BY occurred_at DESC, id DESC LIMIT 1) last ON true
        WHERE last.to_stage <> l.stage OR last.occurred_at <> l.stage_changed_at`),
    ).toBe(0);
    expect(
      await count(`SELECT count(*) AS n FROM leads l WHERE NOT EXISTS (
        SELECT 1 FROM stage_transitions t WHERE t.lead_id = l.id AND t.from_stage IS NULL AND t.to_stage = 'lead' AND t.actor_type = 'system')`),
    ).toBe(0);
  });

  it('only moves leads along allowed transitions, with a reason code where one is required', async () => {
    expect(
      await count(`SELECT count(*) AS n FROM stage_transitions t WHERE t.from_stage IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM stage_transition_rules r WHERE r.revision_id = t.revision_id AND r.from_stage = t.from_stage AND r.to_stage = t.to_stage)`),
    ).toBe(0);
    expect(
      await count(`SELECT count(*) AS n FROM stage_transitions t JOIN stage_transition_rules r
        ON r.revision_id = t.revision_id AND r.from_stage = t.from_stage AND r.to_stage = t.to_stage
        WHERE r.requires_reason AND t.reason_code IS NULL`),
    ).toBe(0);
    // Sales acts on hand-offs, Marketing on leads it weeds out.
    expect(
      await count(`SELECT count(*) AS n FROM stage_transitions t JOIN users u ON u.id = t.actor_user_id
        WHERE (t.to_stage IN ('sql', 'opportunity', 'customer') OR t.from_stage IN ('mql', 'sql', 'opportunity')) AND u.team <> 'sales'`),
    ).toBe(0);
  });

  it('stores scores equal to the ledger: fit as a sum, interest decayed to now', async () => {
    expect(
      await count(`SELECT count(*) AS n FROM leads l
        LEFT JOIN (SELECT lead_id, sum(points) AS s FROM score_ledger WHERE dimension = 'fit' GROUP BY 1) f ON f.lead_id = l.id
        WHERE coalesce(f.s, 0) <> l.fit_score`),
    ).toBe(0);
    expect(
      await count(`SELECT count(*) AS n FROM leads l
        LEFT JOIN (
          SELECT lead_id, round(sum(points * CASE WHEN decay_half_life_days IS NULL THEN 1
            ELSE power(0.5, extract(epoch FROM (timestamptz '${now.toISOString()}' - occurred_at)) / 86400.0 / decay_half_life_days) END)) AS s
          FROM score_ledger WHERE dimension = 'interest' GROUP BY 1) i ON i.lead_id = l.id
        WHERE coalesce(i.s, 0) <> l.interest_score`),
    ).toBe(0);
    // Every interest row is a real rule applied to a real activity; fit rows have no activity.
    expect(
      await count(`SELECT count(*) AS n FROM score_ledger s LEFT JOIN scoring_rules r ON r.id = s.rule_id
        WHERE r.id IS NULL OR r.dimension <> s.dimension
          OR (s.dimension = 'interest' AND (s.activity_id IS NULL OR s.reason <> 'interest_rule' OR s.decay_half_life_days IS DISTINCT FROM r.decay_half_life_days))
          OR (s.dimension = 'fit' AND (s.activity_id IS NOT NULL OR s.reason <> 'fit_rule'))`),
    ).toBe(0);
    expect(
      await count(`SELECT count(*) AS n FROM score_ledger s JOIN activities a ON a.id = s.activity_id
        JOIN scoring_rules r ON r.id = s.rule_id WHERE a.type <> r.activity_type OR a.lead_id <> s.lead_id OR a.occurred_at <> s.occurred_at`),
    ).toBe(0);
  });

  it('derives temperature and fit grade from the agreement', async () => {
    expect(
      await count(`SELECT count(*) AS n FROM leads l WHERE NOT EXISTS (
        SELECT 1 FROM temperature_bands b WHERE b.revision_id = l.revision_id AND b.temperature = l.temperature
          AND (l.fit_score + l.interest_score >= b.min_score OR b.min_score = (SELECT min(min_score) FROM temperature_bands WHERE revision_id = l.revision_id))
          AND (b.max_score IS NULL OR l.fit_score + l.interest_score < b.max_score))`),
    ).toBe(0);
    expect(
      await count(`SELECT count(*) AS n FROM leads l WHERE l.fit_grade <> (
        SELECT g.grade FROM fit_grades g WHERE g.revision_id = l.revision_id AND g.min_fit <= greatest(l.fit_score, 0) ORDER BY g.min_fit DESC LIMIT 1)`),
    ).toBe(0);
  });

  it('has a believable funnel', async () => {
    const funnel = await one<{ leads: number; mql: number; sql: number; opp: number }>(`
      SELECT count(*)::int AS leads,
        count(*) FILTER (WHERE EXISTS (SELECT 1 FROM stage_transitions t WHERE t.lead_id = l.id AND t.to_stage = 'mql'))::int AS mql,
        count(*) FILTER (WHERE EXISTS (SELECT 1 FROM stage_transitions t WHERE t.lead_id = l.id AND t.to_stage = 'sql'))::int AS sql,
        count(*) FILTER (WHERE EXISTS (SELECT 1 FROM stage_transitions t WHERE t.lead_id = l.id AND t.to_stage = 'opportunity'))::int AS opp
      FROM leads l`);
    expect(funnel.mql / funnel.leads).toBeGreaterThan(0.12);
    expect(funnel.mql / funnel.leads).toBeLessThan(0.3);
    expect(funnel.sql / funnel.mql).toBeGreaterThan(0.25);
    expect(funnel.sql / funnel.mql).toBeLessThan(0.55);
    expect(funnel.opp / funnel.sql).toBeGreaterThan(0.3);
    expect(funnel.opp / funnel.sql).toBeLessThan(0.7);
    const visitorRate = await one<{ rate: number | string }>(`SELECT (SELECT count(*) FROM leads)::float / (SELECT sum(visitors) FROM daily_traffic) AS rate`);
    expect(Number(visitorRate.rate)).toBeGreaterThan(0.015);
    expect(Number(visitorRate.rate)).toBeLessThan(0.025);
  });

  it('numbers contact attempts 1, 2, 3 … per hand-off and keeps opportunities consistent', async () => {
    expect(await count(`SELECT count(*) AS n FROM opportunities WHERE (status = 'open') <> (closed_at IS NULL)`)).toBe(0);
    expect(
      await count(`SELECT count(*) AS n FROM opportunities o WHERE pipeline_stage_key NOT IN (
        SELECT key FROM pipeline_stages p JOIN leads l ON l.revision_id = p.revision_id WHERE l.id = o.lead_id)`),
    ).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM contact_attempts WHERE attempt_number NOT BETWEEN 1 AND 6`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM leads WHERE lower(email) NOT LIKE '%@%'`)).toBe(0);
    // Ids come from the seeded PRNG but are still valid version-4 UUIDs.
    const v4 = `'^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'`;
    expect(await count(`SELECT count(*) AS n FROM (SELECT id FROM leads UNION ALL SELECT id FROM users UNION ALL SELECT id FROM opportunities UNION ALL SELECT id FROM scoring_rules) x WHERE id::text !~ ${v4}`)).toBe(0);
  });

  it('writes an agreement that passes every check the API applies', async () => {
    const [{ id }] = [await one<{ id: string }>(`SELECT active_revision_id AS id FROM sla_agreements`)];
    const doc = await readDocument(database.db, id);
    expect(checkDocument(doc)).toEqual([]);
    expect(checkComplete(doc)).toEqual([]);
    expect(doc.goals.length).toBeGreaterThan(0);
    expect(doc.nurtureWorkflows.length).toBe(3);
  });

  it('has ledgers the set-based scoring agrees with: re-scoring changes nothing', async () => {
    const { id } = await one<{ id: string }>(`SELECT active_revision_id AS id FROM sla_agreements`);
    const leadIds = (await rows<{ id: string }>(database.db, sql`SELECT id FROM leads ORDER BY id`)).map((r) => r.id);
    const rules = await loadRevisionRules(database.db, id);
    await database.db.transaction(async (tx) => {
      const result = await reconcileScores(tx, rules, leadIds, { at: now, qualify: false });
      expect({ added: result.pointsAdded, reversed: result.pointsReversed }).toEqual({ added: 0, reversed: 0 });
      tx.rollback();
    }).catch((error: unknown) => {
      if (!(error instanceof TransactionRollbackError)) throw error;
    });
  });

  it('is deterministic: the same seed and date give the same rows, and --reset empties the database', async () => {
    const first = await fingerprint();
    await resetDatabase(database);
    expect(await isDatabaseEmpty(database)).toBe(true);
    expect(await count('SELECT count(*) AS n FROM activities')).toBe(0);
    await seedDemoData(database, { leads, now });
    expect(await fingerprint()).toEqual(first);
  }, 120_000);
});
