import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { rows, type Db, type DbOrTx } from '../../db/client';
import { userAbsences, users } from '../../db/schema/index';
import { NotFoundError, ValidationError, type FieldProblem } from '../errors';
import { loadPolicy } from '../handoff/context';
import { parseInput } from '../validation';
import { handOverLeads } from './handover';

// Out of office. From `startsAt` to `endsAt` routing skips the rep; when the absence begins, the
// rep's leads with an open SLA clock (acceptance, response, cadence: something is due) go to the
// backup — the absence's, else the rep's — or back to routing, as each lead's agreement says
// (routing.absenceHandover). The scheduler does this on its next pass; an absence that has begun
// already when it is entered is handed over at once.

type AbsenceRow = typeof userAbsences.$inferSelect;

const createSchema = z
  .object({
    userId: z.string().uuid('not a user id'),
    startsAt: z.date(),
    endsAt: z.date(),
    backupUserId: z.string().uuid('not a user id').nullable().optional(),
    note: z.string().trim().max(500, 'at most 500 characters').nullable().optional(),
  })
  .refine((a) => a.endsAt > a.startsAt, { path: ['endsAt'], message: 'ends before it starts' });

export async function createAbsence(db: Db, actor: { userId: string }, input: unknown, now = new Date()): Promise<AbsenceRow> {
  const args = parseInput(createSchema, input);
  const problems: FieldProblem[] = [];
  const [user] = await db.select().from(users).where(eq(users.id, args.userId));
  if (!user) throw new NotFoundError('User', args.userId);
  if (!user.active) problems.push({ field: 'input.userId', message: `${user.email} is inactive` });
  if (args.endsAt <= now) problems.push({ field: 'input.endsAt', message: 'the absence is over already' });
  if (args.backupUserId) {
    const [backup] = await db.select().from(users).where(eq(users.id, args.backupUserId));
    if (!backup) problems.push({ field: 'input.backupUserId', message: `no user ${args.backupUserId}` });
    else if (backup.id === user.id) problems.push({ field: 'input.backupUserId', message: 'a rep cannot back up themselves' });
    else if (!backup.active || backup.role !== 'sales') problems.push({ field: 'input.backupUserId', message: 'the backup must be an active sales user' });
  }
  if (problems.length) throw new ValidationError(problems);
  return db.transaction(async (tx) => {
    const [absence] = await tx
      .insert(userAbsences)
      .values({ userId: user.id, startsAt: args.startsAt, endsAt: args.endsAt, backupUserId: args.backupUserId ?? null, note: args.note ?? null, createdById: actor.userId })
      .returning();
    if (args.startsAt <= now) return handOverAbsence(tx, absence!, now);
    return absence!;
  });
}

export async function deleteAbsence(db: Db, absenceId: string): Promise<AbsenceRow> {
  const [deleted] = await db.delete(userAbsences).where(eq(userAbsences.id, absenceId)).returning();
  if (!deleted) throw new NotFoundError('Absence', absenceId);
  return deleted;
}

/** Hands an absent rep's due leads over (once); returns the absence marked as handed over. */
async function handOverAbsence(tx: DbOrTx, absence: AbsenceRow, now: Date): Promise<AbsenceRow> {
  const [rep] = await tx.select().from(users).where(eq(users.id, absence.userId));
  const due = await rows<{ id: string; agreement_id: string | null }>(
    tx,
    sql`select l.id, l.agreement_id from leads l where l.owner_id = ${absence.userId}::uuid and l.stage in ('mql', 'sql', 'opportunity')
      and exists (select 1 from sla_clocks c where c.lead_id = l.id and c.clock in ('acceptance', 'response', 'cadence_interval')
        and (c.status = 'running' or (c.status = 'breached' and c.stopped_at is null)))
      order by l.id`,
  );
  const backupId = absence.backupUserId ?? rep?.backupUserId ?? null;
  const [backup] = backupId
    ? await rows<{ id: string; ok: boolean }>(
        tx,
        sql`select u.id, (u.active and u.role = 'sales' and not exists (select 1 from user_absences a where a.user_id = u.id
            and a.starts_at <= ${now.toISOString()}::timestamptz and a.ends_at > ${now.toISOString()}::timestamptz)) as ok
          from users u where u.id = ${backupId}::uuid`,
      )
    : [];
  const byAgreement = new Map<string | null, string[]>();
  for (const l of due) byAgreement.set(l.agreement_id, [...(byAgreement.get(l.agreement_id) ?? []), l.id]);
  for (const [agreementId, leadIds] of byAgreement) {
    const policy = agreementId ? await loadPolicy(tx, agreementId) : null;
    const toBackup = (policy?.routing.absenceHandover ?? 'backup') === 'backup' && backup?.ok;
    // The reason names no person and no cause: the change's from/to say who.
    const reason = `out of office: ${toBackup ? 'to the backup' : 'back to routing'}`;
    // Leads routing cannot place stay with the rep (and stay at the top of the queue when overdue).
    await handOverLeads(tx, {
      fromUserId: absence.userId,
      rule: toBackup ? { to: 'rep', userId: backup!.id } : { to: 'routing' },
      actorUserId: null,
      at: now,
      reason,
      leadIds,
      strict: false,
    });
  }
  const [marked] = await tx.update(userAbsences).set({ handedOverAt: now }).where(eq(userAbsences.id, absence.id)).returning();
  return marked!;
}

/** Scheduler pass: absences that have begun hand their rep's due leads over, once. Several instances are safe. */
export async function handOverAbsences(db: Db, now = new Date(), limit = 50): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`update user_absences set handed_over_at = ${now.toISOString()}::timestamptz
      where handed_over_at is null and ends_at <= ${now.toISOString()}::timestamptz`);
    const begun = await tx
      .select()
      .from(userAbsences)
      .where(and(sql`${userAbsences.handedOverAt} is null`, sql`${userAbsences.startsAt} <= ${now.toISOString()}::timestamptz`))
      .orderBy(userAbsences.startsAt)
      .limit(limit)
      .for('update', { skipLocked: true });
    for (const absence of begun) await handOverAbsence(tx, absence, now);
    return begun.length;
  });
}
