import { and, eq, sql, type SQL } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { rows, type DbOrTx } from '../../db/client';
import { agreementRevisions, fitGrades, scoringRules, scoringSettings, stageTransitionRules, temperatureBands } from '../../db/schema/index';
import { endClocks } from '../clocks/sla-clocks';
import { activityPredicate, fitPredicate } from './sql';
import type { PropertyFilter, RuleOperator } from './rules';

// Scores are reconciled, never recomputed in place: for a set of leads, the points the rules award
// now are compared with the live ledger rows; missing awards are added and stale ones are reversed
// by a negating row. The ledger keeps its history and the lead's score always equals its sum.
// One code path serves ingestion (the leads of a batch), attribute changes and re-scoring (all
// leads, in batches), and every step is one set-based statement.

export interface RevisionRules {
  revisionId: string;
  fit: { id: string; key: string; attribute: string; operator: RuleOperator; value: unknown; points: number }[];
  interest: {
    id: string;
    key: string;
    activityType: string;
    propertyFilters: PropertyFilter[];
    points: number;
    repeatPolicy: 'once' | 'every_time' | 'max_per_period';
    repeatMax: number | null;
    repeatPeriodDays: number | null;
    decayHalfLifeDays: number | null;
  }[];
  mqlFitThreshold: number;
  mqlInterestThreshold: number;
  bands: { temperature: string; minScore: number; maxScore: number | null }[];
  grades: { grade: string; minFit: number }[];
  /** Stages from which the system may move a lead to MQL by itself. */
  autoMqlFrom: string[];
}

// The scoring rules of a revision in force never change (edits go to a draft): read once per process.
const rulesInForce = new LRUCache<string, RevisionRules>({ max: 256 });

/**
 * The scoring rules of a revision. `inForce`: the caller read the revision as its agreement's active
 * one (ingestion, lead changes, a re-score run); such a revision is immutable, and its rules come
 * from a per-process cache. Drafts (a backtest) are always read.
 */
export async function loadRevisionRules(db: DbOrTx, revisionId: string, options: { inForce?: boolean } = {}): Promise<RevisionRules> {
  if (!options.inForce) return readRevisionRules(db, revisionId);
  // Keyed by the activation too: an activation that rolled back leaves a draft that may still change.
  const [revision] = await db
    .select({ status: agreementRevisions.status, activatedAt: agreementRevisions.activatedAt })
    .from(agreementRevisions)
    .where(eq(agreementRevisions.id, revisionId));
  const key = `${revisionId}@${revision?.activatedAt?.getTime() ?? 'never'}`;
  let rules = rulesInForce.get(key);
  if (!rules) {
    rules = await readRevisionRules(db, revisionId);
    if ((revision?.status === 'active' || revision?.status === 'retired') && revision.activatedAt) rulesInForce.set(key, rules);
  }
  return rules;
}

async function readRevisionRules(db: DbOrTx, revisionId: string): Promise<RevisionRules> {
  const [rules, settings, bands, grades, moves] = await Promise.all([
    db.select().from(scoringRules).where(and(eq(scoringRules.revisionId, revisionId), eq(scoringRules.active, true))),
    db.select().from(scoringSettings).where(eq(scoringSettings.revisionId, revisionId)),
    db.select().from(temperatureBands).where(eq(temperatureBands.revisionId, revisionId)),
    db.select().from(fitGrades).where(eq(fitGrades.revisionId, revisionId)),
    db
      .select()
      .from(stageTransitionRules)
      .where(and(eq(stageTransitionRules.revisionId, revisionId), eq(stageTransitionRules.toStage, 'mql'), eq(stageTransitionRules.automatic, true))),
  ]);
  return {
    revisionId,
    fit: rules
      .filter((r) => r.dimension === 'fit' && r.attribute && r.operator)
      .map((r) => ({ id: r.id, key: r.key, attribute: r.attribute!, operator: r.operator!, value: r.value, points: r.points })),
    interest: rules
      .filter((r) => r.dimension === 'interest' && r.activityType)
      .map((r) => ({
        id: r.id,
        key: r.key,
        activityType: r.activityType!,
        propertyFilters: r.propertyFilters as PropertyFilter[],
        points: r.points,
        repeatPolicy: r.repeatPolicy,
        repeatMax: r.repeatMax,
        repeatPeriodDays: r.repeatPeriodDays,
        decayHalfLifeDays: r.decayHalfLifeDays,
      })),
    mqlFitThreshold: settings[0]?.mqlFitThreshold ?? Number.MAX_SAFE_INTEGER,
    mqlInterestThreshold: settings[0]?.mqlInterestThreshold ?? Number.MAX_SAFE_INTEGER,
    bands: bands.map((b) => ({ temperature: b.temperature, minScore: b.minScore, maxScore: b.maxScore })),
    grades: grades.map((g) => ({ grade: g.grade, minFit: g.minFit })),
    autoMqlFrom: moves.map((m) => m.fromStage),
  };
}

