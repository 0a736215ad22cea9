import { isDeepStrictEqual } from 'node:util';
import { and, eq, inArray, max, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { agreementChanges, agreementRevisions, salesTeams, slaAgreements, users } from '../../db/schema/index';
import { ConflictError, conflictOnDuplicate, NotFoundError, ValidationError, type FieldProblem } from '../errors';
import { parseInput } from '../validation';
import { checkComplete, checkDocument } from './checks';
import { diffDocuments, type RuleChange } from './diff';
import { emptyDocument, partNames, partSchemas, scopeSchema, timeZoneSchema, type PartName, type RulesDocument } from './document';
import { activationWarnings, routingProblems } from './activation-checks';
import { applyScopes, strandedIfArchived, type ScopeMove } from './scope';
import { readDocument, writePart } from './store';

// Writing an agreement: every mutation validates first, runs in one transaction holding the
// agreement's row lock, writes its audit rows in that transaction, and changes nothing when refused.

type AgreementRow = typeof slaAgreements.$inferSelect;
type RevisionRow = typeof agreementRevisions.$inferSelect;

export interface Actor {
  userId: string;
}

/** Parts given in an input; absent parts are left as they are. */
export type RulesInput = { timeZone?: unknown; notes?: unknown } & { [P in PartName]?: unknown };

/** GraphQL hands optional fields over as null; zod defaults apply to absent keys only. */
export function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNulls) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)])) as T;
  }
  return value;
}

/** Parses the given parts into a patch, collecting every field problem at once. */
function parseParts(input: RulesInput): { patch: Partial<RulesDocument>; touched: Set<PartName> } {
  const problems: FieldProblem[] = [];
  const patch: Partial<RulesDocument> = {};
  const touched = new Set<PartName>();
  const collect = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ValidationError) problems.push(...error.problems);
      else throw error;
      return undefined;
    }
  };
  if (input.timeZone !== undefined) patch.timeZone = collect(() => parseInput(timeZoneSchema, input.timeZone, 'input.timeZone'));
  if (input.notes !== undefined) patch.notes = collect(() => parseInput(z.string().max(4000), input.notes, 'input.notes'));
  for (const part of partNames) {
    if (input[part] === undefined) continue;
    touched.add(part);
    const parsed = collect(() => parseInput(partSchemas[part] as z.ZodType, withoutNulls(input[part]), `input.${part}`));
    if (parsed !== undefined) (patch as Record<string, unknown>)[part] = parsed;
  }
  if (problems.length) throw new ValidationError(problems);
  return { patch, touched };
}

async function checkMembers(db: DbOrTx, doc: RulesDocument, touched: Set<PartName>): Promise<FieldProblem[]> {
  if (!touched.has('routing')) return [];
  if (doc.routing.salesTeamId) {
    const [team] = await db.select({ id: salesTeams.id }).from(salesTeams).where(eq(salesTeams.id, doc.routing.salesTeamId));
    if (!team) return [{ field: 'input.routing.salesTeamId', message: `no sales team ${doc.routing.salesTeamId}` }];
  }
  if (doc.routing.members.length === 0) return [];
  const ids = doc.routing.members.map((m) => m.userId);
  const found = await db.select({ id: users.id, role: users.role }).from(users).where(inArray(users.id, ids));
  const byId = new Map(found.map((u) => [u.id, u]));
  return doc.routing.members.flatMap((m, i) => {
    const user = byId.get(m.userId);
    if (!user) return [{ field: `input.routing.members[${i}].userId`, message: `no user ${m.userId}` }];
    if (user.role !== 'sales') return [{ field: `input.routing.members[${i}].userId`, message: `only sales users can receive leads (this one is ${user.role})` }];
    return [];
  });
}

async function audit(db: DbOrTx, row: typeof agreementChanges.$inferInsert) {
  await db.insert(agreementChanges).values(row);
}

async function lockAgreement(tx: DbOrTx, agreementId: string): Promise<AgreementRow> {
  const [agreement] = await tx.select().from(slaAgreements).where(eq(slaAgreements.id, agreementId)).for('update');
  if (!agreement) throw new NotFoundError('SlaAgreement', agreementId);
  return agreement;
}

