import { and, eq } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { DbOrTx } from '../../db/client';
import {
  agreementRevisions,
  businessHours,
  cadenceRules,
  handoffRequiredFields,
  handoffSettings,
  holidays,
  reasonCodes,
  recycleRules,
  routingMembers,
  routingSettings,
  slaAgreements,
  slaClockRules,
  stageTransitionRules,
} from '../../db/schema/index';
import type { BusinessCalendar } from '../clocks/business-hours';
import type { AllowedMove } from '../stages/machine';
import type { CadenceRules } from './cadence';
import { routingPool, type PoolMember } from './routing';

/** Everything the hand-off, cadence and clock rules of one revision need, loaded once. */
export interface RevisionPolicy {
  agreementId: string;
  revisionId: string;
  calendar: BusinessCalendar;
  handoff: { handoffOnMql: boolean; triggerActivityTypes: string[]; recentActivitiesInPayload: number; requiredFields: { field: string; label: string }[] };
  routing: {
    method: string;
    skipInactive: boolean;
    respectCapacity: boolean;
    salesTeamId: string | null;
    ownerCalendar: boolean;
    absenceHandover: 'backup' | 'routing';
    /** The pool: the sales team's reps and the explicit members (routingPool). */
    members: PoolMember[];
  };
  clocks: { id: string; clock: 'acceptance' | 'response' | 'cadence_interval' | 'time_in_stage'; stage: string | null; businessMinutes: number }[];
  cadence: CadenceRules | null;
  moves: AllowedMove[];
  reasonCodes: { kind: string; code: string }[];
  recycleRules: { trigger: string; reasonCode: string; nurtureWorkflowId: string | null; requalifyAfterDays: number }[];
}

function readRevision(db: DbOrTx, revisionId: string) {
  const by = (table: { revisionId: unknown }) => eq(table.revisionId as typeof handoffSettings.revisionId, revisionId);
  return Promise.all([
    db.select().from(agreementRevisions).where(eq(agreementRevisions.id, revisionId)),
    db.select().from(handoffSettings).where(by(handoffSettings)),
    db.select().from(handoffRequiredFields).where(by(handoffRequiredFields)),
    db.select().from(routingSettings).where(by(routingSettings)),
    db.select().from(routingMembers).where(by(routingMembers)),
    db.select().from(businessHours).where(by(businessHours)),
    db.select().from(holidays).where(by(holidays)),
    db.select().from(slaClockRules).where(and(by(slaClockRules), eq(slaClockRules.active, true))),
    db.select().from(cadenceRules).where(by(cadenceRules)),
    db.select().from(stageTransitionRules).where(by(stageTransitionRules)),
    db.select().from(reasonCodes).where(by(reasonCodes)),
    db.select().from(recycleRules).where(by(recycleRules)),
  ]);
}

// A revision in force is never edited (changes go to a draft, which becomes a new revision), so
// what it says is read once per process and kept, by revision id. Who is in the routing pool (the
// sales team's reps) is read every time: people join and leave teams.
const revisionsInForce = new LRUCache<string, Awaited<ReturnType<typeof readRevision>>>({ max: 256 });

export async function loadPolicy(db: DbOrTx, agreementId: string): Promise<RevisionPolicy | null> {
  const [found] = await db
    .select({ agreement: slaAgreements, revisionStatus: agreementRevisions.status, activatedAt: agreementRevisions.activatedAt })
    .from(slaAgreements)
    .leftJoin(agreementRevisions, eq(agreementRevisions.id, slaAgreements.activeRevisionId))
    .where(eq(slaAgreements.id, agreementId));
  const agreement = found?.agreement;
  if (!agreement || agreement.status !== 'active' || !agreement.activeRevisionId) return null;
  const revisionId = agreement.activeRevisionId;
  // Keyed by the activation too: an activation that rolled back leaves a draft that may still change.
  const key = `${revisionId}@${found.activatedAt?.getTime() ?? 'never'}`;
  let read = revisionsInForce.get(key);
  if (!read) {
    read = await readRevision(db, revisionId);
    if (found.revisionStatus === 'active' && found.activatedAt) revisionsInForce.set(key, read);
  }
  const [[revision], [handoff], required, [routing], members, hours, days, clocks, [cadence], moves, codes, recycle] = read;
  return {
    agreementId,
    revisionId,
    calendar: {
      timeZone: revision!.timeZone,
      hours: hours.map((h) => ({ weekday: h.weekday, startMinute: h.startMinute, endMinute: h.endMinute })),
      holidays: days.map((d) => d.day),
    },
    handoff: {
      handoffOnMql: handoff?.handoffOnMql ?? true,
      triggerActivityTypes: handoff?.triggerActivityTypes ?? [],
      recentActivitiesInPayload: handoff?.recentActivitiesInPayload ?? 10,
      requiredFields: required.map((f) => ({ field: f.field, label: f.label })),
    },
    routing: {
      method: routing?.method ?? 'weighted_round_robin',
      skipInactive: routing?.skipInactive ?? true,
      respectCapacity: routing?.respectCapacity ?? true,
      salesTeamId: routing?.salesTeamId ?? null,
      ownerCalendar: routing?.ownerCalendar ?? false,
      absenceHandover: routing?.absenceHandover === 'routing' ? 'routing' : 'backup',
      members: await routingPool(db, {
        salesTeamId: routing?.salesTeamId ?? null,
        members: members.map((m) => ({ userId: m.userId, weight: m.weight, capacity: m.capacity })),
      }),
    },
    clocks: clocks.map((c) => ({ id: c.id, clock: c.clock, stage: c.stage, businessMinutes: c.businessMinutes })),
    cadence: cadence
      ? {
          allowedChannels: cadence.allowedChannels,
          maxAttempts: cadence.maxAttempts,
          minIntervalBusinessMinutes: cadence.minIntervalBusinessMinutes,
          maxSpanDays: cadence.maxSpanDays,
          endingOutcomes: cadence.endingOutcomes,
        }
      : null,
    moves: moves.map((m) => ({ from: m.fromStage, to: m.toStage, requiresReason: m.requiresReason, automatic: m.automatic })),
    reasonCodes: codes.map((c) => ({ kind: c.kind, code: c.code })),
    recycleRules: recycle.map((r) => ({ trigger: r.trigger, reasonCode: r.reasonCode, nurtureWorkflowId: r.nurtureWorkflowId, requalifyAfterDays: r.requalifyAfterDays })),
  };
}
