// Writes the demo agreement (revision 1, active) with Drizzle and returns the rules as the lead
// generator needs them. Tests can call it on an empty database to get a complete, valid agreement.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FitRule, InterestRule } from '../../domain/scoring/rules';
import type { DbOrTx } from '../client';
import * as schema from '../schema/index';
import type { ActivityType, ContactChannel, FitGrade, LifecycleStage, ReasonKind, RecycleTrigger, Temperature } from '../schema/enums';
import {
  AGREEMENT_NAME,
  TIME_ZONE,
  businessHourDefinitions,
  cadenceDefinition,
  clockRuleDefinitions,
  enrolmentRuleDefinitions,
  fitGradeDefinitions,
  fitRuleDefinitions,
  goalDefinitions,
  interestRuleDefinitions,
  pipelineStageDefinitions,
  reasonCodeDefinitions,
  recycleRuleDefinitions,
  requiredFieldDefinitions,
  scoringThresholds,
  stageDefinitionTexts,
  temperatureBandDefinitions,
  transitionDefinitions,
  triggerActivityTypes,
  workflowDefinitions,
} from './agreement-definition';
import { DAY_MS, isoDay } from './calendar';
import { usHolidays, type BusinessCalendar } from './business-time';

export interface ClockRuleRef {
  id: string;
  businessMinutes: number;
}

export interface SeedWorkflow {
  id: string;
  key: string;
  steps: { position: number; name: string; delayDays: number; channel: ContactChannel }[];
}

/** The active revision's rules, with the ids the rows were written under. */
export interface SeedAgreement {
  agreementId: string;
  revisionId: string;
  activatedAt: Date;
  fitRules: (FitRule & { id: string; key: string; name: string })[];
  interestRules: (InterestRule & { id: string; key: string; name: string })[];
  mqlFitThreshold: number;
  mqlInterestThreshold: number;
  temperatureBands: { temperature: Temperature; minScore: number; maxScore: number | null }[];
  fitGrades: { grade: FitGrade; minFit: number }[];
  triggerActivityTypes: ActivityType[];
  requiredFields: string[];
  clocks: {
    acceptance: ClockRuleRef;
    response: ClockRuleRef;
    cadenceInterval: ClockRuleRef;
    timeInStage: Partial<Record<LifecycleStage, ClockRuleRef>>;
  };
  cadence: typeof cadenceDefinition;
  reasonCodes: Record<ReasonKind, { code: string; label: string }[]>;
  recycleRules: { trigger: RecycleTrigger; reasonCode: string; workflowId: string | null; requalifyAfterDays: number }[];
  workflows: SeedWorkflow[];
  pipelineStages: typeof pipelineStageDefinitions;
  transitions: typeof transitionDefinitions;
  businessCalendar: BusinessCalendar;
}

export interface SeedAgreementOptions {
  now: Date;
  adminUserId: string;
  /** Sales reps in the routing pool with their round-robin weight and optional capacity. */
  routing: { userId: string; weight: number; capacity?: number | null }[];
  /** Id generator; the seed passes its PRNG so ids are reproducible. */
  newId?: () => string;
}

/** Quarter containing `now` (UTC), as ISO dates. */
function currentQuarter(now: Date): { start: string; end: string } {
  const year = now.getUTCFullYear();
  const firstMonth = Math.floor(now.getUTCMonth() / 3) * 3;
  return { start: isoDay(Date.UTC(year, firstMonth, 1)), end: isoDay(Date.UTC(year, firstMonth + 3, 0)) };
}

/**
 * Writes the agreement with all its rules. It opens no transaction of its own (a PGlite
 * transaction cannot nest one): run it inside db.transaction() when it must be all or nothing.
 */
export const DEMO_SCOPE = { priority: 10, rules: [{ attribute: 'attributes.dataset', operator: 'equals', value: 'demo' }] };