async function nameTaken(db: DbOrTx, name: string, exceptId?: string) {
  const [row] = await db
    .select({ id: slaAgreements.id })
    .from(slaAgreements)
    .where(and(sql`lower(${slaAgreements.name}) = lower(${name})`, exceptId ? sql`${slaAgreements.id} <> ${exceptId}` : undefined))
    .limit(1);
  return !!row;
}

const metaSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
  description: z.string().max(4000, 'at most 4000 characters').default(''),
  segment: z.record(z.string(), z.unknown()).nullable().default(null),
});

/** The old agreement segment ({field: value or [values]}) as scope rules. */
export function segmentAsScopeRules(segment: Record<string, unknown>): RulesDocument['scope']['rules'] {
  return Object.entries(segment).map(([attribute, value]) => ({
    attribute: attribute.startsWith('attributes.') || attribute === 'company_size' ? attribute : attribute.replace(/([A-Z])/g, '_$1').toLowerCase(),
    operator: 'in' as const,
    value: (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'number' ? v : String(v))),
  }));
}

export async function createAgreement(
  db: Db,
  actor: Actor,
  input: { name: unknown; description?: unknown; segment?: unknown; rules?: RulesInput },
): Promise<{ agreement: AgreementRow; revision: RevisionRow }> {
  const problems: FieldProblem[] = [];
  let meta: z.output<typeof metaSchema> | undefined;
  try {
    meta = parseInput(metaSchema, withoutNulls({ name: input.name, description: input.description, segment: input.segment }));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.problems);
  }
  let parsed: ReturnType<typeof parseParts> = { patch: {}, touched: new Set() };
  try {
    parsed = parseParts(input.rules ?? {});
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.problems.map((p) => ({ ...p, field: p.field.replace(/^input\./, 'input.rules.') })));
  }
  if (problems.length) throw new ValidationError(problems);
  const doc: RulesDocument = { ...emptyDocument(), ...parsed.patch };
  // `segment` is the older way to say which leads an agreement covers: it becomes the scope.
  if (meta!.segment && Object.keys(meta!.segment).length && !parsed.touched.has('scope')) {
    try {
      doc.scope = parseInput(scopeSchema, { priority: doc.scope.priority, rules: segmentAsScopeRules(meta!.segment) }, 'input.segment');
      parsed.touched.add('scope');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(error.problems.map((p) => ({ ...p, field: p.field.replace(/^input\.segment\.rules\[\d+\]\.attribute$/, 'input.segment') })));
    }
  }
  const docProblems = checkDocument(doc).map((p) => ({ ...p, field: p.field.replace(/^input\./, 'input.rules.') }));
  docProblems.push(...(await checkMembers(db, doc, parsed.touched)).map((p) => ({ ...p, field: p.field.replace(/^input\./, 'input.rules.') })));
  if (await nameTaken(db, meta!.name)) docProblems.unshift({ field: 'input.name', message: `an agreement named "${meta!.name}" already exists` });
  if (docProblems.length) throw new ValidationError(docProblems);

  return conflictOnDuplicate(() => db.transaction(async (tx) => {
    const [agreement] = await tx
      .insert(slaAgreements)
      .values({ name: meta!.name, description: meta!.description, segment: meta!.segment, status: 'draft', createdById: actor.userId })
      .returning();
    const [revision] = await tx
      .insert(agreementRevisions)
      .values({ agreementId: agreement!.id, number: 1, status: 'draft', timeZone: doc.timeZone, notes: doc.notes, createdById: actor.userId })
      .returning();
    for (const part of partNames) await writePart(tx, revision!.id, part, doc[part], doc);
    await audit(tx, {
      agreementId: agreement!.id,
      revisionId: revision!.id,
      actorUserId: actor.userId,
      action: 'create',
      entity: 'agreement',
      entityId: agreement!.id,
      before: null,
      after: { name: agreement!.name, description: agreement!.description, segment: agreement!.segment, rules: doc },
    });
    return { agreement: agreement!, revision: revision! };
  }), `an agreement named "${meta!.name}" was created at the same time`);
}

