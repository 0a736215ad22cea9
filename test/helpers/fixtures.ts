import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import {
  accounts,
  agreementRevisions,
  leads,
  scoreLedger,
  slaAgreements,
  stageTransitions,
  users,
  type UserRole,
} from '../../db/schema/index';
import { createApiKey } from '../../domain/auth/api-keys';

export interface Fixture {
  keys: Record<'admin' | 'marketing' | 'salesA' | 'salesB' | 'viewer', string>;
  userIds: Record<'admin' | 'marketing' | 'salesA' | 'salesB' | 'viewer', string>;
  agreementId: string;
  revisionId: string;
  leadIds: string[];
  accountIds: string[];
}

/**
 * A small, hand-made world: one user and key per role (two sales reps), one active agreement,
 * `leadCount` leads spread over 10 accounts, alternately owned by the two reps, each with two
 * stage transitions and two ledger rows.
 */
export async function buildFixture(db: Db, leadCount = 120, options: { agreementStatus?: 'active' | 'archived' } = {}): Promise<Fixture> {
  const people: [keyof Fixture['keys'], string, UserRole, 'admin' | 'marketing' | 'sales'][] = [
    ['admin', 'Ada Admin', 'admin', 'admin'],
    ['marketing', 'Mia Marketer', 'marketing', 'marketing'],
    ['salesA', 'Sam Seller', 'sales', 'sales'],
    ['salesB', 'Sue Seller', 'sales', 'sales'],
    ['viewer', 'Vic Viewer', 'viewer', 'admin'],
  ];
  const userIds = {} as Fixture['userIds'];
  const keys = {} as Fixture['keys'];
  for (const [handle, name, role, team] of people) {
    const [user] = await db
      .insert(users)
      .values({ email: `${handle.toLowerCase()}@fixture.test`, name, role, team, routingCapacity: role === 'sales' ? 50 : 0 })
      .returning();
    userIds[handle] = user!.id;
    keys[handle] = (await createApiKey(db, { user: { id: user!.id }, name: `${handle} key` })).key;
  }

  const [agreement] = await db
    .insert(slaAgreements)
    .values({ name: 'Fixture SLA', status: 'draft', createdById: userIds.admin })
    .returning();
  const [revision] = await db
    .insert(agreementRevisions)
    .values({ agreementId: agreement!.id, number: 1, status: 'active', timeZone: 'Europe/Paris', activatedAt: new Date() })
    .returning();
  await db
    .update(slaAgreements)
    .set({ status: options.agreementStatus ?? 'active', activeRevisionId: revision!.id })
    .where(eq(slaAgreements.id, agreement!.id));

  const accountRows = await db
    .insert(accounts)
    .values(
      Array.from({ length: 10 }, (_, i) => ({
        name: `Account ${String(i).padStart(2, '0')}`,
        domain: `account${i}.test`,
        industry: i % 2 ? 'Software' : 'Retail',
        employeeCount: 50 * (i + 1),
        isTarget: i < 2,
      })),
    )
    .returning();

  const base = Date.UTC(2026, 0, 1);
  if (leadCount === 0) return { keys, userIds, agreementId: agreement!.id, revisionId: revision!.id, leadIds: [], accountIds: accountRows.map((a) => a.id) };
  const leadRows = await db
    .insert(leads)
    .values(
      Array.from({ length: leadCount }, (_, i) => ({
        email: `lead${i}@account${i % 10}.test`,
        firstName: `First${i}`,
        lastName: `Last${i}`,
        phone: `+1555000${String(i).padStart(4, '0')}`,
        title: i % 3 ? 'Marketing Manager' : 'VP Sales',
        source: ['paid_search', 'referral', 'events'][i % 3]!,
        accountId: accountRows[i % 10]!.id,
        ownerId: i % 2 ? userIds.salesB : userIds.salesA,
        agreementId: agreement!.id,
        revisionId: revision!.id,
        stage: 'mql' as const,
        fitScore: 10 + (i % 7),
        interestScore: 20 + (i % 11),
        createdAt: new Date(base + i * 3_600_000),
      })),
    )
    .returning({ id: leads.id, createdAt: leads.createdAt });

  await db.insert(stageTransitions).values(
    leadRows.flatMap((lead) => [
      { leadId: lead.id, fromStage: null, toStage: 'lead' as const, actorType: 'system' as const, occurredAt: lead.createdAt, revisionId: revision!.id },
      {
        leadId: lead.id,
        fromStage: 'lead' as const,
        toStage: 'mql' as const,
        actorType: 'system' as const,
        occurredAt: new Date(lead.createdAt.getTime() + 60_000),
        revisionId: revision!.id,
        reason: 'fit and interest thresholds met',
      },
    ]),
  );
  await db.insert(scoreLedger).values(
    leadRows.flatMap((lead, i) => [
      { leadId: lead.id, revisionId: revision!.id, dimension: 'fit' as const, reason: 'fit_rule' as const, points: 10 + (i % 7), occurredAt: lead.createdAt },
      { leadId: lead.id, revisionId: revision!.id, dimension: 'interest' as const, reason: 'interest_rule' as const, points: 20 + (i % 11), occurredAt: lead.createdAt },
    ]),
  );

  return {
    keys,
    userIds,
    agreementId: agreement!.id,
    revisionId: revision!.id,
    leadIds: leadRows.map((l) => l.id),
    accountIds: accountRows.map((a) => a.id),
  };
}
