import { sql, type SQL } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import { pgArray } from '../../db/pg-array';
import { NotFoundError } from '../errors';
import { fitPredicate } from '../scoring/sql';
import { leadAttribute, matchesOperator, type RuleOperator, type ScorableLead } from '../scoring/rules';
import type { Scope } from './document';

// Which agreement governs which lead. Each active agreement's revision has a scope: rules on lead
// fields (the fit rules' attributes and operators, with the same meaning in TypeScript and SQL) and
// a priority. A lead is governed by the first agreement whose rules all match, by priority (lowest
// first), then age (oldest first): never by two. An agreement without rules takes every lead at its
// priority. Scopes apply when a lead arrives, and when an agreement's scope is activated or an
// agreement archived: then leads with Marketing (lead, recycled) move to the agreement that governs
// them now (or to none), with an audit row. Leads with Sales stay under the agreement they were
// handed off under — their hand-off and clocks run on — unless that agreement is no longer active;
// closed leads (customers, disqualified) keep theirs, so past reports do not change.

export type ScopeRule = Scope['rules'][number];

export interface ScopedAgreement {
  id: string;
  name: string;
  activeRevisionId: string;
  priority: number;
  rules: ScopeRule[];
  createdAt: Date;
}

/** Active agreements in the order they claim leads. */
export async function scopedAgreements(db: DbOrTx): Promise<ScopedAgreement[]> {
  const found = await rows<{ id: string; name: string; active_revision_id: string; scope_priority: number; scope_rules: ScopeRule[]; created_at: string }>(
    db,
    sql`select a.id, a.name, a.active_revision_id, r.scope_priority, r.scope_rules, a.created_at
      from sla_agreements a join agreement_revisions r on r.id = a.active_revision_id
      where a.status = 'active'`,
  );
  return orderByClaim(
    found.map((a) => ({ id: a.id, name: a.name, activeRevisionId: a.active_revision_id, priority: a.scope_priority, rules: a.scope_rules ?? [], createdAt: new Date(a.created_at) })),
  );
}