export async function updateAgreement(
  db: Db,
  actor: Actor,
  input: { agreementId: string; name?: unknown; description?: unknown; segment?: unknown },
): Promise<AgreementRow> {
  const schema = metaSchema.partial();
  const patch = parseInput(schema, Object.fromEntries(Object.entries({ name: input.name, description: input.description, segment: input.segment }).filter(([, v]) => v !== undefined)));
  return db.transaction(async (tx) => {
    const agreement = await lockAgreement(tx, input.agreementId);
    if (agreement.status === 'archived') throw new ConflictError('an archived agreement cannot be changed');
    if (patch.name && (await nameTaken(tx, patch.name, agreement.id)))
      throw new ValidationError([{ field: 'input.name', message: `an agreement named "${patch.name}" already exists` }]);
    const [updated] = await tx.update(slaAgreements).set({ ...patch, updatedAt: new Date() }).where(eq(slaAgreements.id, agreement.id)).returning();
    if (patch.segment !== undefined) {
      // The older `segment` is the draft's scope: it takes effect when the draft is activated.
      const { revision } = await ensureDraft(tx, actor, agreement);
      const doc = await readDocument(tx, revision.id);
      const scope = parseInput(scopeSchema, { priority: doc.scope.priority, rules: patch.segment ? segmentAsScopeRules(patch.segment) : [] }, 'input.segment');
      const problems = checkDocument({ ...doc, scope }, new Set(['scope']));
      if (problems.length) throw new ValidationError(problems.map((p) => ({ ...p, field: p.field.replace('input.scope.rules', 'input.segment') })));
      await writePart(tx, revision.id, 'scope', scope, doc);
    }
    const before = Object.fromEntries(Object.keys(patch).map((k) => [k, agreement[k as keyof AgreementRow]]));
    await audit(tx, { agreementId: agreement.id, actorUserId: actor.userId, action: 'update', entity: 'agreement', entityId: agreement.id, before, after: patch });
    return updated!;
  });
}

/** The agreement's draft revision, made by copying the active one when there is none. */
async function ensureDraft(tx: DbOrTx, actor: Actor, agreement: AgreementRow): Promise<{ revision: RevisionRow; created: boolean }> {
  const [draft] = await tx
    .select()
    .from(agreementRevisions)
    .where(and(eq(agreementRevisions.agreementId, agreement.id), eq(agreementRevisions.status, 'draft')));
  if (draft) return { revision: draft, created: false };
  const [{ latest }] = (await tx
    .select({ latest: max(agreementRevisions.number) })
    .from(agreementRevisions)
    .where(eq(agreementRevisions.agreementId, agreement.id))) as [{ latest: number | null }];
  const source = agreement.activeRevisionId ? await readDocument(tx, agreement.activeRevisionId) : emptyDocument();
  const [revision] = await tx
    .insert(agreementRevisions)
    .values({
      agreementId: agreement.id,
      number: (latest ?? 0) + 1,
      status: 'draft',
      timeZone: source.timeZone,
      notes: '',
      basedOnRevisionId: agreement.activeRevisionId,
      createdById: actor.userId,
    })
    .returning();
  for (const part of partNames) await writePart(tx, revision!.id, part, source[part], source);
  await audit(tx, {
    agreementId: agreement.id,
    revisionId: revision!.id,
    actorUserId: actor.userId,
    action: 'create',
    entity: 'revision',
    entityId: revision!.id,
    before: null,
    after: { number: revision!.number, basedOnRevisionId: agreement.activeRevisionId },
  });
  return { revision: revision!, created: true };
}

export async function startDraft(db: Db, actor: Actor, agreementId: string): Promise<RevisionRow> {
  return db.transaction(async (tx) => {
    const agreement = await lockAgreement(tx, agreementId);
    if (agreement.status === 'archived') throw new ConflictError('an archived agreement cannot be changed');
    return (await ensureDraft(tx, actor, agreement)).revision;
  });
}

/**
 * Changes rules. Changes never reach the active revision: they go to the draft, which is created
 * from the active revision when needed. Each replaced part is recorded with before/after.
 */
