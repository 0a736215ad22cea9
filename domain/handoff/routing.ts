import { sql } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import type { RevisionPolicy } from './context';

interface Candidate {
  userId: string;
  weight: number;
  capacity: number;
  open: number;
  assigned: number;
}

/**
 * Weighted round-robin with capacity: each hand-off goes to the active member furthest behind its
 * share (assigned / weight, ties by user id), skipping members at capacity (their hand-offs still
 * routed, not yet accepted or rejected) and inactive users. Returns null when nobody can take the lead.
 */
export class Router {
  private constructor(private readonly candidates: Candidate[]) {}

  static async load(tx: DbOrTx, policy: RevisionPolicy): Promise<Router> {
    if (policy.routing.method !== 'weighted_round_robin' || policy.routing.members.length === 0) return new Router([]);
    const ids = policy.routing.members.map((m) => m.userId);
    // Routers queue on the pool's user rows: locked in id order (no deadlock between routers), FOR
    // NO KEY UPDATE so that the FOR KEY SHARE locks foreign keys to users take (a rep's attempt,
    // clock or transition, a second update of an owned lead) neither wait for a router nor make it
    // wait, which deadlocked. The counts come after the lock, in a statement of their own, so they
    // include what the router before us committed (a locking read's subqueries would not).
    await tx.execute(sql`select id from users where id = any(${`{${ids.join(',')}}`}::uuid[]) order by id for no key update`);
    const stats = await rows<{ id: string; active: boolean; routing_capacity: number; open: number; assigned: number }>(
      tx,
      sql`select u.id, u.active, u.routing_capacity,
          (select count(*) from handoffs h where h.owner_id = u.id and h.state = 'routed')::int as open,
          (select count(*) from handoffs h where h.owner_id = u.id and h.agreement_id = ${policy.agreementId}::uuid and h.handed_off_at is not null)::int as assigned
        from users u where u.id = any(${`{${ids.join(',')}}`}::uuid[])`,
    );
    const byId = new Map(stats.map((s) => [s.id, s]));
    const candidates = policy.routing.members.flatMap((m) => {
      const s = byId.get(m.userId);
      if (!s || (policy.routing.skipInactive && !s.active)) return [];
      return [{ userId: m.userId, weight: m.weight, capacity: m.capacity ?? s.routing_capacity, open: s.open, assigned: s.assigned }];
    });
    return new Router(policy.routing.respectCapacity ? candidates : candidates.map((c) => ({ ...c, capacity: Number.MAX_SAFE_INTEGER })));
  }

  next(): string | null {
    const available = this.candidates.filter((c) => c.open < c.capacity);
    if (available.length === 0) return null;
    available.sort((a, b) => (a.assigned + 1) / a.weight - (b.assigned + 1) / b.weight || a.userId.localeCompare(b.userId));
    const chosen = available[0]!;
    chosen.assigned++;
    chosen.open++;
    return chosen.userId;
  }
}
