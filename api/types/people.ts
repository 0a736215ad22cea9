import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { salesTeams, userAbsences, users, userWorkingHours } from '../../db/schema/index';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors';
import { createAbsence, deleteAbsence } from '../../domain/people/absences';
import { createSalesTeam, updateSalesTeam } from '../../domain/people/teams';
import { createUser, deactivateUser, updateUser, type DeactivationResult } from '../../domain/people/users';
import { builder } from '../builder';
import { isUuid, type SalesTeamRow, type UserRow } from '../loaders';
import { TeamEnum, UserRoleEnum } from './enums';
import { SalesTeamRef, UserRef } from './refs';

// People and teams: admins add, change and deactivate users and sales teams; a rep (or an admin)
// enters out-of-office periods. The same domain functions back `npm run users`.

type AbsenceRow = typeof userAbsences.$inferSelect;
type HoursRow = typeof userWorkingHours.$inferSelect;

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const WorkingHoursRef = builder.objectRef<HoursRow>('WorkingHours').implement({
  description: 'A rep’s working hours on one weekday, in the rep’s time zone.',
  fields: (t) => ({
    weekday: t.exposeInt('weekday', { description: '1 = Monday … 7 = Sunday.' }),
    start: t.string({ description: 'HH:MM', resolve: (h) => hhmm(h.startMinute) }),
    end: t.string({ description: 'HH:MM', resolve: (h) => hhmm(h.endMinute) }),
  }),
});

export const OutOfOfficeRef = builder.objectRef<AbsenceRow>('OutOfOffice').implement({
  description:
    'A period a rep is away: routing skips them, and when it begins their due leads go to the backup or back to routing (the agreement’s routing.absenceHandover).',
  fields: (t) => ({
    id: t.exposeID('id'),
    user: t.field({ type: UserRef, resolve: (a) => a.userId }),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    backup: t.field({ type: UserRef, nullable: true, description: 'Takes the rep’s due leads; the rep’s own backup when null.', resolve: (a) => a.backupUserId }),
    note: t.exposeString('note', { nullable: true, description: 'Free text (only admins and the person see absences).' }),
    handedOverAt: t.expose('handedOverAt', { type: 'DateTime', nullable: true, description: 'When the rep’s due leads were handed over.' }),
  }),
});

