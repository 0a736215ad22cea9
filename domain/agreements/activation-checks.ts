import { sql } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import { pgArray } from '../../db/pg-array';
import type { FieldProblem } from '../errors';
import { routingPool } from '../handoff/routing';
import type { RulesDocument } from './document';
import { describeScope, previewScope, scopedAgreements } from './scope';

// What activation refuses (a hand-off that can never be routed) and what it only warns about (odd
// but allowed), read from the revision's rules and the people as they are now.

interface PoolRep {
  id: string;
  name: string;
  role: string;
  active: boolean;
  capacity: number;
  open: number;
  away: boolean;
  has_hours: boolean;
}

async function poolReps(db: DbOrTx, doc: RulesDocument, now: Date): Promise<PoolRep[]> {
  const pool = await routingPool(db, { salesTeamId: doc.routing.salesTeamId, members: doc.routing.members });
  if (pool.length === 0) return [];
  const capacity = new Map(pool.map((m) => [m.userId, m.capacity]));
  const found = await rows<Omit<PoolRep, 'capacity'> & { routing_capacity: number }>(
    db,
    sql`select u.id, u.name, u.role, u.active, u.routing_capacity,
        (select count(*)::int from handoffs h where h.owner_id = u.id and h.state = 'routed') as open,
        exists (select 1 from user_absences a where a.user_id = u.id and a.starts_at <= ${now.toISOString()}::timestamptz and a.ends_at > ${now.toISOString()}::timestamptz) as away,
        exists (select 1 from user_working_hours w where w.user_id = u.id) as has_hours
      from users u where u.id = any(${pgArray(pool.map((m) => m.userId))}::uuid[]) order by u.name`,
  );
  return found.map((u) => ({ ...u, capacity: capacity.get(u.id) ?? u.routing_capacity }));
}

/** Refusals: the revision's hand-offs could never be routed to anyone. */
export async function routingProblems(db: DbOrTx, doc: RulesDocument, now = new Date()): Promise<FieldProblem[]> {
  if (doc.routing.method !== 'weighted_round_robin') return [];
  const reps = await poolReps(db, doc, now);
  const field = 'revision.routing';
  if (reps.length === 0)
    return [{ field, message: doc.routing.salesTeamId ? 'the routing pool is empty: the sales team has no sales reps and no members are listed' : 'the routing pool is empty: name a sales team or list members' }];
  const active = reps.filter((r) => r.active && r.role === 'sales');
  if (active.length === 0) return [{ field, message: `every rep in the routing pool is inactive (${reps.map((r) => r.name).join(', ')}): hand-offs would wait forever` }];
  // Reps at capacity today free up as they work (a warning); capacity 0 for all never does.
  if (doc.routing.respectCapacity && active.every((r) => r.capacity === 0)) return [{ field, message: 'every active rep in the routing pool has capacity 0: give someone capacity' }];
  return [];
}

/** Warnings: allowed, but probably not what the admin wants. */
export async function activationWarnings(db: DbOrTx, doc: RulesDocument, revisionId: string, now = new Date()): Promise<string[]> {
  const warnings: string[] = [];
  if (!doc.handoff.handoffOnMql && doc.handoff.triggerActivityTypes.length === 0) warnings.push('no hand-off will ever start: handoffOnMql is off and no trigger activity types are listed');
  if (doc.routing.method === 'manual') warnings.push('routing is MANUAL: hand-offs are held until routing is switched to WEIGHTED_ROUND_ROBIN');
  if (doc.routing.method === 'weighted_round_robin') {
    const reps = await poolReps(db, doc, now);
    const inactive = reps.filter((r) => !r.active);
    if (inactive.length) warnings.push(`${inactive.length} rep${inactive.length === 1 ? ' is' : 's are'} inactive and get no leads: ${inactive.map((r) => r.name).join(', ')}`);
    const away = reps.filter((r) => r.active && r.away);
    if (away.length) warnings.push(`${away.length} of ${reps.length} reps in the pool ${away.length === 1 ? 'is' : 'are'} out of office now: ${away.map((r) => r.name).join(', ')}`);
    const full = reps.filter((r) => r.active && doc.routing.respectCapacity && r.capacity > 0 && r.open >= r.capacity);
    if (full.length) {
      const all = full.length === reps.filter((r) => r.active && r.role === 'sales').length;
      warnings.push(`${full.length} rep${full.length === 1 ? ' is' : 's are'} at capacity${all ? ' (all of them: hand-offs are held until someone has room)' : ''}: ${full.map((r) => `${r.name} ${r.open}/${r.capacity}`).join(', ')}`);
    }
    if (doc.routing.ownerCalendar) {
      const noHours = reps.filter((r) => r.active && !r.has_hours);
      if (noHours.length) warnings.push(`the response clock follows the owner's calendar, but ${noHours.map((r) => r.name).join(', ')} ${noHours.length === 1 ? 'has' : 'have'} no working hours: the agreement's apply to them`);
    }
  }
  const preview = await previewScope(db, revisionId);
  if (preview.governs === 0) warnings.push(`its scope (${describeScope(doc.scope.rules)}) matches no lead yet`);
  const others = (await scopedAgreements(db)).filter((a) => a.id !== preview.agreementId && a.priority === doc.scope.priority);
  for (const other of others) {
    warnings.push(`"${other.name}" has the same scope priority (${other.priority}): where both scopes match, the older agreement governs`);
  }
  return warnings;
}