const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

/**
 * Everything of a scoring rule that decides what it awards, as a row value of alias `a`: two rules
 * with the same key and the same definition give the same points to the same leads.
 */
function ruleDefinition(alias: string): SQL {
  const columns = ['dimension', 'attribute', 'operator', 'value', 'activity_type', 'property_filters', 'points', 'repeat_policy', 'repeat_max', 'repeat_period_days', 'decay_half_life_days'];
  return sql.raw(`(${columns.map((c) => `${alias}.${c}`).join(', ')})`);
}

/**
 * Live rows: points given by a rule and not taken back. A row given by a rule of another revision
 * counts as given by the rule of `revision` with the same key and the same definition (rules are
 * copied into every revision): a new revision that changes one rule reconciles that rule's rows
 * only, and every other row stays as it is. `ledger_rule_id` is the rule that gave the row.
 */
const live = (leadIds: SQL, dimension: 'fit' | 'interest', revision: SQL, ruleKeys?: readonly string[]) => sql`
  select s.id, s.lead_id, coalesce(c.id, s.rule_id) as rule_id, s.rule_id as ledger_rule_id, s.activity_id, s.points, s.decay_half_life_days, s.occurred_at, s.dimension
  from score_ledger s
  left join scoring_rules o on o.id = s.rule_id and o.revision_id <> ${revision}
  left join scoring_rules c on c.revision_id = ${revision} and c.active and c.key = o.key
    and ${ruleDefinition('c')} is not distinct from ${ruleDefinition('o')}
  where s.lead_id = any(${leadIds}) and s.dimension = ${dimension} and s.reason in ('fit_rule', 'interest_rule')
    ${ruleKeys ? sql`and s.rule_id in (select k.id from scoring_rules k where k.key = any(${`{${ruleKeys.map((k) => JSON.stringify(k)).join(',')}}`}::text[]))` : sql``}
    and not exists (select 1 from score_ledger r where r.reverses_id = s.id)`;

/**
 * The fit points every rule awards each lead now. `leadRows` names a relation of the leads'
 * rows already read once (a CTE); without it every rule reads the leads itself.
 */
export function fitAwards(rules: RevisionRules, leadIds: SQL, leadRows?: SQL): SQL {
  if (rules.fit.length === 0) return sql`select null::uuid as lead_id, null::uuid as rule_id, 0 as points where false`;
  const from = leadRows ? sql`${leadRows} l where true` : sql`leads l where l.id = any(${leadIds})`;
  return sql.join(
    rules.fit.map((rule) => sql`select l.id as lead_id, ${rule.id}::uuid as rule_id, ${rule.points}::int as points from ${from} and ${fitPredicate(rule)}`),
    sql` union all `,
  );
}

/**
 * The activities each interest rule awards, with the repeat policy applied in order of time.
 * `activityRows` names a relation of the leads' activities already read once (a CTE).
 */
export function interestAwards(rules: RevisionRules, leadIds: SQL, activityRows?: SQL): SQL {
  if (rules.interest.length === 0)
    return sql`select null::uuid as lead_id, null::uuid as rule_id, null::bigint as activity_id, 0 as points, null::int as decay_half_life_days, null::timestamptz as occurred_at where false`;
  return sql.join(
    rules.interest.map((rule) => {
      const from = activityRows ? sql`${activityRows} a where true` : sql`activities a where a.lead_id = any(${leadIds})`;
      const matched = sql`select a.lead_id, a.id as activity_id, a.occurred_at from ${from} and ${activityPredicate(rule)}`;
      let awarded: SQL;
      if (rule.repeatPolicy === 'every_time') awarded = matched;
      else if (rule.repeatPolicy === 'once') {
        awarded = sql`select lead_id, activity_id, occurred_at from (select m.*, row_number() over (partition by m.lead_id order by m.occurred_at, m.activity_id) as n from (${matched}) m) o where o.n = 1`;
      } else {
        // At most N awards in each period, periods counted from the lead's first matching activity.
        const periodSeconds = (rule.repeatPeriodDays ?? 1) * 86_400;
        awarded = sql`select lead_id, activity_id, occurred_at from (
            select b.*, row_number() over (partition by b.lead_id, b.bucket order by b.occurred_at, b.activity_id) as n
            from (select m.*, floor(extract(epoch from m.occurred_at - min(m.occurred_at) over (partition by m.lead_id)) / ${periodSeconds}) as bucket
                  from (${matched}) m) b
          ) p where p.n <= ${rule.repeatMax ?? 1}`;
      }
      return sql`select w.lead_id, ${rule.id}::uuid as rule_id, w.activity_id, ${rule.points}::int as points, ${rule.decayHalfLifeDays}::int as decay_half_life_days, w.occurred_at from (${awarded}) w`;
    }),
    sql` union all `,
  );
}