export function orderByClaim(list: ScopedAgreement[]): ScopedAgreement[] {
  return [...list].sort((a, b) => a.priority - b.priority || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

function ruleMatches(rule: ScopeRule, lead: ScorableLead): boolean {
  return matchesOperator(rule.operator as RuleOperator, leadAttribute(lead, rule.attribute), rule.value ?? null);
}

/** The agreement that governs a lead with these fields (camelCase, as the API takes them), or null. */
export function governingAgreement<A extends ScopedAgreement>(agreements: readonly A[], lead: ScorableLead): A | null {
  return agreements.find((a) => a.rules.every((rule) => ruleMatches(rule, lead))) ?? null;
}

/** A scope in words: `country IN ["DE","FR"] and company_size RANGE {"min":500}`, or `every lead`. */
export function describeScope(rules: readonly ScopeRule[]): string {
  if (rules.length === 0) return 'every lead';
  return rules.map((r) => `${r.attribute} ${r.operator.toUpperCase()}${r.value === undefined || r.value === null ? '' : ` ${JSON.stringify(r.value)}`}`).join(' and ');
}

/** Why a lead is (or would be) governed as it is, in words. */
export function governanceReason(agreements: readonly ScopedAgreement[], lead: ScorableLead & { agreementId: string | null; stage?: string }): string {
  const match = governingAgreement(agreements, lead);
  const current = agreements.find((a) => a.id === lead.agreementId);
  if (!lead.agreementId) return match ? `no agreement yet; "${match.name}" matches now (${describeScope(match.rules)}) and takes it when its scope is next activated` : 'no active agreement’s scope matches this lead';
  if (!current) return 'its agreement is no longer active';
  if (match?.id === current.id) return `matches "${current.name}" (priority ${current.priority}): ${describeScope(current.rules)}`;
  if (lead.stage && ['mql', 'sql', 'opportunity'].includes(lead.stage))
    return `stays with "${current.name}" while Sales works it (it was handed off under it); ${match ? `its fields now match "${match.name}" first` : 'its fields now match no scope'}`;
  if (lead.stage === 'customer' || lead.stage === 'disqualified') return `closed under "${current.name}": closed leads keep their agreement`;
  return match
    ? `assigned to "${current.name}" when it arrived or when a scope was last activated; its fields now match "${match.name}" first`
    : `assigned to "${current.name}" when it arrived or when a scope was last activated; its fields now match no scope`;
}

/** SQL: the lead aliased `alias` matches every rule. */
export function scopeMatchSql(rules: readonly ScopeRule[], alias = 'l'): SQL {
  if (rules.length === 0) return sql`true`;
  return sql`(${sql.join(rules.map((r) => fitPredicate({ attribute: r.attribute, operator: r.operator as RuleOperator, value: r.value ?? null }, alias)), sql` and `)})`;
}

/**
 * SQL: the agreement the lead aliased `alias` should be under with these agreements active: the
 * governing one for leads with Marketing; for leads with Sales only when theirs is no longer active
 * (and another takes them); closed leads keep theirs.
 */
export function targetAgreementSql(agreements: readonly ScopedAgreement[], alias = 'l'): SQL {
  const a = sql.raw(alias);
  const active = agreements.length ? sql`${a}.agreement_id = any(${`{${agreements.map((x) => x.id).join(',')}}`}::uuid[])` : sql`false`;
  return sql`(case
    when ${a}.stage in ('lead', 'recycled') then ${governingSql(agreements, alias)}
    when ${a}.stage in ('mql', 'sql', 'opportunity') and not coalesce(${active}, false) then coalesce(${governingSql(agreements, alias)}, ${a}.agreement_id)
    else ${a}.agreement_id end)`;
}

/** SQL: the id of the agreement that governs the lead aliased `alias`, or null. */
export function governingSql(agreements: readonly ScopedAgreement[], alias = 'l'): SQL {
  if (agreements.length === 0) return sql`null::uuid`;
  return sql`(case ${sql.join(
    agreements.map((a) => sql`when ${scopeMatchSql(a.rules, alias)} then ${a.id}::uuid`),
    sql` `,
  )} else null::uuid end)`;
}

/** The claim order with one agreement's scope replaced by a revision's (active or not). */
async function withRevisionScope(db: DbOrTx, revisionId: string): Promise<{ candidates: ScopedAgreement[]; target: ScopedAgreement }> {
  const [revision] = await rows<{ agreement_id: string; name: string; scope_priority: number; scope_rules: ScopeRule[]; created_at: string }>(
    db,
    sql`select r.agreement_id, a.name, r.scope_priority, r.scope_rules, a.created_at
      from agreement_revisions r join sla_agreements a on a.id = r.agreement_id where r.id = ${revisionId}::uuid`,
  );
  if (!revision) throw new NotFoundError('AgreementRevision', revisionId);
  const target: ScopedAgreement = {
    id: revision.agreement_id,
    name: revision.name,
    activeRevisionId: revisionId,
    priority: revision.scope_priority,
    rules: revision.scope_rules ?? [],
    createdAt: new Date(revision.created_at),
  };
  const others = (await scopedAgreements(db)).filter((a) => a.id !== target.id);
  return { candidates: orderByClaim([...others, target]), target };
}

export interface ScopeMove {
  fromAgreementId: string | null;
  toAgreementId: string | null;
  leads: number;
}

/** What activating this revision's scope would do: the leads it would govern, take and release. */
export async function previewScope(db: DbOrTx, revisionId: string): Promise<{ agreementId: string; governs: number; moves: ScopeMove[] }> {
  const { candidates, target } = await withRevisionScope(db, revisionId);
  const found = await rows<{ from_id: string | null; to_id: string | null; n: number }>(
    db,
    sql`select l.agreement_id as from_id, ${targetAgreementSql(candidates)} as to_id, count(*)::int as n
      from leads l group by 1, 2`,
  );
  return {
    agreementId: target.id,
    governs: found.filter((r) => r.to_id === target.id).reduce((n, r) => n + r.n, 0),
    moves: found
      .filter((r) => r.from_id !== r.to_id && (r.to_id === target.id || r.from_id === target.id))
      .map((r) => ({ fromAgreementId: r.from_id, toAgreementId: r.to_id, leads: r.n }))
      .sort((a, b) => b.leads - a.leads || String(a.fromAgreementId).localeCompare(String(b.fromAgreementId)) || String(a.toAgreementId).localeCompare(String(b.toAgreementId))),
  };
}

/**
 * After an activation: every lead whose governing agreement changed moves to it (or to none), with
 * an audit row; its revision becomes the new agreement's active one. Returns the agreements that
 * received leads (their new leads need re-scoring under their rules) and the moves.
 */
export async function applyScopes(
  tx: DbOrTx,
  input: { revisionId: string | null; actorUserId: string | null; at: Date; reason?: string },
): Promise<{ moves: ScopeMove[]; receivers: string[] }> {
  const candidates = await scopedAgreements(tx);
  const revisionOf = new Map(candidates.map((a) => [a.id, a.activeRevisionId]));
  const changed = await rows<{ id: string; from_id: string | null; to_id: string | null }>(
    tx,
    sql`select * from (select l.id, l.agreement_id as from_id, ${targetAgreementSql(candidates)} as to_id from leads l) t
      where from_id is distinct from to_id order by id`,
  );
  if (changed.length === 0) return { moves: [], receivers: [] };
  const at = input.at.toISOString();
  // Locked in id order, as ingestion locks leads: the two wait for each other, never deadlock.
  await tx.execute(sql`select 1 from leads where id = any(${pgArray(changed.map((c) => c.id))}::uuid[]) order by id for update`);
  await tx.execute(sql`with c as (
      select * from unnest(${pgArray(changed.map((c) => c.id))}::uuid[], ${pgArray(changed.map((c) => c.from_id))}::uuid[], ${pgArray(changed.map((c) => c.to_id))}::uuid[])
        as c(id, from_id, to_id)),
    updated as (
      update leads l set agreement_id = c.to_id,
        revision_id = ${revisionOf.size ? sql`case c.to_id ${sql.join([...revisionOf].map(([agreementId, revisionId]) => sql`when ${agreementId}::uuid then ${revisionId}::uuid`), sql` `)} else l.revision_id end` : sql`l.revision_id`},
        updated_at = ${at}::timestamptz
      from c where l.id = c.id returning l.id)
    insert into lead_agreement_changes (lead_id, from_agreement_id, to_agreement_id, revision_id, reason, actor_user_id, occurred_at)
    select c.id, c.from_id, c.to_id, ${input.revisionId}::uuid,
      case when c.to_id is null then 'no active agreement’s scope matches it any more' else ${input.reason ?? 'an activated scope governs it'} end,
      ${input.actorUserId}::uuid, ${at}::timestamptz
    from c order by c.id`);
  const counts = new Map<string, ScopeMove>();
  for (const c of changed) {
    const key = `${c.from_id}>${c.to_id}`;
    const move = counts.get(key) ?? { fromAgreementId: c.from_id, toAgreementId: c.to_id, leads: 0 };
    move.leads++;
    counts.set(key, move);
  }
  // Largest moves first (then by id): the same order on every database.
  const moves = [...counts.values()].sort(
    (a, b) => b.leads - a.leads || String(a.fromAgreementId).localeCompare(String(b.fromAgreementId)) || String(a.toAgreementId).localeCompare(String(b.toAgreementId)),
  );
  return { moves, receivers: [...new Set(moves.flatMap((m) => (m.toAgreementId ? [m.toAgreementId] : [])))] };
}

/** Leads with Sales under this agreement that no other active agreement's scope would take. */
export async function strandedIfArchived(db: DbOrTx, agreementId: string): Promise<number> {
  const others = (await scopedAgreements(db)).filter((a) => a.id !== agreementId);
  const [row] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from leads l where l.agreement_id = ${agreementId}::uuid
      and l.stage in ('mql', 'sql', 'opportunity') and ${governingSql(others)} is null`,
  );
  return row!.n;
}
