import { z } from 'zod';
import {
  activityTypes,
  buyingStages,
  contactChannels,
  contactOutcomes,
  enrolmentTriggers,
  fitGradeValues,
  goalMetrics,
  lifecycleStages,
  ownerSides,
  pipelineOutcomes,
  rateSources,
  reasonKinds,
  recycleTriggers,
  repeatPolicies,
  routingMethods,
  ruleOperators,
  scoreDimensions,
  slaClocks,
  temperatures,
} from '../../db/schema/enums';

// The rules of one agreement revision as one document, part by part. Rows in the database are the
// storage of this document (domain/agreements/store.ts); every item has a natural key so revisions
// can be compared (diff.ts) and copied. The zod schemas check each field; checks.ts checks the
// document as a whole.

const text = (max = 200) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const slug = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'use lower-case letters, digits and _ (start with a letter)');
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar day');
const rate = z.number().gt(0, 'a rate must be above 0').lte(1, 'a rate must be at most 1');
const positiveInt = (what = 'value') => z.number().int(`${what} must be a whole number`).positive(`${what} must be above 0`);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use HH:MM, e.g. 09:00');

export const goalSchema = z.object({
  key: slug,
  name: text(),
  metric: z.enum(goalMetrics),
  /** Minor units for NEW_REVENUE, a count otherwise. */
  target: positiveInt('target').max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/, 'use an ISO 4217 code, e.g. USD').default('USD'),
  periodStart: isoDate,
  periodEnd: isoDate,
  ownerSide: z.enum(ownerSides),
  averageDealSizeMinor: positiveInt('average deal size').nullable().default(null),
  rateSource: z.enum(rateSources).default('configured'),
  lookbackDays: positiveInt('lookbackDays').max(3650).default(180),
  rates: z
    .object({
      visitorToLead: rate.nullable().default(null),
      leadToMql: rate.nullable().default(null),
      mqlToSql: rate.nullable().default(null),
      sqlToOpportunity: rate.nullable().default(null),
      winRate: rate.nullable().default(null),
    })
    .default({ visitorToLead: null, leadToMql: null, mqlToSql: null, sqlToOpportunity: null, winRate: null }),
});

export const stageSchema = z.object({
  stage: z.enum(lifecycleStages),
  name: text(),
  definition: text(4000),
  criteria: z.record(z.string(), z.unknown()).default({}),
  maxBusinessHoursInStage: positiveInt('maxBusinessHoursInStage').nullable().default(null),
});

export const transitionSchema = z.object({
  from: z.enum(lifecycleStages),
  to: z.enum(lifecycleStages),
  requiresReason: z.boolean().default(false),
  automatic: z.boolean().default(false),
});

export const pipelineStageSchema = z.object({
  key: slug,
  name: text(),
  probability: z.number().min(0, 'a probability is at least 0').max(1, 'a probability is at most 1'),
  outcome: z.enum(pipelineOutcomes).default('open'),
});

const filterValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()])), z.object({ min: z.number().nullable().optional(), max: z.number().nullable().optional() })]);

export const propertyFilterSchema = z.object({
  property: text(100),
  operator: z.enum(ruleOperators),
  value: filterValue.nullable().optional(),
});

export const scoringRuleSchema = z.object({
  key: slug,
  name: text(),
  dimension: z.enum(scoreDimensions),
  attribute: z.string().trim().min(1).max(100).nullable().default(null),
  operator: z.enum(ruleOperators).nullable().default(null),
  value: filterValue.nullable().default(null),
  activityType: z.enum(activityTypes).nullable().default(null),
  propertyFilters: z.array(propertyFilterSchema).max(20).default([]),
  points: z.number().int('points must be a whole number').refine((p) => p !== 0, 'points must not be 0').refine((p) => Math.abs(p) <= 1000, 'at most 1000 points either way'),
  repeatPolicy: z.enum(repeatPolicies).default('every_time'),
  repeatMax: positiveInt('repeatMax').nullable().default(null),
  repeatPeriodDays: positiveInt('repeatPeriodDays').nullable().default(null),
  decayHalfLifeDays: positiveInt('decayHalfLifeDays').nullable().default(null),
  active: z.boolean().default(true),
});