export async function seedAgreement(db: DbOrTx, options: SeedAgreementOptions): Promise<SeedAgreement> {
  const newId = options.newId ?? randomUUID;
  const now = options.now.getTime();
  // Active since before the 12 months of history, so every generated lead falls under it.
  const createdAt = new Date(now - 372 * DAY_MS);
  const activatedAt = new Date(now - 370 * DAY_MS);
  const agreementId = newId();
  const revisionId = newId();
  const adminId = options.adminUserId;

  const fitRules = fitRuleDefinitions.map((rule) => ({ ...rule, id: newId() }));
  const interestRules = interestRuleDefinitions.map((rule) => ({ ...rule, id: newId() }));
  const workflows = workflowDefinitions.map((workflow) => ({
    ...workflow,
    id: newId(),
    steps: workflow.steps.map((step, index) => ({ ...step, id: newId(), position: index + 1 })),
  }));
  const workflowId = (key: string | null) => (key ? workflows.find((w) => w.key === key)!.id : null);
  const clockRows = [
    { id: newId(), clock: 'acceptance' as const, stage: null, businessMinutes: clockRuleDefinitions.acceptance },
    { id: newId(), clock: 'response' as const, stage: null, businessMinutes: clockRuleDefinitions.response },
    { id: newId(), clock: 'cadence_interval' as const, stage: null, businessMinutes: clockRuleDefinitions.cadenceInterval },
    ...Object.entries(clockRuleDefinitions.timeInStage).map(([stage, minutes]) => ({
      id: newId(),
      clock: 'time_in_stage' as const,
      stage: stage as LifecycleStage,
      businessMinutes: minutes!,
    })),
  ];
  const holidayRows: { day: string; name: string }[] = [];
  const year = options.now.getUTCFullYear();
  for (const y of [year - 1, year, year + 1]) {
    for (const holiday of usHolidays(y)) {
      const day = Date.parse(holiday.day);
      if (day >= now - 380 * DAY_MS && day <= now + 365 * DAY_MS) holidayRows.push(holiday);
    }
  }
  const quarter = currentQuarter(options.now);

  // The agreement starts as a draft: the active-needs-revision check holds at every step.
  await db.insert(schema.slaAgreements).values({
    id: agreementId,
    name: AGREEMENT_NAME,
    description:
      'Shared goals, definitions, scoring, hand-off, nurture, follow-up cadence and KPIs agreed by Marketing and Sales; reviewed every month.',
    status: 'draft',
    createdById: adminId,
    createdAt,
    updatedAt: activatedAt,
  });
  await db.insert(schema.agreementRevisions).values({
    id: revisionId,
    agreementId,
    number: 1,
    status: 'active',
    timeZone: TIME_ZONE,
    notes: 'First version, signed off in the kick-off meeting.',
    // The demo leads only (they carry attributes.dataset = demo), first: an admin's own agreement
    // takes every other lead, and can be tried beside this one.
    scopePriority: DEMO_SCOPE.priority,
    scopeRules: DEMO_SCOPE.rules,
    createdById: adminId,
    createdAt,
    activatedAt,
    activatedById: adminId,
  });
  await db
    .update(schema.slaAgreements)
    .set({ status: 'active', activeRevisionId: revisionId })
    .where(eq(schema.slaAgreements.id, agreementId));

  await db.insert(schema.goals).values(
    goalDefinitions.map((goal) => ({
      id: newId(),
      revisionId,
      key: goal.key,
      name: goal.name,
      metric: goal.metric,
      target: goal.target,
      periodStart: quarter.start,
      periodEnd: quarter.end,
      ownerSide: goal.ownerSide,
      averageDealSizeMinor: goal.averageDealSizeMinor ?? null,
      // Goals without agreed rates plan from what the last 180 days really converted.
      rateSource: goal.rates ? ('configured' as const) : ('historical' as const),
      lookbackDays: 180,
      visitorToLeadRate: goal.rates?.visitorToLead ?? null,
      leadToMqlRate: goal.rates?.leadToMql ?? null,
      mqlToSqlRate: goal.rates?.mqlToSql ?? null,
      sqlToOpportunityRate: goal.rates?.sqlToOpportunity ?? null,
      winRate: goal.rates?.win ?? null,
      createdAt,
      updatedAt: createdAt,
    })),
  );
  await db.insert(schema.stageDefinitions).values(
    stageDefinitionTexts.map((stage, index) => ({ id: newId(), revisionId, ...stage, position: index + 1 })),
  );
  await db.insert(schema.stageTransitionRules).values(
    transitionDefinitions.map((t) => ({
      id: newId(),
      revisionId,
      fromStage: t.from,
      toStage: t.to,
      requiresReason: t.requiresReason,
      automatic: t.automatic,
    })),
  );
  await db.insert(schema.pipelineStages).values(pipelineStageDefinitions.map((stage) => ({ id: newId(), revisionId, ...stage })));
  await db.insert(schema.scoringRules).values([
    ...fitRules.map((rule, index) => ({
      id: rule.id,
      revisionId,
      key: rule.key,
      dimension: 'fit' as const,
      name: rule.name,
      attribute: rule.attribute,
      operator: rule.operator,
      value: rule.value ?? null,
      points: rule.points,
      repeatPolicy: 'every_time' as const,
      position: index + 1,
    })),
    ...interestRules.map((rule, index) => ({
      id: rule.id,
      revisionId,
      key: rule.key,
      dimension: 'interest' as const,
      name: rule.name,
      activityType: rule.activityType as ActivityType,
      propertyFilters: [...rule.propertyFilters],
      points: rule.points,
      repeatPolicy: rule.repeatPolicy,
      repeatMax: rule.repeatMax ?? null,
      repeatPeriodDays: rule.repeatPeriodDays ?? null,
      decayHalfLifeDays: rule.decayHalfLifeDays ?? null,
      position: index + 1,
    })),
  ]);
  await db.insert(schema.scoringSettings).values({ revisionId, ...scoringThresholds });
  await db.insert(schema.temperatureBands).values(temperatureBandDefinitions.map((band) => ({ id: newId(), revisionId, ...band })));
  await db.insert(schema.fitGrades).values(fitGradeDefinitions.map((grade) => ({ id: newId(), revisionId, ...grade })));
  await db.insert(schema.handoffSettings).values({
    revisionId,
    handoffOnMql: true,
    triggerActivityTypes,
    createUnknownLeads: true,
    recentActivitiesInPayload: 10,
  });
  await db.insert(schema.handoffRequiredFields).values(requiredFieldDefinitions.map((field) => ({ id: newId(), revisionId, ...field })));
  await db.insert(schema.routingSettings).values({ revisionId, method: 'weighted_round_robin', skipInactive: true, respectCapacity: true });
  if (options.routing.length > 0) {
    await db.insert(schema.routingMembers).values(
      options.routing.map((member) => ({
        id: newId(),
        revisionId,
        userId: member.userId,
        weight: member.weight,
        capacity: member.capacity ?? null,
      })),
    );
  }
  await db.insert(schema.businessHours).values(businessHourDefinitions.map((hours) => ({ id: newId(), revisionId, ...hours })));
  if (holidayRows.length > 0) {
    await db.insert(schema.holidays).values(holidayRows.map((holiday) => ({ id: newId(), revisionId, ...holiday })));
  }
  await db.insert(schema.slaClockRules).values(clockRows.map((rule) => ({ ...rule, revisionId, active: true })));
  await db.insert(schema.cadenceRules).values({ revisionId, ...cadenceDefinition });
  await db.insert(schema.reasonCodes).values(reasonCodeDefinitions.map((reason) => ({ id: newId(), revisionId, ...reason })));
  await db.insert(schema.nurtureWorkflows).values(
    workflows.map((w) => ({ id: w.id, revisionId, key: w.key, name: w.name, buyingStage: w.buyingStage, active: true })),
  );
  await db.insert(schema.nurtureSteps).values(
    workflows.flatMap((w) =>
      w.steps.map((step) => ({
        id: step.id,
        workflowId: w.id,
        position: step.position,
        name: step.name,
        content: step.content,
        channel: step.channel,
        delayDays: step.delayDays,
      })),
    ),
  );
  await db.insert(schema.nurtureEnrolmentRules).values(
    enrolmentRuleDefinitions.map((rule) => ({
      id: newId(),
      revisionId,
      workflowId: workflowId(rule.workflowKey)!,
      trigger: rule.trigger,
      reasonCode: rule.reasonCode,
      stage: rule.stage,
    })),
  );
  await db.insert(schema.recycleRules).values(
    recycleRuleDefinitions.map((rule) => ({
      id: newId(),
      revisionId,
      trigger: rule.trigger,
      reasonCode: rule.reasonCode,
      nurtureWorkflowId: workflowId(rule.workflowKey),
      requalifyAfterDays: rule.requalifyAfterDays,
    })),
  );
  await db.insert(schema.agreementChanges).values({
    agreementId,
    revisionId,
    actorUserId: adminId,
    action: 'activate',
    entity: 'revision',
    entityId: revisionId,
    before: null,
    after: { agreement: AGREEMENT_NAME, revision: 1, status: 'active', timeZone: TIME_ZONE },
    at: activatedAt,
  });

  const clockRef = (clock: string, stage: LifecycleStage | null = null): ClockRuleRef => {
    const row = clockRows.find((r) => r.clock === clock && r.stage === stage)!;
    return { id: row.id, businessMinutes: row.businessMinutes };
  };
  const reasonCodes = { recycle: [], disqualify: [], reject: [] } as SeedAgreement['reasonCodes'];
  for (const reason of reasonCodeDefinitions) reasonCodes[reason.kind].push({ code: reason.code, label: reason.label });
  const hours = new Map<number, [number, number][]>();
  for (const h of businessHourDefinitions) hours.set(h.weekday, [...(hours.get(h.weekday) ?? []), [h.startMinute, h.endMinute]]);

  return {
    agreementId,
    revisionId,
    activatedAt,
    fitRules,
    interestRules,
    ...scoringThresholds,
    temperatureBands: temperatureBandDefinitions,
    fitGrades: fitGradeDefinitions,
    triggerActivityTypes,
    requiredFields: requiredFieldDefinitions.map((f) => f.field),
    clocks: {
      acceptance: clockRef('acceptance'),
      response: clockRef('response'),
      cadenceInterval: clockRef('cadence_interval'),
      timeInStage: Object.fromEntries(
        Object.keys(clockRuleDefinitions.timeInStage).map((stage) => [stage, clockRef('time_in_stage', stage as LifecycleStage)]),
      ),
    },
    cadence: cadenceDefinition,
    reasonCodes,
    recycleRules: recycleRuleDefinitions.map((rule) => ({
      trigger: rule.trigger,
      reasonCode: rule.reasonCode,
      workflowId: workflowId(rule.workflowKey),
      requalifyAfterDays: rule.requalifyAfterDays,
    })),
    workflows: workflows.map((w) => ({ id: w.id, key: w.key, steps: w.steps })),
    pipelineStages: pipelineStageDefinitions,
    transitions: transitionDefinitions,
    businessCalendar: { timeZone: TIME_ZONE, hours, holidays: new Set(holidayRows.map((h) => h.day)) },
  };
}