/** The decayed sum of a lead's interest rows at `at`, rounded half away from zero (as roundScore). */
export function interestSumSql(at: SQL, alias = 's'): SQL {
  const s = sql.raw(alias);
  return sql`round(coalesce(sum(case when ${s}.dimension = 'interest' then ${s}.points * case when ${s}.decay_half_life_days is null then 1 else power(0.5::float8, greatest(0, extract(epoch from (${at}) - ${s}.occurred_at)) / 86400.0 / ${s}.decay_half_life_days) end end), 0)::numeric)::int`;
}

function bandCase(rules: RevisionRules, score: SQL): SQL {
  const bands = [...rules.bands].sort((a, b) => a.minScore - b.minScore);
  if (bands.length === 0) return sql`'cold'::temperature`;
  const whens = bands.map((b) =>
    b.maxScore == null ? sql`when ${score} >= ${b.minScore} then ${b.temperature}` : sql`when ${score} >= ${b.minScore} and ${score} < ${b.maxScore} then ${b.temperature}`,
  );
  return sql`(case ${sql.join(whens, sql` `)} when ${score} < ${bands[0]!.minScore} then ${bands[0]!.temperature} else ${bands[bands.length - 1]!.temperature} end)::temperature`;
}

function gradeCase(rules: RevisionRules, fit: SQL): SQL {
  const grades = [...rules.grades].sort((a, b) => b.minFit - a.minFit);
  if (grades.length === 0) return sql`'D'::fit_grade`;
  const whens = grades.map((g) => sql`when ${fit} >= ${g.minFit} then ${g.grade}`);
  return sql`(case ${sql.join(whens, sql` `)} else ${grades[grades.length - 1]!.grade} end)::fit_grade`;
}

/**
 * The keys of the scoring rules that differ between two revisions: added, removed (or switched off)
 * or changed in any part of their definition. A ledger in line with `fromRevision` is in line with
 * `toRevision` once these rules are reconciled.
 */
export async function changedRuleKeys(db: DbOrTx, fromRevisionId: string, toRevisionId: string): Promise<{ keys: string[]; dimensions: ('fit' | 'interest')[] }> {
  const found = await rows<{ key: string; dimensions: ('fit' | 'interest')[] }>(
    db,
    sql`select coalesce(n.key, o.key) as key, array_remove(array[o.dimension::text, n.dimension::text], null) as dimensions
      from (select * from scoring_rules where revision_id = ${fromRevisionId}::uuid and active) o
      full join (select * from scoring_rules where revision_id = ${toRevisionId}::uuid and active) n on n.key = o.key
      where o.id is null or n.id is null
        or ${ruleDefinition('n')} is distinct from ${ruleDefinition('o')}
      order by 1`,
  );
  // The dimensions those rules give points in (either revision's): the other one has nothing to reconcile.
  const dimensions = new Set(found.flatMap((r) => r.dimensions));
  return { keys: found.map((r) => r.key), dimensions: (['fit', 'interest'] as const).filter((d) => dimensions.has(d)) };
}

export interface ReconcileResult {
  pointsAdded: number;
  pointsReversed: number;
  /** Leads the rules moved to MQL. */
  newMqls: string[];
}

/**
 * Brings the ledger and scores of `leadIds` in line with `rules` as of `at`, then (when
 * `qualify`) moves leads that now meet both MQL thresholds to MQL where the stage machine allows
 * it. Callers hold the leads' row locks (ingestion) or own the batch (re-scoring).
 */