export const temperatureBandSchema = z.object({
  temperature: z.enum(temperatures),
  minScore: z.number().int(),
  maxScore: z.number().int().nullable().default(null),
});

export const fitGradeSchema = z.object({ grade: z.enum(fitGradeValues), minFit: z.number().int() });

export const scoringSchema = z.object({
  mqlFitThreshold: z.number().int().min(0, 'a threshold is at least 0'),
  mqlInterestThreshold: z.number().int().min(0, 'a threshold is at least 0'),
  rules: z.array(scoringRuleSchema).max(500),
  temperatureBands: z.array(temperatureBandSchema),
  fitGrades: z.array(fitGradeSchema),
});

/** Lead fields a hand-off can require; custom attributes as `attributes.<name>`. */
export const leadFields = [
  'email',
  'phone',
  'first_name',
  'last_name',
  'title',
  'seniority',
  'department',
  'company_name',
  'company_size',
  'industry',
  'country',
] as const;

export const handoffSchema = z.object({
  handoffOnMql: z.boolean().default(true),
  triggerActivityTypes: z.array(z.enum(activityTypes)).default([]),
  createUnknownLeads: z.boolean().default(true),
  recentActivitiesInPayload: z.number().int().min(0).max(100).default(10),
  requiredFields: z
    .array(
      z.object({
        field: z
          .string()
          .refine(
            (f) => (leadFields as readonly string[]).includes(f) || /^attributes\.[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(f),
            `use a lead field (${leadFields.join(', ')}) or attributes.<name>`,
          ),
        label: text(),
      }),
    )
    .default([]),
});

/** Lead fields an agreement's scope can test (as fit rules do), or attributes.<name>. */
export const scopeAttributes = ['source', 'country', 'company_size', 'industry', 'title', 'seniority', 'department'] as const;

export const scopeSchema = z.object({
  /** Where scopes overlap, the lowest number governs (ties: the older agreement). */
  priority: z.number().int().min(1, 'priority is 1 (first) to 10000').max(10_000, 'priority is 1 (first) to 10000').default(100),
  /** All must match; none means every lead. */
  rules: z
    .array(
      z.object({
        attribute: z
          .string()
          .trim()
          .refine(
            (f) => (scopeAttributes as readonly string[]).includes(f) || /^attributes\.[A-Za-z_][A-Za-z0-9_.]{0,100}$/.test(f),
            `use a lead field (${scopeAttributes.join(', ')}) or attributes.<name>`,
          ),
        operator: z.enum(ruleOperators),
        value: filterValue.nullable().optional(),
      }),
    )
    .max(50)
    .default([]),
});
export type Scope = z.output<typeof scopeSchema>;

export const routingSchema = z.object({
  method: z.enum(routingMethods).default('weighted_round_robin'),
  skipInactive: z.boolean().default(true),
  respectCapacity: z.boolean().default(true),
  /** The pool is this sales team's active reps, with their own weight and capacity (members may add or override). */
  salesTeamId: z.string().uuid('not a sales team id').nullable().default(null),
  /** The response clock follows the owner's working hours and time zone, when the rep has them. */
  ownerCalendar: z.boolean().default(false),
  /** An absent rep's open obligations go to the backup, or back to routing. */
  absenceHandover: z.enum(['backup', 'routing']).default('backup'),
  members: z
    .array(
      z.object({
        userId: z.string().uuid('not a user id'),
        weight: positiveInt('weight').max(1000).default(1),
        capacity: z.number().int().min(0, 'capacity is at least 0').nullable().default(null),
      }),
    )
    .default([]),
});

export const businessHoursSchema = z.object({ weekday: z.number().int().min(1, 'weekday is 1 (Monday) to 7 (Sunday)').max(7, 'weekday is 1 (Monday) to 7 (Sunday)'), start: hhmm, end: hhmm });
export const holidaySchema = z.object({ day: isoDate, name: text() });

export const clockSchema = z.object({
  clock: z.enum(slaClocks),
  stage: z.enum(lifecycleStages).nullable().default(null),
  businessMinutes: positiveInt('businessMinutes').max(525_600),
  active: z.boolean().default(true),
});

export const cadenceSchema = z.object({
  allowedChannels: z.array(z.enum(contactChannels)).min(1, 'allow at least one channel'),
  maxAttempts: positiveInt('maxAttempts').max(100),
  minIntervalBusinessMinutes: positiveInt('minIntervalBusinessMinutes').max(525_600),
  maxSpanDays: positiveInt('maxSpanDays').max(3650),
  /** Outcomes that end the follow-up: no further attempt is due and no cadence clock runs. */
  endingOutcomes: z.array(z.enum(contactOutcomes)).default(['connected', 'replied', 'meeting_booked']),
});

export const reasonCodeSchema = z.object({ kind: z.enum(reasonKinds), code: slug, label: text() });

export const recycleRuleSchema = z.object({
  trigger: z.enum(recycleTriggers),
  reasonCode: slug,
  nurtureWorkflowKey: slug.nullable().default(null),
  requalifyAfterDays: z.number().int().min(0, 'requalifyAfterDays is at least 0').max(3650).default(0),
});

export const nurtureWorkflowSchema = z.object({
  key: slug,
  name: text(),
  buyingStage: z.enum(buyingStages),
  active: z.boolean().default(true),
  steps: z
    .array(
      z.object({
        name: text(),
        content: text(4000),
        channel: z.enum(contactChannels).default('email'),
        delayDays: z.number().int().min(0, 'delayDays is at least 0').max(3650),
      }),
    )
    .min(1, 'a workflow needs at least one step')
    .max(100),
  enrolmentRules: z
    .array(
      z.object({
        trigger: z.enum(enrolmentTriggers),
        reasonCode: slug.nullable().default(null),
        stage: z.enum(lifecycleStages).nullable().default(null),
      }),
    )
    .default([]),
});

export const timeZoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}, 'not an IANA time zone (e.g. Europe/Paris, America/New_York, UTC)');

