import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { rows, type Db, type DbOrTx } from '../../db/client';
import { userRoles, teams as departments, type UserRole } from '../../db/schema/enums';
import { apiKeys, salesTeams, users, userWorkingHours } from '../../db/schema/index';
import { timeZoneSchema } from '../agreements/document';
import { ConflictError, conflictOnDuplicate, NotFoundError, ValidationError, type FieldProblem } from '../errors';
import { emailSchema } from '../leads/lead-input';
import { parseInput } from '../validation';
import { changeOwners, handOverLeads, type HandoverRule } from './handover';

// People: admins add, change and deactivate users, through GraphQL or `npm run users` (the same
// functions, the same checks). A user's role bounds the roles of its keys: lowering the role revokes
// the keys that carried more. Deactivating revokes every key at once and hands the user's open
// leads on by the rule given in the same call, in one transaction: nothing is left owned by an
// inactive rep.

type UserRow = typeof users.$inferSelect;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time as HH:MM, e.g. 09:00');
const minutes = (v: string) => Number(v.slice(0, 2)) * 60 + Number(v.slice(3, 5));

export const workingHoursSchema = z
  .array(z.object({ weekday: z.number().int().min(1, 'weekday is 1 (Monday) to 7 (Sunday)').max(7, 'weekday is 1 (Monday) to 7 (Sunday)'), start: hhmm, end: hhmm }))
  .max(21, 'at most 21 intervals')
  .superRefine((hours, ctx) => {
    hours.forEach((h, i) => {
      if (minutes(h.start) >= minutes(h.end)) ctx.addIssue({ code: 'custom', path: [i, 'end'], message: `ends (${h.end}) before it starts (${h.start})` });
      hours.slice(0, i).forEach((o, j) => {
        if (o.weekday === h.weekday && minutes(o.start) < minutes(h.end) && minutes(h.start) < minutes(o.end))
          ctx.addIssue({ code: 'custom', path: [i, 'start'], message: `overlaps interval ${j} on the same day` });
      });
    });
  });

const uuid = (what: string) => z.string().uuid(`not a ${what} id`);

const fields = {
  name: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
  email: emailSchema,
  role: z.enum(userRoles),
  /** The department the user works in (marketing, sales, admin); from the role when left out. */
  department: z.enum(departments),
  salesTeamId: uuid('sales team').nullable(),
  managerId: uuid('user').nullable(),
  backupUserId: uuid('user').nullable(),
  routingCapacity: z.number().int('a whole number').min(0, 'at least 0').max(10_000, 'at most 10000'),
  routingWeight: z.number().int('a whole number').min(1, 'at least 1').max(1000, 'at most 1000'),
  timeZone: timeZoneSchema.nullable(),
  workingHours: workingHoursSchema,
};

const createSchema = z.object({
  ...fields,
  department: fields.department.optional(),
  salesTeamId: fields.salesTeamId.optional(),
  managerId: fields.managerId.optional(),
  backupUserId: fields.backupUserId.optional(),
  routingCapacity: fields.routingCapacity.optional(),
  routingWeight: fields.routingWeight.default(1),
  timeZone: fields.timeZone.optional(),
  workingHours: fields.workingHours.default([]),
});

const updateSchema = z.object({
  userId: uuid('user'),
  ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])),
  active: z.boolean().optional(),
}) as z.ZodType<{ userId: string; active?: boolean } & Partial<z.output<z.ZodObject<typeof fields>>>>;

const DEPARTMENT_OF: Record<UserRole, (typeof departments)[number]> = { admin: 'admin', marketing: 'marketing', sales: 'sales', viewer: 'admin' };

/** Checks that referenced people and teams exist (and can do what they are named for). */
async function checkReferences(
  db: DbOrTx,
  input: { salesTeamId?: string | null; managerId?: string | null; backupUserId?: string | null },
  self?: string,
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (input.salesTeamId) {
    const [team] = await db.select({ id: salesTeams.id }).from(salesTeams).where(eq(salesTeams.id, input.salesTeamId));
    if (!team) problems.push({ field: 'input.salesTeamId', message: `no sales team ${input.salesTeamId}` });
  }
  for (const key of ['managerId', 'backupUserId'] as const) {
    const id = input[key];
    if (!id) continue;
    if (id === self) {
      problems.push({ field: `input.${key}`, message: key === 'managerId' ? 'a user cannot manage themselves' : 'a user cannot be their own backup' });
      continue;
    }
    const [user] = await db.select({ active: users.active, role: users.role }).from(users).where(eq(users.id, id));
    if (!user) problems.push({ field: `input.${key}`, message: `no user ${id}` });
    else if (!user.active) problems.push({ field: `input.${key}`, message: 'that user is inactive' });
    else if (key === 'backupUserId' && user.role !== 'sales') problems.push({ field: `input.${key}`, message: `a backup takes leads: it must be a sales user (this one is ${user.role})` });
  }
  return problems;
}

