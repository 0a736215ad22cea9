import { sql } from 'drizzle-orm';
// The people: one admin, marketers, sales managers and reps (who differ in speed, channels and
// discipline — the reports should show it), and a few BI viewers.
import type { DbOrTx } from '../client';
import * as schema from '../schema/index';
import type { ContactChannel } from '../schema/enums';
import { DAY_MS } from './calendar';
import { Random, WeightedTable, clamp } from './random';
import { firstNames, lastNames } from './vocabulary';

export type RepSpeed = 'fast' | 'normal' | 'slow';

export interface RepProfile {
  id: string;
  name: string;
  active: boolean;
  /** Routed leads only while employed: [joinedAt, leftAt). */
  joinedAt: number;
  leftAt: number | null;
  weight: number;
  capacity: number;
  speed: RepSpeed;
  /** Median business minutes from hand-off to the rep's first look at a lead. */
  responseMedianMinutes: number;
  channels: WeightedTable<ContactChannel>;
  /** Share of unresponsive leads the rep chases to the last allowed attempt (others: gives up early). */
  persistence: number;
  /** How often the rep calls again before the agreed minimum interval. */
  tooSoonRate: number;
  /** How often the rep uses a channel the agreement does not list (social, sms). */
  offChannelRate: number;
  /** Multiplies the chance to accept an MQL and to win a deal. */
  acceptBias: number;
  winSkill: number;
}

export interface SeedUsers {
  adminId: string;
  marketerIds: string[];
  managerIds: string[];
  reps: RepProfile[];
  viewerIds: string[];
  total: number;
}

/** Users grow slowly with the data set: 50 up to 20k leads, ~350 at a million. */
export function userCountFor(leads: number): number {
  return Math.max(50, Math.round(50 * Math.sqrt(leads / 20_000)));
}

