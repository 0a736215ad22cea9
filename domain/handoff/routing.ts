import { sql } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import { pgArray } from '../../db/pg-array';
import type { BusinessCalendar } from '../clocks/business-hours';
import type { RevisionPolicy } from './context';

export interface PoolMember {
  userId: string;
  weight: number;
  /** Overrides the rep's own routing capacity for this agreement. */
  capacity: number | null;
}

/**
 * The routing pool: the sales team's reps (each with their own weight and capacity), plus the
 * agreement's explicit members (whose weight and capacity override the rep's). One statement.
 */
export async function routingPool(db: DbOrTx, routing: { salesTeamId: string | null; members: PoolMember[] }): Promise<PoolMember[]> {
  const explicit = new Map(routing.members.map((m) => [m.userId, m]));
  if (!routing.salesTeamId) return routing.members;
  const team = await rows<{ id: string; routing_weight: number }>(
    db,
    sql`select id, routing_weight from users where sales_team_id = ${routing.salesTeamId}::uuid and role = 'sales' order by id`,
  );
  for (const u of team) if (!explicit.has(u.id)) explicit.set(u.id, { userId: u.id, weight: u.routing_weight, capacity: null });
  return [...explicit.values()];
}

interface Candidate {
  userId: string;
  weight: number;
  capacity: number;
  open: number;
  assigned: number;
}

/**
 * Weighted round-robin with capacity: each hand-off goes to the active member furthest behind its
 * share over the last 30 days (assigned / weight, ties by user id), skipping members at capacity
 * (their hand-offs still routed, not yet accepted or rejected), inactive or out-of-office users and
 * users no longer in sales. Returns null when nobody can take the lead.
 */
export class Router {
  private constructor(
    private readonly candidates: Candidate[],
    private readonly calendars: Map<string, BusinessCalendar> = new Map(),
  ) {}

  /** The owner's working hours and time zone when the agreement's response clock follows the owner. */
  calendarOf(userId: string): BusinessCalendar | undefined {
    return this.calendars.get(userId);
  }

  static async load(tx: DbOrTx, policy: RevisionPolicy, now = new Date()): Promise<Router> {
    if (policy.routing.method !== 'weighted_round_robin' || policy.routing.members.length === 0) return new Router([]);
    const ids = policy.routing.members.map((m) => m.userId);
    // Routers queue on the pool's user rows: locked in id order (no deadlock between routers), FOR
    // NO KEY UPDATE so that the FOR KEY SHARE locks foreign keys to users take (a rep's attempt,
    // clock or transition, a second update of an owned lead) neither wait for a router nor make it
    // wait, which deadlocked. The counts come after the lock, in a statement of their own, so they
    // include what the router before us committed (a locking read's subqueries would not).
    await tx.execute(sql`select id from users where id = any(${`{${ids.join(',')}}`}::uuid[]) order by id for no key update`);
    const stats = await rows<{ id: string; active: boolean; role: string; routing_capacity: number; away: boolean; open: number; assigned: number }>(
      tx,
      sql`select u.id, u.active, u.role, u.routing_capacity,
          exists (select 1 from user_absences a where a.user_id = u.id and a.starts_at <= ${now.toISOString()}::timestamptz
            and a.ends_at > ${now.toISOString()}::timestamptz) as away,
          (select count(*) from handoffs h where h.owner_id = u.id and h.state = 'routed')::int as open,
          -- the share of the last 30 days: enough to balance by weight, bounded however long the history
          (select count(*) from handoffs h where h.owner_id = u.id and h.handed_off_at > ${now.toISOString()}::timestamptz - interval '30 days'
            and h.agreement_id = ${policy.agreementId}::uuid)::int as assigned
        from users u where u.id = any(${`{${ids.join(',')}}`}::uuid[])`,
    );
    const byId = new Map(stats.map((s) => [s.id, s]));
    const candidates = policy.routing.members.flatMap((m) => {
      const s = byId.get(m.userId);
      // Out of office: no new leads until back. Inactive (left) reps never get leads.
      if (!s || !s.active || s.away || s.role !== 'sales') return [];
      return [{ userId: m.userId, weight: m.weight, capacity: m.capacity ?? s.routing_capacity, open: s.open, assigned: s.assigned }];
    });
    const calendars = policy.routing.ownerCalendar ? await ownerCalendars(tx, candidates.map((c) => c.userId), policy.calendar) : new Map();
    return new Router(policy.routing.respectCapacity ? candidates : candidates.map((c) => ({ ...c, capacity: Number.MAX_SAFE_INTEGER })), calendars);
  }

  /** The next rep (never `exclude`, e.g. the rep whose leads are being handed on), or null. */
  next(exclude?: string): string | null {
    const available = this.candidates.filter((c) => c.open < c.capacity && c.userId !== exclude);
    if (available.length === 0) return null;
    available.sort((a, b) => (a.assigned + 1) / a.weight - (b.assigned + 1) / b.weight || a.userId.localeCompare(b.userId));
    const chosen = available[0]!;
    chosen.assigned++;
    chosen.open++;
    return chosen.userId;
  }
}

/**
 * Reps' own calendars: their working hours in their time zone (the agreement's zone when they have
 * none), with the agreement's holidays. Reps without working hours are left out: the agreement's
 * calendar applies to them.
 */
export async function ownerCalendars(db: DbOrTx, userIds: string[], agreement: BusinessCalendar): Promise<Map<string, BusinessCalendar>> {
  if (userIds.length === 0) return new Map();
  const hours = await rows<{ user_id: string; time_zone: string | null; weekday: number; start_minute: number; end_minute: number }>(
    db,
    sql`select h.user_id, u.time_zone, h.weekday, h.start_minute, h.end_minute
      from user_working_hours h join users u on u.id = h.user_id
      where h.user_id = any(${pgArray(userIds)}::uuid[]) order by h.user_id, h.weekday, h.start_minute`,
  );
  const calendars = new Map<string, BusinessCalendar>();
  for (const h of hours) {
    let calendar = calendars.get(h.user_id);
    if (!calendar) calendars.set(h.user_id, (calendar = { timeZone: h.time_zone ?? agreement.timeZone, hours: [], holidays: agreement.holidays }));
    calendar.hours.push({ weekday: h.weekday, startMinute: h.start_minute, endMinute: h.end_minute });
  }
  return calendars;
}