async function emailTaken(db: DbOrTx, email: string, exceptId?: string): Promise<boolean> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(sql`lower(${users.email}) = ${email}`, exceptId ? ne(users.id, exceptId) : undefined));
  return !!row;
}

async function writeWorkingHours(tx: DbOrTx, userId: string, hours: z.output<typeof workingHoursSchema>) {
  await tx.delete(userWorkingHours).where(eq(userWorkingHours.userId, userId));
  if (hours.length) await tx.insert(userWorkingHours).values(hours.map((h) => ({ userId, weekday: h.weekday, startMinute: minutes(h.start), endMinute: minutes(h.end) })));
}

export async function createUser(db: Db, input: unknown): Promise<UserRow> {
  const args = parseInput(createSchema, input);
  const problems = await checkReferences(db, args);
  if (await emailTaken(db, args.email)) problems.unshift({ field: 'input.email', message: `a user with e-mail ${args.email} exists already` });
  if (args.salesTeamId && args.role !== 'sales') problems.push({ field: 'input.salesTeamId', message: `only sales users join a sales team (this one is ${args.role})` });
  if (problems.length) throw new ValidationError(problems);
  return conflictOnDuplicate(
    () =>
      db.transaction(async (tx) => {
        const [user] = await tx
          .insert(users)
          .values({
            email: args.email,
            name: args.name,
            role: args.role,
            team: args.department ?? DEPARTMENT_OF[args.role],
            salesTeamId: args.salesTeamId ?? null,
            managerId: args.managerId ?? null,
            backupUserId: args.backupUserId ?? null,
            routingCapacity: args.routingCapacity ?? (args.role === 'sales' ? 20 : 0),
            routingWeight: args.routingWeight,
            timeZone: args.timeZone ?? null,
          })
          .returning();
        await writeWorkingHours(tx, user!.id, args.workingHours);
        return user!;
      }),
    `a user with e-mail ${args.email} was created at the same time`,
  );
}

/** Revokes the user's keys that carry more than the role allows (all of them when `all`). */
async function revokeKeys(tx: DbOrTx, userId: string, keep: UserRole | null, at: Date): Promise<number> {
  const revoked = await tx
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt), keep ? sql`${apiKeys.role} not in (${keep}, 'viewer')` : undefined))
    .returning({ id: apiKeys.id });
  return revoked.length;
}

async function lockUser(tx: DbOrTx, userId: string): Promise<UserRow> {
  const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
  if (!user) throw new NotFoundError('User', userId);
  return user;
}

async function openLeadCount(tx: DbOrTx, userId: string): Promise<number> {
  const [row] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from leads where owner_id = ${userId}::uuid and stage in ('mql', 'sql', 'opportunity')`);
  return row!.n;
}

async function activeAdmins(tx: DbOrTx, exceptId: string): Promise<number> {
  const [row] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from users where role = 'admin' and active and id <> ${exceptId}::uuid`);
  return row!.n;
}

/** Nobody is backed up by someone who left, and a team they managed has no manager. */
async function forgetLeaver(tx: DbOrTx, userId: string, now: Date): Promise<void> {
  await tx.execute(sql`update users set backup_user_id = null where backup_user_id = ${userId}::uuid`);
  await tx.execute(sql`update sales_teams set manager_id = null, updated_at = ${now.toISOString()}::timestamptz where manager_id = ${userId}::uuid`);
}

export async function updateUser(db: Db, input: unknown, now = new Date()): Promise<{ user: UserRow; keysRevoked: number }> {
  const args = parseInput(updateSchema, input);
  return db.transaction(async (tx) => {
    const user = await lockUser(tx, args.userId);
    const role = args.role ?? user.role;
    const problems = await checkReferences(tx, args, user.id);
    if (args.email && (await emailTaken(tx, args.email, user.id))) problems.unshift({ field: 'input.email', message: `a user with e-mail ${args.email} exists already` });
    const team = args.salesTeamId !== undefined ? args.salesTeamId : user.salesTeamId;
    if (team && role !== 'sales') problems.push({ field: 'input.salesTeamId', message: `only sales users join a sales team (this one is ${role})` });
    if (problems.length) throw new ValidationError(problems);
    if (user.role === 'admin' && (role !== 'admin' || args.active === false) && (await activeAdmins(tx, user.id)) === 0)
      throw new ConflictError('this is the last active admin: make another admin first');
    if (user.role === 'sales' && role !== 'sales' && (await openLeadCount(tx, user.id)) > 0)
      throw new ConflictError(`${user.email} owns open leads: hand them on first (deactivateUser, or reassign them) before changing the role`);
    if (args.active === false && user.active && (await openLeadCount(tx, user.id)) > 0)
      throw new ConflictError(`${user.email} owns open leads: deactivateUser hands them on by the rule you choose`);
    const deactivating = args.active === false && user.active;
    const [updated] = await tx
      .update(users)
      .set({
        ...(args.name !== undefined ? { name: args.name } : {}),
        ...(args.email !== undefined ? { email: args.email } : {}),
        ...(args.role !== undefined ? { role: args.role, team: args.department ?? DEPARTMENT_OF[args.role] } : {}),
        ...(args.department !== undefined ? { team: args.department } : {}),
        ...(args.salesTeamId !== undefined ? { salesTeamId: args.salesTeamId } : {}),
        ...(args.managerId !== undefined ? { managerId: args.managerId } : {}),
        ...(args.backupUserId !== undefined ? { backupUserId: args.backupUserId } : {}),
        ...(args.routingCapacity !== undefined ? { routingCapacity: args.routingCapacity } : {}),
        ...(args.routingWeight !== undefined ? { routingWeight: args.routingWeight } : {}),
        ...(args.timeZone !== undefined ? { timeZone: args.timeZone } : {}),
        ...(args.active !== undefined ? { active: args.active, deactivatedAt: args.active ? null : (user.deactivatedAt ?? now) } : {}),
        updatedAt: now,
      })
      .where(eq(users.id, user.id))
      .returning();
    if (args.workingHours !== undefined) await writeWorkingHours(tx, user.id, args.workingHours);
    if (deactivating) await forgetLeaver(tx, user.id, now);
    const keysRevoked = deactivating ? await revokeKeys(tx, user.id, null, now) : role !== user.role ? await revokeKeys(tx, user.id, role, now) : 0;
    return { user: updated!, keysRevoked };
  });
}