SalesTeamRef.implement({
  description: 'A sales team: a routing pool (an agreement’s routing may name it) with a manager who sees its queues and breaches.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    manager: t.field({ type: UserRef, nullable: true, resolve: (team) => team.managerId }),
    members: t.loadableList({
      type: UserRef,
      description: 'Its reps, by name.',
      load: async (ids: string[], ctx) => {
        const found = await ctx.db.select().from(users).where(inArray(users.salesTeamId, ids)).orderBy(asc(users.name));
        return ids.map((id) => found.filter((u) => u.salesTeamId === id));
      },
      resolve: (team) => team.id,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.objectFields(UserRef, (t) => ({
  routingWeight: t.exposeInt('routingWeight', { description: 'Share of round-robin routing: 2 gets twice the leads of 1.' }),
  salesTeam: t.field({ type: SalesTeamRef, nullable: true, resolve: (u) => u.salesTeamId }),
  timeZone: t.exposeString('timeZone', { nullable: true, description: 'For the rep’s working hours; the agreement’s when null.' }),
  backup: t.field({ type: UserRef, nullable: true, description: 'Covers the rep’s due leads while out of office.', resolve: (u) => u.backupUserId }),
  deactivatedAt: t.expose('deactivatedAt', { type: 'DateTime', nullable: true }),
  workingHours: t.loadableList({
    type: WorkingHoursRef,
    description: 'When the response clock follows the owner (routing.ownerCalendar), it counts these hours.',
    load: async (ids: string[], ctx) => {
      const found = await ctx.db.select().from(userWorkingHours).where(inArray(userWorkingHours.userId, ids)).orderBy(asc(userWorkingHours.weekday), asc(userWorkingHours.startMinute));
      return ids.map((id) => found.filter((h) => h.userId === id));
    },
    resolve: (u) => u.id,
  }),
  outOfOffice: t.loadableList({
    type: OutOfOfficeRef,
    description: 'Current and coming out-of-office periods, soonest first: admins see everyone’s, others only their own (an empty list otherwise).',
    load: async (ids: string[], ctx) => {
      // When and why someone is away is theirs and their managers' to know.
      const visible = ctx.viewer?.role === 'admin' ? ids : ids.filter((id) => id === ctx.viewer?.userId);
      const found = visible.length
        ? await ctx.db
            .select()
            .from(userAbsences)
            .where(and(inArray(userAbsences.userId, visible), gt(userAbsences.endsAt, new Date())))
            .orderBy(asc(userAbsences.startsAt))
        : [];
      return ids.map((id) => found.filter((a) => a.userId === id));
    },
    resolve: (u) => u.id,
  }),
}));

const errors = { types: [ValidationError, NotFoundError, ConflictError, ForbiddenError] };
const admin = { authScopes: { admin: true } } as const;
const idOf = (kind: string, id: { id: string } | null | undefined) => {
  if (id == null) return id;
  if (!isUuid(id.id)) throw new NotFoundError(kind, id.id);
  return id.id;
};
const dropNulls = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

const WorkingHoursInput = builder.inputType('WorkingHoursInput', {
  fields: (t) => ({
    weekday: t.int({ required: true, description: '1 = Monday … 7 = Sunday.' }),
    start: t.string({ required: true, description: 'HH:MM' }),
    end: t.string({ required: true, description: 'HH:MM (24:00 for midnight)' }),
  }),
});

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    name: t.string({ required: true }),
    role: t.field({ type: UserRoleEnum, required: true, description: 'Bounds the roles of the user’s API keys.' }),
    department: t.field({ type: TeamEnum, required: false, description: 'Default from the role.' }),
    salesTeamId: t.globalID({ required: false, for: SalesTeamRef, description: 'Sales users only.' }),
    managerId: t.globalID({ required: false, for: UserRef }),
    backupUserId: t.globalID({ required: false, for: UserRef, description: 'An active sales user who covers while this one is out of office.' }),
    routingCapacity: t.int({ required: false, description: 'Open hand-offs the rep can hold at once. Default 20 for sales, else 0.' }),
    routingWeight: t.int({ required: false, description: '1–1000, default 1.' }),
    timeZone: t.string({ required: false, description: 'IANA zone for the working hours, e.g. Europe/Berlin.' }),
    workingHours: t.field({ type: [WorkingHoursInput], required: false }),
  }),
});

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  description: 'Only the fields given change; null clears an optional one.',
  fields: (t) => ({
    userId: t.globalID({ required: true, for: UserRef }),
    email: t.string({ required: false }),
    name: t.string({ required: false }),
    role: t.field({ type: UserRoleEnum, required: false, description: 'Lowering it revokes the keys that carried more.' }),
    department: t.field({ type: TeamEnum, required: false }),
    active: t.boolean({ required: false, description: 'false is refused while the user owns open leads: deactivateUser hands them on.' }),
    salesTeamId: t.globalID({ required: false, for: SalesTeamRef }),
    managerId: t.globalID({ required: false, for: UserRef }),
    backupUserId: t.globalID({ required: false, for: UserRef }),
    routingCapacity: t.int({ required: false }),
    routingWeight: t.int({ required: false }),
    timeZone: t.string({ required: false }),
    workingHours: t.field({ type: [WorkingHoursInput], required: false, description: 'Replaces them all ([] clears).' }),
  }),
});

const HandoverTargetEnum = builder.enumType('HandoverTarget', {
  description: 'Where a leaving rep’s open leads go.',
  values: {
    ROUTING: { value: 'routing', description: 'Back to routing: each lead to the next rep with capacity in its agreement’s pool.' },
    REP: { value: 'rep', description: 'All to one named, active sales rep.' },
    MARKETING: { value: 'marketing', description: 'Back to Marketing: recycled with the reason code given.' },
  } as const,
});

