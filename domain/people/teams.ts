import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { salesTeams, users } from '../../db/schema/index';
import { conflictOnDuplicate, NotFoundError, ValidationError, type FieldProblem } from '../errors';
import { parseInput } from '../validation';

// Sales teams: a routing pool (an agreement's routing may name one) with a manager who sees the
// team's queues and breaches. Reps join a team through updateUser(salesTeamId).

type TeamRow = typeof salesTeams.$inferSelect;

const name = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');
const createSchema = z.object({ name, managerId: z.string().uuid('not a user id').nullable().optional() });
const updateSchema = z.object({ teamId: z.string().uuid('not a sales team id'), name: name.optional(), managerId: z.string().uuid('not a user id').nullable().optional() });

async function checkManager(db: Db, managerId: string | null | undefined): Promise<FieldProblem[]> {
  if (!managerId) return [];
  const [user] = await db.select({ active: users.active, role: users.role }).from(users).where(eq(users.id, managerId));
  if (!user) return [{ field: 'input.managerId', message: `no user ${managerId}` }];
  if (!user.active) return [{ field: 'input.managerId', message: 'that user is inactive' }];
  return [];
}

async function nameTaken(db: Db, value: string, exceptId?: string): Promise<boolean> {
  const found = await db
    .select({ id: salesTeams.id })
    .from(salesTeams)
    .where(sql`lower(${salesTeams.name}) = lower(${value}) ${exceptId ? sql`and ${salesTeams.id} <> ${exceptId}::uuid` : sql``}`);
  return found.length > 0;
}

export async function createSalesTeam(db: Db, input: unknown): Promise<TeamRow> {
  const args = parseInput(createSchema, input);
  const problems = await checkManager(db, args.managerId);
  if (await nameTaken(db, args.name)) problems.unshift({ field: 'input.name', message: `a sales team named "${args.name}" exists already` });
  if (problems.length) throw new ValidationError(problems);
  return conflictOnDuplicate(async () => {
    const [team] = await db.insert(salesTeams).values({ name: args.name, managerId: args.managerId ?? null }).returning();
    return team!;
  }, `a sales team named "${args.name}" was created at the same time`);
}

export async function updateSalesTeam(db: Db, input: unknown): Promise<TeamRow> {
  const args = parseInput(updateSchema, input);
  const [existing] = await db.select().from(salesTeams).where(eq(salesTeams.id, args.teamId));
  if (!existing) throw new NotFoundError('SalesTeam', args.teamId);
  const problems = await checkManager(db, args.managerId);
  if (args.name && (await nameTaken(db, args.name, args.teamId))) problems.unshift({ field: 'input.name', message: `a sales team named "${args.name}" exists already` });
  if (problems.length) throw new ValidationError(problems);
  return conflictOnDuplicate(async () => {
    const [team] = await db
      .update(salesTeams)
      .set({ ...(args.name ? { name: args.name } : {}), ...(args.managerId !== undefined ? { managerId: args.managerId } : {}), updatedAt: new Date() })
      .where(eq(salesTeams.id, args.teamId))
      .returning();
    return team!;
  }, `a sales team named "${args.name}" exists already`);
}
