import { asc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import * as t from '../../db/schema/index';
import { NotFoundError } from '../errors';
import { emptyDocument, hhmmOf, minutesOf, type PartName, type RulesDocument } from './document';

// The rows behind a revision's rules document: read it whole, or replace one part of it.

export async function readDocument(db: DbOrTx, revisionId: string): Promise<RulesDocument> {
  const [doc] = await readDocuments(db, [revisionId]);
  if (!doc) throw new NotFoundError('AgreementRevision', revisionId);
  return doc;
}

/**
 * The rules documents of several revisions, in the order of the ids (undefined for unknown ids),
 * with one statement per table whatever the number of revisions.
 */
/** A revision's rules with the ids it belongs to. */
export type StoredDocument = RulesDocument & { revisionId: string; agreementId: string };

export async function readDocuments(db: DbOrTx, revisionIds: readonly string[]): Promise<(StoredDocument | undefined)[]> {
  const ids = [...new Set(revisionIds)];
  if (ids.length === 0) return [];
  const revisions = await db.select().from(t.agreementRevisions).where(inArray(t.agreementRevisions.id, ids));
  if (revisions.length === 0) return revisionIds.map(() => undefined);
  const rows = await loadRuleRows(db, ids);
  const docs = new Map(
    revisions.map((revision) => [revision.id, { revisionId: revision.id, agreementId: revision.agreementId, ...assemble(revision, rows) }]),
  );
  return revisionIds.map((id) => docs.get(id));
}

/** Every rules table's rows for the revisions, one statement per table. */
async function loadRuleRows(db: DbOrTx, ids: string[]) {
  const by = <T extends { revisionId: unknown }>(table: T) => inArray((table as never as typeof t.goals).revisionId, ids);
  const loaded = await promiseAll({
    goals: db.select().from(t.goals).where(by(t.goals)).orderBy(asc(t.goals.key)),
    stages: db.select().from(t.stageDefinitions).where(by(t.stageDefinitions)).orderBy(asc(t.stageDefinitions.position)),
    transitions: db.select().from(t.stageTransitionRules).where(by(t.stageTransitionRules)).orderBy(asc(t.stageTransitionRules.fromStage), asc(t.stageTransitionRules.toStage)),
    pipeline: db.select().from(t.pipelineStages).where(by(t.pipelineStages)).orderBy(asc(t.pipelineStages.position)),
    rules: db.select().from(t.scoringRules).where(by(t.scoringRules)).orderBy(asc(t.scoringRules.position), asc(t.scoringRules.key)),
    settings: db.select().from(t.scoringSettings).where(by(t.scoringSettings)),
    bands: db.select().from(t.temperatureBands).where(by(t.temperatureBands)).orderBy(asc(t.temperatureBands.minScore)),
    grades: db.select().from(t.fitGrades).where(by(t.fitGrades)).orderBy(asc(t.fitGrades.grade)),
    handoff: db.select().from(t.handoffSettings).where(by(t.handoffSettings)),
    required: db.select().from(t.handoffRequiredFields).where(by(t.handoffRequiredFields)).orderBy(asc(t.handoffRequiredFields.field)),
    routing: db.select().from(t.routingSettings).where(by(t.routingSettings)),
    members: db.select().from(t.routingMembers).where(by(t.routingMembers)).orderBy(asc(t.routingMembers.userId)),
    hours: db.select().from(t.businessHours).where(by(t.businessHours)).orderBy(asc(t.businessHours.weekday), asc(t.businessHours.startMinute)),
    holidays: db.select().from(t.holidays).where(by(t.holidays)).orderBy(asc(t.holidays.day)),
    clocks: db.select().from(t.slaClockRules).where(by(t.slaClockRules)).orderBy(asc(t.slaClockRules.clock), asc(t.slaClockRules.stage)),
    cadence: db.select().from(t.cadenceRules).where(by(t.cadenceRules)),
    reasons: db.select().from(t.reasonCodes).where(by(t.reasonCodes)).orderBy(asc(t.reasonCodes.kind), asc(t.reasonCodes.code)),
    recycle: db.select().from(t.recycleRules).where(by(t.recycleRules)).orderBy(asc(t.recycleRules.trigger), asc(t.recycleRules.reasonCode)),
    workflows: db.select().from(t.nurtureWorkflows).where(by(t.nurtureWorkflows)).orderBy(asc(t.nurtureWorkflows.key)),
  });
  const workflowIds = loaded.workflows.map((w) => w.id);
  const [steps, enrolmentRules] = workflowIds.length
    ? await Promise.all([
        db.select().from(t.nurtureSteps).where(inArray(t.nurtureSteps.workflowId, workflowIds)).orderBy(asc(t.nurtureSteps.position)),
        db.select().from(t.nurtureEnrolmentRules).where(inArray(t.nurtureEnrolmentRules.workflowId, workflowIds)).orderBy(asc(t.nurtureEnrolmentRules.trigger)),
      ])
    : [[], []];
  return { ...loaded, steps, enrolmentRules, workflowKey: new Map(loaded.workflows.map((w) => [w.id, w.key])) };
}

/** Promise.all over an object's values, keeping the keys (and their types). */
async function promiseAll<T extends Record<string, Promise<unknown>>>(promises: T): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const entries = await Promise.all(Object.entries(promises).map(async ([key, promise]) => [key, await promise] as const));
  return Object.fromEntries(entries) as { [K in keyof T]: Awaited<T[K]> };
}