const HandoverInput = builder.inputType('HandoverInput', {
  fields: (t) => ({
    to: t.field({ type: HandoverTargetEnum, required: true }),
    userId: t.globalID({ required: false, for: UserRef, description: 'For REP.' }),
    reasonCode: t.string({ required: false, description: 'For MARKETING: one of the agreement’s recycle reason codes.' }),
  }),
});

const DeactivateUserInput = builder.inputType('DeactivateUserInput', {
  fields: (t) => ({
    userId: t.globalID({ required: true, for: UserRef }),
    handover: t.field({ type: HandoverInput, required: false, description: 'Required when the user owns open leads.' }),
  }),
});

const UserPayload = builder.objectRef<{ user: UserRow; keysRevoked: number }>('UserPayload').implement({
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (p) => p.user }),
    keysRevoked: t.exposeInt('keysRevoked', { description: 'Keys revoked by this change (a lower role, or deactivation).' }),
  }),
});

const DeactivateUserPayload = builder.objectRef<DeactivationResult>('DeactivateUserPayload').implement({
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (p) => p.user }),
    keysRevoked: t.exposeInt('keysRevoked'),
    reassigned: t.exposeInt('reassigned', { description: 'Open leads that got a new owner.' }),
    recycled: t.exposeInt('recycled', { description: 'Open leads sent back to Marketing.' }),
    closedLeadsReleased: t.exposeInt('closedLeadsReleased', { description: 'Leads no longer with Sales that lost the inactive owner.' }),
  }),
});

const SalesTeamPayload = builder.objectRef<SalesTeamRow>('SalesTeamPayload').implement({
  fields: (t) => ({ team: t.field({ type: SalesTeamRef, resolve: (team) => team }) }),
});

const CreateSalesTeamInput = builder.inputType('CreateSalesTeamInput', {
  fields: (t) => ({ name: t.string({ required: true }), managerId: t.globalID({ required: false, for: UserRef }) }),
});
const UpdateSalesTeamInput = builder.inputType('UpdateSalesTeamInput', {
  fields: (t) => ({ teamId: t.globalID({ required: true, for: SalesTeamRef }), name: t.string({ required: false }), managerId: t.globalID({ required: false, for: UserRef }) }),
});

const CreateOutOfOfficeInput = builder.inputType('CreateOutOfOfficeInput', {
  fields: (t) => ({
    userId: t.globalID({ required: true, for: UserRef, description: 'A rep enters their own; admins anyone’s.' }),
    startsAt: t.field({ type: 'DateTime', required: true }),
    endsAt: t.field({ type: 'DateTime', required: true }),
    backupUserId: t.globalID({ required: false, for: UserRef }),
    note: t.string({ required: false }),
  }),
});

const OutOfOfficePayload = builder.objectRef<AbsenceRow>('OutOfOfficePayload').implement({
  fields: (t) => ({ outOfOffice: t.field({ type: OutOfOfficeRef, resolve: (a) => a }) }),
});

builder.queryFields((t) => ({
  salesTeams: t.field({
    type: [SalesTeamRef],
    description: 'Sales teams by name.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => ctx.db.select().from(salesTeams).orderBy(asc(salesTeams.name)).limit(500),
  }),
}));

