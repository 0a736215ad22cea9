import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client';
import type { Principal } from '../domain/auth/api-keys';
import {
  accounts,
  agreementRevisions,
  leads,
  salesTeams,
  scoreLedger,
  slaAgreements,
  stageTransitions,
  users,
} from '../db/schema/index';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids that cannot exist are dropped before they reach PostgreSQL (which would reject them). */
export const uuids = (ids: readonly string[]) => ids.filter((id) => UUID.test(id));
export const isUuid = (id: string) => UUID.test(id);
export const bigints = (ids: readonly (number | string)[]) => ids.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);

/**
 * Which leads' rows a caller may load by id: a sales rep, those of the leads it owns; every other
 * role, all. Loading by id (node, nodes, a field naming a record) leaves another rep's records out,
 * so they read exactly like ids that do not exist (null, no error); the types' own scopes stay as a
 * second check.
 */
export function ownLeadsOnly(viewer: Principal | null | undefined, leadId: AnyPgColumn): SQL | undefined {
  if (viewer?.role !== 'sales') return undefined;
  return leadId === leads.id ? eq(leads.ownerId, viewer.userId) : sql`${leadId} in (select l.id from leads l where l.owner_id = ${viewer.userId}::uuid)`;
}

// Batch functions: one SQL statement for all the keys of one list level. Pothos' dataloader plugin
// wraps them in per-request DataLoaders; `sort` puts rows back in key order.

export type UserRow = typeof users.$inferSelect;
export type SalesTeamRow = typeof salesTeams.$inferSelect;
export type AccountRow = typeof accounts.$inferSelect;
export type LeadRow = typeof leads.$inferSelect;
export type AgreementRow = typeof slaAgreements.$inferSelect;
export type RevisionRow = typeof agreementRevisions.$inferSelect;
export type TransitionRow = typeof stageTransitions.$inferSelect;
export type LedgerRow = typeof scoreLedger.$inferSelect;

export const loadUsers = (db: Db, ids: readonly string[]) =>
  db.select().from(users).where(inArray(users.id, uuids(ids)));

export const loadSalesTeams = (db: Db, ids: readonly string[]) =>
  db.select().from(salesTeams).where(inArray(salesTeams.id, uuids(ids)));

export const loadAccounts = (db: Db, ids: readonly string[]) =>
  db.select().from(accounts).where(inArray(accounts.id, uuids(ids)));

export const loadLeads = (db: Db, ids: readonly string[], viewer: Principal | null) =>
  db.select().from(leads).where(and(inArray(leads.id, uuids(ids)), ownLeadsOnly(viewer, leads.id)));

export const loadAgreements = (db: Db, ids: readonly string[]) =>
  db.select().from(slaAgreements).where(inArray(slaAgreements.id, uuids(ids)));

export const loadRevisions = (db: Db, ids: readonly string[]) =>
  db.select().from(agreementRevisions).where(inArray(agreementRevisions.id, uuids(ids)));

export const loadRevisionsByAgreement = (db: Db, agreementIds: readonly string[]) =>
  db
    .select()
    .from(agreementRevisions)
    .where(inArray(agreementRevisions.agreementId, [...agreementIds]))
    .orderBy(asc(agreementRevisions.number));

export const loadTransitions = (db: Db, ids: readonly number[], viewer: Principal | null) =>
  db.select().from(stageTransitions).where(and(inArray(stageTransitions.id, bigints(ids)), ownLeadsOnly(viewer, stageTransitions.leadId)));

export const loadTransitionsByLead = (db: Db, leadIds: readonly string[]) =>
  db
    .select()
    .from(stageTransitions)
    .where(inArray(stageTransitions.leadId, [...leadIds]))
    .orderBy(asc(stageTransitions.occurredAt), asc(stageTransitions.id));

export const loadLedger = (db: Db, ids: readonly number[], viewer: Principal | null) =>
  db.select().from(scoreLedger).where(and(inArray(scoreLedger.id, bigints(ids)), ownLeadsOnly(viewer, scoreLedger.leadId)));

export const loadLedgerByLead = (db: Db, leadIds: readonly string[]) =>
  db
    .select()
    .from(scoreLedger)
    .where(inArray(scoreLedger.leadId, [...leadIds]))
    .orderBy(asc(scoreLedger.occurredAt), asc(scoreLedger.id));

/** Account roll-up: lead count and summed fit/interest per account, in one statement. */
export const loadAccountRollups = async (db: Db, accountIds: readonly string[]) =>
  db
    .select({
      accountId: sql<string>`${leads.accountId}`,
      leadCount: sql<number>`count(*)::int`,
      fitScore: sql<number>`coalesce(sum(${leads.fitScore}), 0)::int`,
      interestScore: sql<number>`coalesce(sum(${leads.interestScore}), 0)::int`,
      maxScore: sql<number>`coalesce(max(${leads.fitScore} + ${leads.interestScore}), 0)::int`,
      mqlOrBeyond: sql<number>`count(*) filter (where ${leads.stage} in ('mql','sql','opportunity','customer'))::int`,
    })
    .from(leads)
    .where(inArray(leads.accountId, [...accountIds]))
    .groupBy(leads.accountId);

/** Groups rows by a key, in the order of `keys`, with an empty list for keys without rows. */
export function groupByKey<K, T>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): T[][] {
  const groups = new Map<K, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}