const handoverSchema = z.discriminatedUnion('to', [
  z.object({ to: z.literal('routing') }),
  z.object({ to: z.literal('rep'), userId: uuid('user') }),
  z.object({ to: z.literal('marketing'), reasonCode: z.string().trim().min(1, 'a reason code is required to send leads back to Marketing') }),
]);

const deactivateSchema = z.object({ userId: uuid('user'), handover: handoverSchema.optional() });

export interface DeactivationResult {
  user: UserRow;
  keysRevoked: number;
  reassigned: number;
  recycled: number;
  /** Leads not with Sales (recycled, disqualified, customers) whose owner changed too. */
  closedLeadsReleased: number;
}

/**
 * Deactivates a user: its keys are revoked at once and its open leads handed on by the rule (to
 * routing, to a named rep, or back to Marketing with a reason), each change audited with an event.
 * Leads no longer with Sales lose the inactive owner too (to the named rep, else none). Refuses,
 * changing nothing, when a lead cannot be placed or the rule does not fit.
 */
export async function deactivateUser(db: Db, actor: { userId: string }, input: unknown, now = new Date()): Promise<DeactivationResult> {
  const args = parseInput(deactivateSchema, input);
  return db.transaction(async (tx) => {
    const user = await lockUser(tx, args.userId);
    if (!user.active) throw new ConflictError(`${user.email} is already inactive`);
    if (user.role === 'admin' && (await activeAdmins(tx, user.id)) === 0) throw new ConflictError('this is the last active admin: make another admin first');
    const open = await openLeadCount(tx, user.id);
    if (open > 0 && !args.handover) {
      throw new ValidationError([{ field: 'input.handover', message: `${user.email} owns ${open} open leads: say where they go (ROUTING, REP with a userId, or MARKETING with a reason code)` }]);
    }
    const rule = (args.handover ?? { to: 'routing' }) as HandoverRule;
    if (rule.to === 'rep') {
      const [target] = await tx.select().from(users).where(eq(users.id, rule.userId));
      const problem = !target ? `no user ${rule.userId}` : target.id === user.id ? 'the leads cannot go to the user being deactivated' : !target.active ? 'that user is inactive' : target.role !== 'sales' ? `only sales users take leads (this one is ${target.role})` : null;
      if (problem) throw new ValidationError([{ field: 'input.handover.userId', message: problem }]);
    }
    await tx.update(users).set({ active: false, deactivatedAt: now, updatedAt: now }).where(eq(users.id, user.id));
    const keysRevoked = await revokeKeys(tx, user.id, null, now);
    const reason = `${user.name} deactivated: ${rule.to === 'routing' ? 'back to routing' : rule.to === 'rep' ? 'to a named rep' : `back to Marketing (${rule.reasonCode})`}`;
    const handed = await handOverLeads(tx, { fromUserId: user.id, rule, actorUserId: actor.userId, at: now, reason, strict: true });
    // Leads no longer with Sales keep no inactive owner either.
    const closed = await rows<{ id: string }>(tx, sql`select id from leads where owner_id = ${user.id}::uuid order by id for update`);
    await changeOwners(tx, closed.map((l) => ({ leadId: l.id, from: user.id, to: rule.to === 'rep' ? rule.userId : null })), { reason, actorUserId: actor.userId, at: now });
    await forgetLeaver(tx, user.id, now);
    const [fresh] = await tx.select().from(users).where(eq(users.id, user.id));
    return { user: fresh!, keysRevoked, reassigned: handed.reassigned, recycled: handed.recycled, closedLeadsReleased: closed.length };
  });
}