builder.mutationFields((t) => ({
  createUser: t.field({
    ...admin,
    type: UserPayload,
    description: 'Add a person. Give them a key with createApiKey (or npm run keys); the role bounds the key’s role.',
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    errors,
    resolve: async (_r, { input }, ctx) => ({
      user: await createUser(ctx.db, dropNulls({ ...input, salesTeamId: idOf('SalesTeam', input.salesTeamId), managerId: idOf('User', input.managerId), backupUserId: idOf('User', input.backupUserId) })),
      keysRevoked: 0,
    }),
  }),
  updateUser: t.field({
    ...admin,
    type: UserPayload,
    description: 'Change a person: name, e-mail, role, active, team, routing weight and capacity, working hours, backup.',
    args: { input: t.arg({ type: UpdateUserInput, required: true }) },
    errors,
    resolve: (_r, { input }, ctx) => {
      // Explicit nulls clear optional fields; absent fields stay.
      const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      for (const key of ['salesTeamId', 'managerId', 'backupUserId'] as const) if (key in given) given[key] = idOf(key === 'salesTeamId' ? 'SalesTeam' : 'User', input[key]) ?? null;
      for (const key of ['email', 'name', 'role', 'department', 'active', 'routingCapacity', 'routingWeight', 'workingHours'] as const) if (given[key] === null) delete given[key];
      return updateUser(ctx.db, { ...given, userId: idOf('User', input.userId) });
    },
  }),
  deactivateUser: t.field({
    ...admin,
    type: DeactivateUserPayload,
    description:
      'A person leaves: their keys are revoked at once and their open leads handed on by the rule given (ROUTING, a named REP, or back to MARKETING with a reason), each change audited with a webhook event. Nothing stays owned by an inactive rep.',
    args: { input: t.arg({ type: DeactivateUserInput, required: true }) },
    errors,
    resolve: (_r, { input }, ctx) =>
      deactivateUser(ctx.db, ctx.viewer!, {
        userId: idOf('User', input.userId),
        ...(input.handover ? { handover: dropNulls({ to: input.handover.to, userId: idOf('User', input.handover.userId), reasonCode: input.handover.reasonCode }) } : {}),
      }),
  }),
  createSalesTeam: t.field({
    ...admin,
    type: SalesTeamPayload,
    description: 'A team of reps: name it in an agreement’s routing (salesTeamId) to route to its members.',
    args: { input: t.arg({ type: CreateSalesTeamInput, required: true }) },
    errors,
    resolve: (_r, { input }, ctx) => createSalesTeam(ctx.db, dropNulls({ name: input.name, managerId: idOf('User', input.managerId) })),
  }),
  updateSalesTeam: t.field({
    ...admin,
    type: SalesTeamPayload,
    args: { input: t.arg({ type: UpdateSalesTeamInput, required: true }) },
    errors,
    resolve: (_r, { input }, ctx) =>
      updateSalesTeam(ctx.db, {
        teamId: idOf('SalesTeam', input.teamId),
        ...(input.name != null ? { name: input.name } : {}),
        ...(input.managerId !== undefined ? { managerId: idOf('User', input.managerId) ?? null } : {}),
      }),
  }),
  createOutOfOffice: t.field({
    authScopes: { admin: true, sales: true },
    type: OutOfOfficePayload,
    description: 'A rep will be away: routing skips them meanwhile, and their due leads go to the backup (or routing) when it begins.',
    args: { input: t.arg({ type: CreateOutOfOfficeInput, required: true }) },
    errors,
    resolve: (_r, { input }, ctx) => {
      const userId = idOf('User', input.userId)!;
      if (ctx.viewer!.role !== 'admin' && userId !== ctx.viewer!.userId) throw new ForbiddenError('a rep enters only their own out-of-office');
      return createAbsence(ctx.db, ctx.viewer!, dropNulls({ userId, startsAt: input.startsAt, endsAt: input.endsAt, backupUserId: idOf('User', input.backupUserId), note: input.note }));
    },
  }),
  cancelOutOfOffice: t.field({
    authScopes: { admin: true, sales: true },
    type: OutOfOfficePayload,
    description: 'Remove an out-of-office period (leads already handed over stay where they went).',
    args: { input: t.arg({ type: builder.inputType('CancelOutOfOfficeInput', { fields: (f) => ({ id: f.id({ required: true }) }) }), required: true }) },
    errors,
    resolve: async (_r, { input }, ctx) => {
      const id = String(input.id);
      if (!isUuid(id)) throw new NotFoundError('OutOfOffice', id);
      const [absence] = await ctx.db.select().from(userAbsences).where(eq(userAbsences.id, id));
      if (!absence) throw new NotFoundError('OutOfOffice', id);
      if (ctx.viewer!.role !== 'admin' && absence.userId !== ctx.viewer!.userId) throw new ForbiddenError('a rep removes only their own out-of-office');
      return deleteAbsence(ctx.db, id);
    },
  }),
}));