/** Every part of a revision; each may be replaced on its own in a draft. */
export const partSchemas = {
  goals: z.array(goalSchema).max(100),
  stages: z.array(stageSchema).max(lifecycleStages.length),
  transitions: z.array(transitionSchema).max(49),
  pipelineStages: z.array(pipelineStageSchema).max(30),
  scoring: scoringSchema,
  handoff: handoffSchema,
  scope: scopeSchema,
  routing: routingSchema,
  businessHours: z.array(businessHoursSchema).max(70),
  holidays: z.array(holidaySchema).max(400),
  clocks: z.array(clockSchema).max(30),
  cadence: cadenceSchema.nullable(),
  reasonCodes: z.array(reasonCodeSchema).max(200),
  recycleRules: z.array(recycleRuleSchema).max(200),
  nurtureWorkflows: z.array(nurtureWorkflowSchema).max(100),
} as const;

export type PartName = keyof typeof partSchemas;
export const partNames = Object.keys(partSchemas) as PartName[];

export const documentSchema = z.object({ timeZone: timeZoneSchema, notes: z.string().max(4000), ...partSchemas });
export type RulesDocument = z.output<typeof documentSchema>;
export type RulesPatch = Partial<RulesDocument>;

export type Goal = z.output<typeof goalSchema>;
export type ScoringRule = z.output<typeof scoringRuleSchema>;
export type Scoring = z.output<typeof scoringSchema>;
export type NurtureWorkflow = z.output<typeof nurtureWorkflowSchema>;

export const emptyDocument = (timeZone = 'UTC'): RulesDocument => ({
  timeZone,
  notes: '',
  goals: [],
  stages: [],
  transitions: [],
  pipelineStages: [],
  scoring: { mqlFitThreshold: 0, mqlInterestThreshold: 0, rules: [], temperatureBands: [], fitGrades: [] },
  handoff: { handoffOnMql: true, triggerActivityTypes: [], createUnknownLeads: true, recentActivitiesInPayload: 10, requiredFields: [] },
  scope: { priority: 100, rules: [] },
  routing: { method: 'weighted_round_robin', skipInactive: true, respectCapacity: true, salesTeamId: null, ownerCalendar: false, absenceHandover: 'backup', members: [] },
  businessHours: [],
  holidays: [],
  clocks: [],
  cadence: null,
  reasonCodes: [],
  recycleRules: [],
  nurtureWorkflows: [],
});

export const minutesOf = (hhmmValue: string) => {
  const [h, m] = hhmmValue.split(':').map(Number) as [number, number];
  return h * 60 + m;
};
export const hhmmOf = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