export async function reconcileScores(
  tx: DbOrTx,
  rules: RevisionRules,
  leadIds: readonly string[],
  options: {
    at: Date;
    qualify: boolean;
    dimensions?: readonly ('fit' | 'interest')[];
    /**
     * Only the rules with these keys are reconciled (their awards against their live rows); the
     * others' rows stand. For leads whose ledger is in line with a revision that differs from
     * `rules` in these keys only (changedRuleKeys).
     */
    ruleKeys?: readonly string[];
  },
): Promise<ReconcileResult> {
  if (leadIds.length === 0) return { pointsAdded: 0, pointsReversed: 0, newMqls: [] };
  if (options.ruleKeys) {
    const keys = new Set(options.ruleKeys);
    rules = { ...rules, fit: rules.fit.filter((r) => keys.has(r.key)), interest: rules.interest.filter((r) => keys.has(r.key)) };
  }
  const ids = uuidArray(leadIds);
  const at = sql`${options.at.toISOString()}::timestamptz`;
  const rev = sql`${rules.revisionId}::uuid`;
  const dimensions = options.dimensions ?? ['fit', 'interest'];
  let added = 0;
  let reversed = 0;
  /** Leads whose ledger rows changed: their snapshot is written even when the numbers come out the same. */
  const touched = new Set<string>();

  if (dimensions.includes('fit')) {
    const [r] = await rows<{ added: number; reversed: number; touched: string[] }>(
      tx,
      sql`with batch as materialized (select * from leads where id = any(${ids})),
        awards as (${fitAwards(rules, ids, sql`batch`)}),
        live as materialized (${live(ids, 'fit', rev, options.ruleKeys)}),
        ins as (
          insert into score_ledger (lead_id, revision_id, rule_id, dimension, reason, points, occurred_at)
          select w.lead_id, ${rev}, w.rule_id, 'fit', 'fit_rule', w.points, ${at}
          from awards w where not exists (select 1 from live v where v.lead_id = w.lead_id and v.rule_id = w.rule_id and v.points = w.points)
          returning lead_id),
        rev as (
          insert into score_ledger (lead_id, revision_id, rule_id, dimension, reason, points, occurred_at, reverses_id)
          select v.lead_id, ${rev}, v.ledger_rule_id, 'fit', 'rescore', -v.points, v.occurred_at, v.id
          from live v where not exists (select 1 from awards w where w.lead_id = v.lead_id and w.rule_id = v.rule_id and w.points = v.points)
          returning lead_id)
      select (select count(*) from ins)::int as added, (select count(*) from rev)::int as reversed,
        array(select distinct lead_id from (select lead_id from ins union all select lead_id from rev) c)::text[] as touched`,
    );
    added += r!.added;
    reversed += r!.reversed;
    for (const id of r!.touched) touched.add(id);
  }

  if (dimensions.includes('interest')) {
    const [r] = await rows<{ added: number; reversed: number; touched: string[] }>(
      tx,
      // Only the activities some rule can award, and only the columns rules read: the set stays in
      // memory and every rule scans it once.
      sql`with acts as materialized (
          select id, lead_id, type, occurred_at, properties from activities
          where lead_id = any(${ids}) and type = any(${`{${[...new Set(rules.interest.map((r) => r.activityType))].join(',')}}`}::activity_type[])),
        awards as materialized (${interestAwards(rules, ids, sql`acts`)}),
        live as materialized (${live(ids, 'interest', rev, options.ruleKeys)}),
        ins as (
          insert into score_ledger (lead_id, revision_id, rule_id, activity_id, dimension, reason, points, decay_half_life_days, occurred_at)
          select w.lead_id, ${rev}, w.rule_id, w.activity_id, 'interest', 'interest_rule', w.points, w.decay_half_life_days, w.occurred_at
          from awards w where not exists (
            select 1 from live v where v.rule_id = w.rule_id and v.activity_id = w.activity_id and v.points = w.points
              and v.decay_half_life_days is not distinct from w.decay_half_life_days)
          returning lead_id),
        rev as (
          insert into score_ledger (lead_id, revision_id, rule_id, activity_id, dimension, reason, points, decay_half_life_days, occurred_at, reverses_id)
          select v.lead_id, ${rev}, v.ledger_rule_id, v.activity_id, 'interest', 'rescore', -v.points, v.decay_half_life_days, v.occurred_at, v.id
          from live v where not exists (
            select 1 from awards w where w.rule_id = v.rule_id and w.activity_id = v.activity_id and w.points = v.points
              and w.decay_half_life_days is not distinct from v.decay_half_life_days)
          returning lead_id)
      select (select count(*) from ins)::int as added, (select count(*) from rev)::int as reversed,
        array(select distinct lead_id from (select lead_id from ins union all select lead_id from rev) c)::text[] as touched`,
    );
    added += r!.added;
    reversed += r!.reversed;
    for (const id of r!.touched) touched.add(id);
  }

  // The lead's snapshot: fit, interest decayed to `at`, temperature and grade, the revision used.
  // Only leads whose snapshot changes are written (a re-score that changes nothing writes nothing);
  // `scored_at` stays where the same numbers were last computed, and interest is still its value then.
  const fit = sql`y.fit`;
  const total = sql`(y.fit + y.interest)`;
  await tx.execute(sql`
    update leads l set
      fit_score = x.fit, interest_score = x.interest, scored_at = ${at}, revision_id = ${rev},
      temperature = x.temperature, fit_grade = x.fit_grade, updated_at = now()
    from (
      select y.lead_id, y.fit, y.interest, ${bandCase(rules, total)} as temperature, ${gradeCase(rules, fit)} as fit_grade
      from (
        select i.id as lead_id, coalesce(t.fit, 0) as fit, coalesce(t.interest, 0) as interest
        from unnest(${ids}) as i(id)
        left join (
          select s.lead_id, coalesce(sum(s.points) filter (where s.dimension = 'fit'), 0)::int as fit, ${interestSumSql(at)} as interest
          from score_ledger s where s.lead_id = any(${ids}) group by s.lead_id
        ) t on t.lead_id = i.id
      ) y
    ) x
    where l.id = x.lead_id
      and (l.scored_at is null or l.id = any(${uuidArray([...touched])})
        or (l.fit_score, l.interest_score, l.revision_id, l.temperature, l.fit_grade) is distinct from (x.fit, x.interest, ${rev}, x.temperature, x.fit_grade))`);

  let newMqls: string[] = [];
  if (options.qualify && rules.autoMqlFrom.length > 0) {
    const from = sql`${`{${rules.autoMqlFrom.join(',')}}`}::lifecycle_stage[]`;
    const moved = await rows<{ lead_id: string }>(
      tx,
      sql`with candidates as (
          select id, stage from leads
          where id = any(${ids}) and stage = any(${from})
            and fit_score >= ${rules.mqlFitThreshold} and interest_score >= ${rules.mqlInterestThreshold}
            -- a recycled lead qualifies again only after its recycle rule's waiting time
            and not (stage = 'recycled' and stage_changed_at > ${at} - make_interval(days => coalesce((
              select max(rr.requalify_after_days) from recycle_rules rr
              where rr.revision_id = ${rev} and rr.reason_code = (
                select t.reason_code from stage_transitions t where t.lead_id = leads.id and t.to_stage = 'recycled'
                order by t.occurred_at desc, t.id desc limit 1)), 0)))
          for update),
        moved as (
          -- never dated before the lead entered its stage (another request may have moved it since \`at\` was read)
          update leads l set stage = 'mql', stage_changed_at = greatest(${at}, l.stage_changed_at), version = l.version + 1, updated_at = now()
          from candidates c where l.id = c.id
          returning l.id, c.stage as from_stage, l.fit_score, l.interest_score, l.stage_changed_at as moved_at),
        logged as (
          insert into stage_transitions (lead_id, from_stage, to_stage, revision_id, actor_type, reason, occurred_at)
          select id, from_stage, 'mql', ${rev}, 'system',
            'fit ' || fit_score || ' ≥ ' || ${rules.mqlFitThreshold} || ' and interest ' || interest_score || ' ≥ ' || ${rules.mqlInterestThreshold}, moved_at
          from moved returning lead_id),
        events as (
          insert into outbox_events (event_type, lead_id, payload)
          select 'lead.mql', id, jsonb_build_object('leadId', id, 'fromStage', from_stage, 'fit', fit_score, 'interest', interest_score, 'revisionId', ${rev}, 'at', moved_at)
          from moved returning 1)
      select lead_id from logged`,
    );
    newMqls = moved.map((m) => m.lead_id);
    // Leaving the stage ends its stuck-lead clock (late: breached and resolved).
    await endClocks(tx, newMqls.map((leadId) => ({ leadId, at: options.at })), { met: ['time_in_stage'] });
  }
  return { pointsAdded: added, pointsReversed: reversed, newMqls };
}