export async function updateDraft(db: Db, actor: Actor, agreementId: string, input: RulesInput): Promise<{ revision: RevisionRow; changes: RuleChange[] }> {
  const { patch, touched } = parseParts(input);
  if (touched.size === 0 && patch.timeZone === undefined && patch.notes === undefined)
    throw new ValidationError([{ field: 'input', message: 'nothing to change: give at least one part' }]);
  return db.transaction(async (tx) => {
    const agreement = await lockAgreement(tx, agreementId);
    if (agreement.status === 'archived') throw new ConflictError('an archived agreement cannot be changed');
    const { revision } = await ensureDraft(tx, actor, agreement);
    const before = await readDocument(tx, revision.id);
    const after: RulesDocument = { ...before, ...patch };
    const problems = [...checkDocument(after, touched), ...(await checkMembers(tx, after, touched))];
    if (problems.length) throw new ValidationError(problems); // rolls back the draft creation too
    if (patch.timeZone !== undefined || patch.notes !== undefined) {
      await tx.update(agreementRevisions).set({ timeZone: after.timeZone, notes: after.notes }).where(eq(agreementRevisions.id, revision.id));
    }
    for (const part of touched) await writePart(tx, revision.id, part, after[part], after);
    const changes = diffDocuments(before, after);
    const changedParts = new Set(changes.map((c) => c.part.split('.')[0]!));
    for (const part of [...touched, ...(['timeZone', 'notes'] as const).filter((k) => patch[k] !== undefined)]) {
      if (!changedParts.has(part) && !(part === 'scoring' && changedParts.has('scoring'))) continue;
      await audit(tx, {
        agreementId,
        revisionId: revision.id,
        actorUserId: actor.userId,
        action: 'update',
        entity: part,
        entityId: revision.id,
        before: before[part as keyof RulesDocument] as never,
        after: after[part as keyof RulesDocument] as never,
      });
    }
    const [fresh] = await tx.select().from(agreementRevisions).where(eq(agreementRevisions.id, revision.id));
    return { revision: fresh!, changes };
  });
}

export async function discardDraft(db: Db, actor: Actor, agreementId: string): Promise<RevisionRow> {
  return db.transaction(async (tx) => {
    const agreement = await lockAgreement(tx, agreementId);
    const [draft] = await tx.select().from(agreementRevisions).where(and(eq(agreementRevisions.agreementId, agreementId), eq(agreementRevisions.status, 'draft')));
    if (!draft) throw new NotFoundError('draft revision of agreement', agreementId);
    if (!agreement.activeRevisionId) throw new ConflictError('the first revision of a draft agreement cannot be discarded; archive the agreement instead');
    await tx.delete(agreementRevisions).where(eq(agreementRevisions.id, draft.id));
    await audit(tx, { agreementId, actorUserId: actor.userId, action: 'delete', entity: 'revision', entityId: draft.id, before: { number: draft.number }, after: null });
    return draft;
  });
}

export interface Activation {
  agreement: AgreementRow;
  revision: RevisionRow;
  /** Odd but allowed: reps away or at capacity, a scope matching nothing… */
  warnings: string[];
  /** Leads whose governing agreement changed with this activation. */
  scopeMoves: ScopeMove[];
  /** Agreements that received leads (their new leads need re-scoring). */
  receivers: string[];
}

/**
 * The draft becomes the active revision; the previous active revision is retired. Refused when the
 * draft is incomplete or its hand-offs could never be routed. Then the scopes apply: every lead
 * whose governing agreement changes moves, with an audit row.
 */