export async function seedUsers(db: DbOrTx, rng: Random, leads: number, now: number): Promise<SeedUsers> {
  const total = userCountFor(leads);
  const viewers = Math.max(2, Math.round(total * 0.05));
  const marketers = Math.max(4, Math.round(total * 0.18));
  const sales = total - 1 - viewers - marketers;
  const managers = Math.max(1, Math.ceil((sales - 1) / 9));
  const repCount = sales - 1 - managers;

  const usedEmails = new Set<string>(['admin@example.com']);
  const person = () => {
    for (;;) {
      const first = rng.pick(firstNames);
      const last = rng.pick(lastNames);
      const email = `${first}.${last}@example.com`.toLowerCase().replace(/[^a-z.@]/g, '');
      if (usedEmails.has(email)) continue;
      usedEmails.add(email);
      return { name: `${first} ${last}`, email };
    }
  };
  const longAgo = () => now - rng.int(400, 1500) * DAY_MS;
  type UserRow = typeof schema.users.$inferInsert;
  const rows: UserRow[] = [];

  const adminId = rng.uuid();
  rows.push({ id: adminId, email: 'admin@example.com', name: 'Avery Admin', team: 'admin', role: 'admin', createdAt: new Date(now - 1500 * DAY_MS) });

  const marketerIds: string[] = [];
  for (let i = 0; i < marketers; i++) {
    const id = rng.uuid();
    marketerIds.push(id);
    rows.push({ id, ...person(), team: 'marketing', role: 'marketing', managerId: i === 0 ? null : marketerIds[0]!, createdAt: new Date(longAgo()) });
  }

  const headOfSales = rng.uuid();
  rows.push({ id: headOfSales, ...person(), team: 'sales', role: 'sales', createdAt: new Date(longAgo()) });
  const managerIds = [headOfSales];
  for (let i = 0; i < managers; i++) {
    const id = rng.uuid();
    managerIds.push(id);
    rows.push({ id, ...person(), team: 'sales', role: 'sales', managerId: headOfSales, createdAt: new Date(longAgo()) });
  }

  const reps: RepProfile[] = [];
  const inactiveCount = repCount >= 30 ? 2 : repCount >= 8 ? 1 : 0;
  for (let i = 0; i < repCount; i++) {
    const id = rng.uuid();
    const who = person();
    const inactive = i >= repCount - inactiveCount;
    const joinedAt = !inactive && rng.chance(0.15) ? now - rng.int(30, 300) * DAY_MS : longAgo();
    const leftAt = inactive ? now - rng.int(60, 150) * DAY_MS : null;
    const speed = rng.weighted<RepSpeed>([['fast', 35], ['normal', 55], ['slow', 10]]);
    const responseMedianMinutes =
      speed === 'fast' ? rng.float(20, 45) : speed === 'normal' ? rng.float(45, 120) : rng.float(400, 1000);
    // Channel habits: phone people, e-mail people and the odd video-first rep.
    const style = rng.weighted([['phone', 45], ['email', 35], ['video', 20]] as const);
    const channels = WeightedTable.of<ContactChannel>(
      style === 'phone'
        ? [['phone', 65], ['email', 28], ['video', 7]]
        : style === 'email'
          ? [['phone', 25], ['email', 68], ['video', 7]]
          : [['phone', 35], ['email', 35], ['video', 30]],
    );
    const weight = rng.weighted([[1, 25], [2, 50], [3, 25]] as const);
    const capacity = weight * 20 + rng.int(0, 20);
    reps.push({
      id,
      name: who.name,
      active: !inactive,
      joinedAt,
      leftAt,
      weight,
      capacity,
      speed,
      responseMedianMinutes,
      channels,
      persistence: clamp(rng.normal(0.6, 0.2), 0.1, 0.95),
      tooSoonRate: clamp(rng.exponential(0.08), 0.01, 0.4),
      offChannelRate: rng.chance(0.2) ? rng.float(0.02, 0.08) : 0,
      acceptBias: clamp(rng.normal(1, 0.12), 0.7, 1.3),
      winSkill: clamp(rng.normal(1, 0.18), 0.6, 1.5),
    });
    rows.push({
      id,
      ...who,
      team: 'sales',
      role: 'sales',
      managerId: managerIds[1 + (i % managers)]!,
      routingCapacity: capacity,
      routingWeight: weight,
      active: !inactive,
      deactivatedAt: leftAt ? new Date(leftAt) : null,
      createdAt: new Date(joinedAt),
      updatedAt: new Date(leftAt ?? joinedAt),
    });
  }

  const viewerIds: string[] = [];
  for (let i = 0; i < viewers; i++) {
    const id = rng.uuid();
    viewerIds.push(id);
    rows.push({ id, ...person(), team: i % 2 === 0 ? 'marketing' : 'sales', role: 'viewer', createdAt: new Date(longAgo()) });
  }

  for (const row of rows) row.updatedAt ??= row.createdAt;
  // Managers are referenced by later rows, so insert in order (batches keep statements small).
  for (let i = 0; i < rows.length; i += 500) await db.insert(schema.users).values(rows.slice(i, i + 500));

  // Each sales manager's reps are a sales team (drawn last: earlier ids do not change).
  const managed = [...new Set(rows.filter((r) => r.role === 'sales' && r.managerId).map((r) => r.managerId!))];
  const teamNames = new Set<string>();
  for (const managerId of managed) {
    const manager = rows.find((r) => r.id === managerId)!;
    const teamId = rng.uuid();
    let name = `${manager.name}'s team`;
    for (let n = 2; teamNames.has(name.toLowerCase()); n++) name = `${manager.name}'s team ${n}`;
    teamNames.add(name.toLowerCase());
    await db.insert(schema.salesTeams).values({ id: teamId, name, managerId, createdAt: manager.createdAt });
    await db.update(schema.users).set({ salesTeamId: teamId }).where(sql`${schema.users.managerId} = ${managerId}::uuid and ${schema.users.role} = 'sales'`);
  }

  return { adminId, marketerIds, managerIds, reps, viewerIds, total: rows.length };
}