function assemble(revision: typeof t.agreementRevisions.$inferSelect, all: Awaited<ReturnType<typeof loadRuleRows>>): RulesDocument {
  const mine = <T extends { revisionId: string }>(list: T[]) => list.filter((row) => row.revisionId === revision.id);
  const [goals, stages, transitions, pipeline, rules, settings, bands, grades, handoff, required, routing, members, hours, holidays, clocks, cadence, reasons, recycle, workflows] = [
    mine(all.goals), mine(all.stages), mine(all.transitions), mine(all.pipeline), mine(all.rules), mine(all.settings), mine(all.bands), mine(all.grades),
    mine(all.handoff), mine(all.required), mine(all.routing), mine(all.members), mine(all.hours), mine(all.holidays), mine(all.clocks), mine(all.cadence),
    mine(all.reasons), mine(all.recycle), mine(all.workflows),
  ] as const;
  const { steps, enrolmentRules, workflowKey } = all;
  const base = emptyDocument(revision.timeZone);
  return {
    ...base,
    notes: revision.notes,
    scope: { priority: revision.scopePriority, rules: (revision.scopeRules ?? []) as RulesDocument['scope']['rules'] },
    goals: goals.map((g) => ({
      key: g.key,
      name: g.name,
      metric: g.metric,
      target: g.target,
      currency: g.currency,
      periodStart: g.periodStart,
      periodEnd: g.periodEnd,
      ownerSide: g.ownerSide,
      averageDealSizeMinor: g.averageDealSizeMinor,
      rateSource: g.rateSource,
      lookbackDays: g.lookbackDays,
      rates: {
        visitorToLead: g.visitorToLeadRate,
        leadToMql: g.leadToMqlRate,
        mqlToSql: g.mqlToSqlRate,
        sqlToOpportunity: g.sqlToOpportunityRate,
        winRate: g.winRate,
      },
    })),
    stages: stages.map((s) => ({ stage: s.stage, name: s.name, definition: s.definition, criteria: s.criteria, maxBusinessHoursInStage: s.maxBusinessHoursInStage })),
    transitions: transitions.map((x) => ({ from: x.fromStage, to: x.toStage, requiresReason: x.requiresReason, automatic: x.automatic })),
    pipelineStages: pipeline.map((s) => ({ key: s.key, name: s.name, probability: s.probability, outcome: s.outcome })),
    scoring: {
      mqlFitThreshold: settings[0]?.mqlFitThreshold ?? 0,
      mqlInterestThreshold: settings[0]?.mqlInterestThreshold ?? 0,
      rules: rules.map((r) => ({
        key: r.key,
        name: r.name,
        dimension: r.dimension,
        attribute: r.attribute,
        operator: r.operator,
        value: (r.value ?? null) as RulesDocument['scoring']['rules'][number]['value'],
        activityType: r.activityType,
        propertyFilters: r.propertyFilters as RulesDocument['scoring']['rules'][number]['propertyFilters'],
        points: r.points,
        repeatPolicy: r.repeatPolicy,
        repeatMax: r.repeatMax,
        repeatPeriodDays: r.repeatPeriodDays,
        decayHalfLifeDays: r.decayHalfLifeDays,
        active: r.active,
      })),
      temperatureBands: bands.map((b) => ({ temperature: b.temperature, minScore: b.minScore, maxScore: b.maxScore })),
      fitGrades: grades.map((g) => ({ grade: g.grade, minFit: g.minFit })),
    },
    handoff: {
      ...base.handoff,
      ...(handoff[0]
        ? {
            handoffOnMql: handoff[0].handoffOnMql,
            triggerActivityTypes: handoff[0].triggerActivityTypes,
            createUnknownLeads: handoff[0].createUnknownLeads,
            recentActivitiesInPayload: handoff[0].recentActivitiesInPayload,
          }
        : {}),
      requiredFields: required.map((f) => ({ field: f.field, label: f.label })),
    },
    routing: {
      ...base.routing,
      ...(routing[0]
        ? {
            method: routing[0].method,
            skipInactive: routing[0].skipInactive,
            respectCapacity: routing[0].respectCapacity,
            salesTeamId: routing[0].salesTeamId,
            ownerCalendar: routing[0].ownerCalendar,
            absenceHandover: routing[0].absenceHandover as 'backup' | 'routing',
          }
        : {}),
      members: members.map((m) => ({ userId: m.userId, weight: m.weight, capacity: m.capacity })),
    },
    businessHours: hours.map((h) => ({ weekday: h.weekday, start: hhmmOf(h.startMinute), end: hhmmOf(h.endMinute) })),
    holidays: holidays.map((h) => ({ day: h.day, name: h.name })),
    clocks: clocks.map((c) => ({ clock: c.clock, stage: c.stage, businessMinutes: c.businessMinutes, active: c.active })),
    cadence: cadence[0]
      ? {
          allowedChannels: cadence[0].allowedChannels,
          maxAttempts: cadence[0].maxAttempts,
          minIntervalBusinessMinutes: cadence[0].minIntervalBusinessMinutes,
          maxSpanDays: cadence[0].maxSpanDays,
          endingOutcomes: cadence[0].endingOutcomes,
        }
      : null,
    reasonCodes: reasons.map((r) => ({ kind: r.kind, code: r.code, label: r.label })),
    recycleRules: recycle.map((r) => ({
      trigger: r.trigger,
      reasonCode: r.reasonCode,
      nurtureWorkflowKey: r.nurtureWorkflowId ? (workflowKey.get(r.nurtureWorkflowId) ?? null) : null,
      requalifyAfterDays: r.requalifyAfterDays,
    })),
    nurtureWorkflows: workflows.map((w) => ({
      key: w.key,
      name: w.name,
      buyingStage: w.buyingStage,
      active: w.active,
      steps: steps.filter((s) => s.workflowId === w.id).map((s) => ({ name: s.name, content: s.content, channel: s.channel, delayDays: s.delayDays })),
      enrolmentRules: enrolmentRules.filter((r) => r.workflowId === w.id).map((r) => ({ trigger: r.trigger, reasonCode: r.reasonCode, stage: r.stage })),
    })),
  };
}

