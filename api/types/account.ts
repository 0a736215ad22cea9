import { and, asc, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { accounts } from '../../db/schema/index';
import { builder } from '../builder';
import { loadAccountRollups, type AccountRow } from '../loaders';
import { keysetConnection } from '../pagination';
import { AccountRef, UserRef } from './refs';
import { connectionComplexity } from '../limits';

interface AccountRollup {
  accountId: string;
  leadCount: number;
  fitScore: number;
  interestScore: number;
  maxScore: number;
  mqlOrBeyond: number;
}

const AccountRollupRef = builder.objectRef<AccountRollup>('AccountRollup').implement({
  description: "An account's score rolled up from its leads.",
  authScopes: { authenticated: true },
  fields: (t) => ({
    leadCount: t.exposeInt('leadCount', { description: 'Leads joined to the account by e-mail domain.' }),
    fitScore: t.exposeInt('fitScore', { description: 'Sum of the leads’ fit scores.' }),
    interestScore: t.exposeInt('interestScore', { description: 'Sum of the leads’ interest scores.' }),
    score: t.int({
      description: 'Account score: the sum of its leads’ scores (fit + interest).',
      resolve: (r) => r.fitScore + r.interestScore,
    }),
    bestLeadScore: t.exposeInt('maxScore', { description: 'Highest single lead score in the account.' }),
    engagedLeadCount: t.exposeInt('mqlOrBeyond', { description: 'Leads at MQL or further down the funnel.' }),
  }),
});

AccountRef.implement({
  description: 'A company. Leads join their account by e-mail domain.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    domain: t.exposeString('domain', { description: 'E-mail domain that joins leads to the account.' }),
    industry: t.exposeString('industry', { nullable: true }),
    employeeCount: t.exposeInt('employeeCount', { nullable: true }),
    country: t.exposeString('country', { nullable: true, description: 'ISO 3166-1 alpha-2 code.' }),
    isTarget: t.exposeBoolean('isTarget', { description: 'A named target account (ABM).' }),
    owner: t.field({ type: UserRef, nullable: true, resolve: (account) => account.ownerId }),
    rollup: t.loadable({
      type: AccountRollupRef,
      description: 'Score roll-up of the account’s leads (one statement for all accounts on a page).',
      load: async (ids: string[], ctx) => {
        const rows = await loadAccountRollups(ctx.db, ids);
        const byId = new Map(rows.map((row) => [row.accountId, row]));
        return ids.map(
          (id) =>
            byId.get(id) ?? { accountId: id, leadCount: 0, fitScore: 0, interestScore: 0, maxScore: 0, mqlOrBeyond: 0 },
        );
      },
      resolve: (account) => account.id,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const AccountFilter = builder.inputType('AccountFilter', {
  description: 'Narrows the account list; all given conditions must hold.',
  fields: (t) => ({
    search: t.string({ required: false, description: 'Part of the name or domain, case-insensitive.' }),
    isTarget: t.boolean({ required: false }),
    industry: t.string({ required: false }),
  }),
});

builder.queryFields((t) => ({
  accounts: t.connection({
    complexity: connectionComplexity,
    type: AccountRef,
    description: 'Accounts ordered by name.',
    authScopes: { authenticated: true },
    args: { filter: t.arg({ type: AccountFilter, required: false }) },
    resolve: (_root, args, ctx) =>
      keysetConnection(args, (a: AccountRow) => [a.name, a.id], ['text', 'uuid'], ({ before, after, limit, inverted }) => {
        const f = args.filter;
        const search = f?.search ? `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
        const conditions: (SQL | undefined)[] = [
          search ? or(ilike(accounts.name, search), ilike(accounts.domain, search)) : undefined,
          f?.isTarget != null ? eq(accounts.isTarget, f.isTarget) : undefined,
          f?.industry ? eq(accounts.industry, f.industry) : undefined,
          after ? sql`(${accounts.name}, ${accounts.id}) > (${after[0]}, ${after[1]})` : undefined,
          before ? sql`(${accounts.name}, ${accounts.id}) < (${before[0]}, ${before[1]})` : undefined,
        ];
        return ctx.db
          .select()
          .from(accounts)
          .where(and(...conditions))
          .orderBy(...(inverted ? [desc(accounts.name), desc(accounts.id)] : [asc(accounts.name), asc(accounts.id)]))
          .limit(limit);
      }),
  }),
}));
