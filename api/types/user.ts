import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { users } from '../../db/schema/index';
import { builder } from '../builder';
import type { UserRow } from '../loaders';
import { keysetConnection } from '../pagination';
import { TeamEnum, UserRoleEnum } from './enums';
import { UserRef } from './refs';
import { connectionComplexity } from '../limits';

UserRef.implement({
  description: 'A person using the platform: a marketer, a sales rep or manager, an admin or a BI viewer.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Full name (shown in reports, e.g. per-rep KPIs).' }),
    email: t.exposeString('email', {
      nullable: true,
      description: 'Work e-mail. Personal data: null for viewers.',
      authScopes: { personalData: true },
      unauthorizedResolver: () => null,
    }),
    team: t.field({ type: TeamEnum, resolve: (user) => user.team }),
    role: t.field({ type: UserRoleEnum, resolve: (user) => user.role }),
    active: t.exposeBoolean('active', { description: 'Inactive users get no new leads from routing.' }),
    routingCapacity: t.exposeInt('routingCapacity', {
      description: 'How many open hand-offs the rep can hold at once.',
    }),
    manager: t.field({
      type: UserRef,
      nullable: true,
      description: "The rep's sales manager.",
      resolve: (user) => user.managerId,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const UserFilter = builder.inputType('UserFilter', {
  description: 'Narrows the user list; all given conditions must hold.',
  fields: (t) => ({
    team: t.field({ type: TeamEnum, required: false }),
    role: t.field({ type: UserRoleEnum, required: false }),
    active: t.boolean({ required: false }),
  }),
});

builder.queryFields((t) => ({
  users: t.connection({
    complexity: connectionComplexity,
    type: UserRef,
    description: 'Users ordered by name.',
    authScopes: { authenticated: true },
    args: { filter: t.arg({ type: UserFilter, required: false }) },
    resolve: (_root, args, ctx) =>
      keysetConnection(args, (user: UserRow) => [user.name, user.id], ['text', 'uuid'], async ({ before, after, limit, inverted }) => {
        const conditions: (SQL | undefined)[] = [
          args.filter?.team ? eq(users.team, args.filter.team) : undefined,
          args.filter?.role ? eq(users.role, args.filter.role) : undefined,
          args.filter?.active != null ? eq(users.active, args.filter.active) : undefined,
        ];
        if (after) conditions.push(sql`(${users.name}, ${users.id}) > (${after[0]}, ${after[1]})`);
        if (before) conditions.push(sql`(${users.name}, ${users.id}) < (${before[0]}, ${before[1]})`);
        return ctx.db
          .select()
          .from(users)
          .where(and(...conditions))
          .orderBy(...(inverted ? [desc(users.name), desc(users.id)] : [asc(users.name), asc(users.id)]))
          .limit(limit);
      }),
  }),
  me: t.field({
    type: UserRef,
    description: 'The user behind the API key of this request.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => ctx.viewer!.userId,
  }),
}));