/** Replaces one part of a revision's rules with the given value (rows deleted, then inserted). */
export async function writePart<P extends PartName>(db: DbOrTx, revisionId: string, part: P, value: RulesDocument[P], doc: RulesDocument): Promise<void> {
  const clear = (table: typeof t.goals | typeof t.stageDefinitions) => db.delete(table).where(eq(table.revisionId, revisionId));
  switch (part) {
    case 'goals': {
      const goals = value as RulesDocument['goals'];
      await clear(t.goals);
      if (goals.length)
        await db.insert(t.goals).values(
          goals.map((g) => ({
            revisionId,
            key: g.key,
            name: g.name,
            metric: g.metric,
            target: g.target,
            currency: g.currency,
            periodStart: g.periodStart,
            periodEnd: g.periodEnd,
            ownerSide: g.ownerSide,
            averageDealSizeMinor: g.averageDealSizeMinor,
            rateSource: g.rateSource,
            lookbackDays: g.lookbackDays,
            visitorToLeadRate: g.rates.visitorToLead,
            leadToMqlRate: g.rates.leadToMql,
            mqlToSqlRate: g.rates.mqlToSql,
            sqlToOpportunityRate: g.rates.sqlToOpportunity,
            winRate: g.rates.winRate,
          })),
        );
      return;
    }
    case 'stages': {
      const stages = value as RulesDocument['stages'];
      await clear(t.stageDefinitions);
      if (stages.length) await db.insert(t.stageDefinitions).values(stages.map((s, position) => ({ revisionId, position, ...s })));
      return;
    }
    case 'transitions': {
      const transitions = value as RulesDocument['transitions'];
      await db.delete(t.stageTransitionRules).where(eq(t.stageTransitionRules.revisionId, revisionId));
      if (transitions.length)
        await db.insert(t.stageTransitionRules).values(transitions.map((x) => ({ revisionId, fromStage: x.from, toStage: x.to, requiresReason: x.requiresReason, automatic: x.automatic })));
      return;
    }
    case 'pipelineStages': {
      const stages = value as RulesDocument['pipelineStages'];
      await db.delete(t.pipelineStages).where(eq(t.pipelineStages.revisionId, revisionId));
      if (stages.length) await db.insert(t.pipelineStages).values(stages.map((s, position) => ({ revisionId, position, ...s })));
      return;
    }
    case 'scoring': {
      const s = value as RulesDocument['scoring'];
      await db.delete(t.scoringRules).where(eq(t.scoringRules.revisionId, revisionId));
      await db.delete(t.scoringSettings).where(eq(t.scoringSettings.revisionId, revisionId));
      await db.delete(t.temperatureBands).where(eq(t.temperatureBands.revisionId, revisionId));
      await db.delete(t.fitGrades).where(eq(t.fitGrades.revisionId, revisionId));
      await db.insert(t.scoringSettings).values({ revisionId, mqlFitThreshold: s.mqlFitThreshold, mqlInterestThreshold: s.mqlInterestThreshold });
      if (s.rules.length) await db.insert(t.scoringRules).values(s.rules.map((r, position) => ({ revisionId, position, ...r })));
      if (s.temperatureBands.length) await db.insert(t.temperatureBands).values(s.temperatureBands.map((b) => ({ revisionId, ...b })));
      if (s.fitGrades.length) await db.insert(t.fitGrades).values(s.fitGrades.map((g) => ({ revisionId, ...g })));
      return;
    }
    case 'handoff': {
      const h = value as RulesDocument['handoff'];
      await db.delete(t.handoffSettings).where(eq(t.handoffSettings.revisionId, revisionId));
      await db.delete(t.handoffRequiredFields).where(eq(t.handoffRequiredFields.revisionId, revisionId));
      await db.insert(t.handoffSettings).values({ revisionId, handoffOnMql: h.handoffOnMql, triggerActivityTypes: h.triggerActivityTypes, createUnknownLeads: h.createUnknownLeads, recentActivitiesInPayload: h.recentActivitiesInPayload });
      if (h.requiredFields.length) await db.insert(t.handoffRequiredFields).values(h.requiredFields.map((f) => ({ revisionId, ...f })));
      return;
    }
    case 'routing': {
      const r = value as RulesDocument['routing'];
      await db.delete(t.routingSettings).where(eq(t.routingSettings.revisionId, revisionId));
      await db.delete(t.routingMembers).where(eq(t.routingMembers.revisionId, revisionId));
      await db.insert(t.routingSettings).values({
        revisionId,
        method: r.method,
        skipInactive: r.skipInactive,
        respectCapacity: r.respectCapacity,
        salesTeamId: r.salesTeamId,
        ownerCalendar: r.ownerCalendar,
        absenceHandover: r.absenceHandover,
      });
      if (r.members.length) await db.insert(t.routingMembers).values(r.members.map((m) => ({ revisionId, ...m })));
      return;
    }
    case 'scope': {
      const scope = value as RulesDocument['scope'];
      await db.update(t.agreementRevisions).set({ scopePriority: scope.priority, scopeRules: scope.rules }).where(eq(t.agreementRevisions.id, revisionId));
      return;
    }
    case 'businessHours': {
      const hours = value as RulesDocument['businessHours'];
      await db.delete(t.businessHours).where(eq(t.businessHours.revisionId, revisionId));
      if (hours.length) await db.insert(t.businessHours).values(hours.map((h) => ({ revisionId, weekday: h.weekday, startMinute: minutesOf(h.start), endMinute: minutesOf(h.end) })));
      return;
    }
    case 'holidays': {
      const days = value as RulesDocument['holidays'];
      await db.delete(t.holidays).where(eq(t.holidays.revisionId, revisionId));
      if (days.length) await db.insert(t.holidays).values(days.map((h) => ({ revisionId, ...h })));
      return;
    }
    case 'clocks': {
      const clocks = value as RulesDocument['clocks'];
      // Clock rules already used by running clocks stay referenced; only drafts are written here.
      await db.delete(t.slaClockRules).where(eq(t.slaClockRules.revisionId, revisionId));
      if (clocks.length) await db.insert(t.slaClockRules).values(clocks.map((c) => ({ revisionId, ...c })));
      return;
    }
    case 'cadence': {
      const c = value as RulesDocument['cadence'];
      await db.delete(t.cadenceRules).where(eq(t.cadenceRules.revisionId, revisionId));
      if (c) await db.insert(t.cadenceRules).values({ revisionId, ...c });
      return;
    }
    case 'reasonCodes': {
      const codes = value as RulesDocument['reasonCodes'];
      await db.delete(t.reasonCodes).where(eq(t.reasonCodes.revisionId, revisionId));
      if (codes.length) await db.insert(t.reasonCodes).values(codes.map((r) => ({ revisionId, ...r })));
      return;
    }
    case 'recycleRules':
    case 'nurtureWorkflows': {
      // Recycle rules point at workflows by id, so both are rewritten together.
      await db.delete(t.recycleRules).where(eq(t.recycleRules.revisionId, revisionId));
      await db.delete(t.nurtureEnrolmentRules).where(eq(t.nurtureEnrolmentRules.revisionId, revisionId));
      const existing = await db.select({ id: t.nurtureWorkflows.id, key: t.nurtureWorkflows.key }).from(t.nurtureWorkflows).where(eq(t.nurtureWorkflows.revisionId, revisionId));
      const workflows = part === 'nurtureWorkflows' ? (value as RulesDocument['nurtureWorkflows']) : doc.nurtureWorkflows;
      const recycle = part === 'recycleRules' ? (value as RulesDocument['recycleRules']) : doc.recycleRules;
      const ids = new Map<string, string>();
      for (const workflow of workflows) {
        const found = existing.find((w) => w.key === workflow.key);
        let id: string;
        if (found) {
          id = found.id;
          await db.update(t.nurtureWorkflows).set({ name: workflow.name, buyingStage: workflow.buyingStage, active: workflow.active }).where(eq(t.nurtureWorkflows.id, id));
          await db.delete(t.nurtureSteps).where(eq(t.nurtureSteps.workflowId, id));
        } else {
          const [row] = await db
            .insert(t.nurtureWorkflows)
            .values({ revisionId, key: workflow.key, name: workflow.name, buyingStage: workflow.buyingStage, active: workflow.active })
            .returning({ id: t.nurtureWorkflows.id });
          id = row!.id;
        }
        ids.set(workflow.key, id);
        await db.insert(t.nurtureSteps).values(workflow.steps.map((s, i) => ({ workflowId: id, position: i + 1, ...s })));
        if (workflow.enrolmentRules.length)
          await db.insert(t.nurtureEnrolmentRules).values(workflow.enrolmentRules.map((r) => ({ revisionId, workflowId: id, ...r })));
      }
      const removed = existing.filter((w) => !ids.has(w.key)).map((w) => w.id);
      if (removed.length) await db.delete(t.nurtureWorkflows).where(inArray(t.nurtureWorkflows.id, removed));
      if (recycle.length)
        await db.insert(t.recycleRules).values(
          recycle.map((r) => ({
            revisionId,
            trigger: r.trigger,
            reasonCode: r.reasonCode,
            nurtureWorkflowId: r.nurtureWorkflowKey ? (ids.get(r.nurtureWorkflowKey) ?? null) : null,
            requalifyAfterDays: r.requalifyAfterDays,
          })),
        );
      return;
    }
  }
}
