import { eq, sql } from 'drizzle-orm';
import { rows, type Db, type DbOrTx } from '../../db/client';
import { leads, stageTransitions } from '../../db/schema/index';
import { ConflictError, conflictOnDuplicate, NotFoundError, ValidationError } from '../errors';
import { loadRevisionRules, reconcileScores } from '../scoring/reconcile';
import { parseInput } from '../validation';
import { requestHandoffs, retryHeldHandoffs } from '../handoff/handoff';
import { enrolByRule } from '../nurture/nurture';
import { activeAgreements, agreementFor, type ActiveAgreement } from './agreement-for-lead';
import { emailDomain, emailSchema, leadFieldsSchema, newLeadSchema, type NewLead } from './lead-input';

type LeadRow = typeof leads.$inferSelect;

// Free-mail domains never become accounts: a gmail.com lead has no company to join.
const FREE_MAIL = new Set(['gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'live.com', 'icloud.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'mail.com']);

/** The account a lead joins by its e-mail domain, created from the company name when new. */
export async function accountIdFor(tx: DbOrTx, email: string, companyName: string | null | undefined): Promise<string | null> {
  const domain = emailDomain(email);
  if (FREE_MAIL.has(domain)) return null;
  const [found] = await rows<{ id: string }>(
    tx,
    sql`insert into accounts (name, domain) values (${companyName || domain}, ${domain})
      on conflict ((lower(domain))) do update set updated_at = accounts.updated_at
      returning id`,
  );
  return found?.id ?? null;
}

/** Fit is re-scored whenever who the lead is changes; MQL follows when both thresholds are met. */
export async function rescoreLeads(tx: DbOrTx, leadIds: string[], agreements: ActiveAgreement[], at = new Date()) {
  if (leadIds.length === 0) return [];
  const found = await rows<{ id: string; agreement_id: string | null }>(tx, sql`select id, agreement_id from leads where id = any(${`{${leadIds.join(',')}}`}::uuid[]) order by id for update`);
  const byRevision = new Map<string, string[]>();
  for (const lead of found) {
    const revision = agreements.find((a) => a.id === lead.agreement_id)?.activeRevisionId;
    if (revision) byRevision.set(revision, [...(byRevision.get(revision) ?? []), lead.id]);
  }
  const mqls: string[] = [];
  for (const [revisionId, ids] of byRevision) {
    const result = await reconcileScores(tx, await loadRevisionRules(tx, revisionId, { inForce: true }), ids, { at, qualify: true });
    mqls.push(...result.newMqls);
  }
  const agreementOf = new Map(found.map((l) => [l.id, l.agreement_id]));
  await requestHandoffs(tx, mqls.map((leadId) => ({ leadId, agreementId: agreementOf.get(leadId)!, trigger: 'mql', at })), at);
  await retryHeldHandoffs(tx, at, leadIds);
  return mqls;
}

export async function createLead(db: Db, input: unknown): Promise<LeadRow> {
  const lead = parseInput(newLeadSchema, input);
  return conflictOnDuplicate(() => db.transaction(async (tx) => {
    const [existing] = await rows<{ id: string }>(tx, sql`select id from leads where lower(email) = ${lead.email} or (${lead.externalId ?? null}::text is not null and external_id = ${lead.externalId ?? null})`);
    if (existing) throw new ConflictError(`a lead with this e-mail or external id already exists (${existing.id})`);
    const agreements = await activeAgreements(tx);
    const agreement = agreementFor(agreements, lead as unknown as Record<string, unknown>);
    const [row] = await tx
      .insert(leads)
      .values({ ...columns(lead), email: lead.email, source: lead.source, agreementId: agreement?.id ?? null, accountId: await accountIdFor(tx, lead.email, lead.companyName) })
      .returning();
    await tx.insert(stageTransitions).values({ leadId: row!.id, fromStage: null, toStage: 'lead', actorType: 'system', reason: 'created', revisionId: agreement?.activeRevisionId ?? null, occurredAt: row!.createdAt });
    if (agreement) await enrolByRule(tx, agreement.activeRevisionId, [row!.id], 'new_lead', row!.createdAt);
    await rescoreLeads(tx, [row!.id], agreements);
    const [fresh] = await tx.select().from(leads).where(eq(leads.id, row!.id));
    return fresh!;
  }), 'a lead with this e-mail or external id was created at the same time');
}

export async function updateLead(db: Db, leadId: string, input: unknown, now = new Date()): Promise<LeadRow> {
  const patch = parseInput(leadFieldsSchema.extend({ email: emailSchema.optional() }), input);
  return db.transaction(async (tx) => {
    const [lead] = await tx.select().from(leads).where(eq(leads.id, leadId)).for('update');
    if (!lead) throw new NotFoundError('Lead', leadId);
    if (patch.email && patch.email !== lead.email.toLowerCase()) {
      const [clash] = await rows<{ id: string }>(tx, sql`select id from leads where lower(email) = ${patch.email} and id <> ${leadId}::uuid`);
      if (clash) throw new ValidationError([{ field: 'input.email', message: 'another lead has this e-mail' }]);
    }
    if (patch.externalId && patch.externalId !== lead.externalId) {
      const [clash] = await rows<{ id: string }>(tx, sql`select id from leads where external_id = ${patch.externalId} and id <> ${leadId}::uuid`);
      if (clash) throw new ValidationError([{ field: 'input.externalId', message: 'another lead has this external id' }]);
    }
    const values = columns(patch as NewLead);
    const email = patch.email ?? lead.email;
    await tx
      .update(leads)
      .set({
        ...values,
        email,
        ...(patch.source ? { source: patch.source } : {}),
        ...(patch.email ? { accountId: await accountIdFor(tx, email, patch.companyName ?? lead.companyName) } : {}),
        ...(patch.attributes ? { attributes: { ...lead.attributes, ...patch.attributes } } : {}),
        updatedAt: now,
      })
      .where(eq(leads.id, leadId));
    await rescoreLeads(tx, [leadId], await activeAgreements(tx), now);
    const [fresh] = await tx.select().from(leads).where(eq(leads.id, leadId));
    return fresh!;
  });
}

/** Only the fields given: absent fields stay as they are, null clears one. */
function columns(lead: Partial<NewLead>) {
  const keys = ['externalId', 'firstName', 'lastName', 'phone', 'title', 'seniority', 'department', 'companyName', 'companySize', 'industry', 'country', 'attributes'] as const;
  return Object.fromEntries(keys.filter((k) => lead[k] !== undefined).map((k) => [k, lead[k]])) as Partial<typeof leads.$inferInsert>;
}