export async function activateRevision(db: Db, actor: Actor, revisionId: string): Promise<Activation> {
  const [target] = await db.select().from(agreementRevisions).where(eq(agreementRevisions.id, revisionId));
  if (!target) throw new NotFoundError('AgreementRevision', revisionId);
  return db.transaction(async (tx) => {
    const agreement = await lockAgreement(tx, target.agreementId);
    const [revision] = await tx.select().from(agreementRevisions).where(eq(agreementRevisions.id, revisionId));
    if (agreement.status === 'archived') throw new ConflictError('an archived agreement cannot be activated');
    if (revision!.status !== 'draft') throw new ConflictError(`revision ${revision!.number} is ${revision!.status}; only the draft can be activated`);
    const doc = await readDocument(tx, revisionId);
    const problems = [...checkComplete(doc), ...checkDocument(doc).map((p) => ({ ...p, field: p.field.replace(/^input\./, 'revision.') }))];
    if (problems.length) throw new ValidationError(problems, `revision ${revision!.number} is not complete: ${problems.map((p) => p.message).join('; ')}`);
    const now = new Date();
    const routing = await routingProblems(tx, doc, now);
    if (routing.length) throw new ValidationError(routing, `revision ${revision!.number} cannot route its hand-offs: ${routing.map((p) => p.message).join('; ')}`);
    const warnings = await activationWarnings(tx, doc, revisionId, now);
    if (agreement.activeRevisionId) {
      await tx.update(agreementRevisions).set({ status: 'retired', retiredAt: now }).where(eq(agreementRevisions.id, agreement.activeRevisionId));
    }
    const [activated] = await tx
      .update(agreementRevisions)
      .set({ status: 'active', activatedAt: now, activatedById: actor.userId })
      .where(eq(agreementRevisions.id, revisionId))
      .returning();
    const [updated] = await tx
      .update(slaAgreements)
      .set({ status: 'active', activeRevisionId: revisionId, updatedAt: now })
      .where(eq(slaAgreements.id, agreement.id))
      .returning();
    await audit(tx, {
      agreementId: agreement.id,
      revisionId,
      actorUserId: actor.userId,
      action: 'activate',
      entity: 'revision',
      entityId: revisionId,
      before: { activeRevisionId: agreement.activeRevisionId, status: agreement.status },
      after: { activeRevisionId: revisionId, status: 'active', number: activated!.number },
    });
    // The scopes apply when this one is new or changed (a revision that keeps the scope moves nothing).
    const previous = agreement.activeRevisionId ? await readDocument(tx, agreement.activeRevisionId) : null;
    const { moves, receivers } =
      previous && agreement.status === 'active' && isDeepStrictEqual(previous.scope, doc.scope)
        ? { moves: [], receivers: [] }
        : await applyScopes(tx, { revisionId, actorUserId: actor.userId, at: now });
    return { agreement: updated!, revision: activated!, warnings, scopeMoves: moves, receivers };
  });
}

/** Archives an agreement; its leads go to the next agreement whose scope matches (or to none). */
export async function archiveAgreement(db: Db, actor: Actor, agreementId: string): Promise<AgreementRow & { receivers?: string[]; scopeMoves?: ScopeMove[] }> {
  return db.transaction(async (tx) => {
    const agreement = await lockAgreement(tx, agreementId);
    if (agreement.status === 'archived') throw new ConflictError('the agreement is already archived');
    const stranded = agreement.status === 'active' ? await strandedIfArchived(tx, agreementId) : 0;
    if (stranded > 0)
      throw new ConflictError(
        `${stranded} lead${stranded === 1 ? ' is' : 's are'} with Sales under this agreement and no other agreement’s scope takes ${stranded === 1 ? 'it' : 'them'}: activate one that does, or finish them first`,
      );
    const now = new Date();
    await tx
      .update(agreementRevisions)
      .set({ status: 'retired', retiredAt: now })
      .where(and(eq(agreementRevisions.agreementId, agreementId), eq(agreementRevisions.status, 'active')));
    await tx.delete(agreementRevisions).where(and(eq(agreementRevisions.agreementId, agreementId), eq(agreementRevisions.status, 'draft'), sql`${agreementRevisions.number} > 1`));
    const [updated] = await tx
      .update(slaAgreements)
      .set({ status: 'archived', archivedAt: now, updatedAt: now })
      .where(eq(slaAgreements.id, agreementId))
      .returning();
    await audit(tx, { agreementId, actorUserId: actor.userId, action: 'archive', entity: 'agreement', entityId: agreementId, before: { status: agreement.status }, after: { status: 'archived' } });
    const { receivers, moves } = await applyScopes(tx, { revisionId: null, actorUserId: actor.userId, at: now, reason: 'its agreement was archived; the next matching scope governs it' });
    return { ...updated!, receivers, scopeMoves: moves };
  });
}

export async function diffRevisions(db: Db, fromRevisionId: string, toRevisionId: string): Promise<RuleChange[]> {
  const [from, to] = await Promise.all([readDocument(db, fromRevisionId), readDocument(db, toRevisionId)]);
  return diffDocuments(from, to);
}
