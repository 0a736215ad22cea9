// Pure scoring rules: who a lead is (fit) and what it does (interest), repeat policies, decay,
// temperature bands and fit grades. Ingestion, re-scoring and the demo seed all go through these
// functions so a score means the same thing everywhere.

export type RuleOperator = 'equals' | 'in' | 'contains' | 'range' | 'exists';
export type RepeatPolicy = 'once' | 'every_time' | 'max_per_period';

export interface PropertyFilter {
  property: string;
  operator: RuleOperator;
  value?: unknown;
}

export interface FitRule {
  /** title, seniority, department, company_size, industry, country, source or attributes.<key>. */
  attribute: string;
  operator: RuleOperator;
  value?: unknown;
  points: number;
}

export interface InterestRule {
  activityType: string;
  propertyFilters: readonly PropertyFilter[];
  points: number;
  repeatPolicy: RepeatPolicy;
  repeatMax?: number | null;
  repeatPeriodDays?: number | null;
  decayHalfLifeDays?: number | null;
}

/** The lead attributes fit rules may test (camelCase as in the leads table). */
export interface ScorableLead {
  title?: string | null;
  seniority?: string | null;
  department?: string | null;
  companySize?: number | null;
  industry?: string | null;
  country?: string | null;
  source?: string | null;
  attributes?: Record<string, unknown> | null;
}

export interface ScorableActivity {
  type: string;
  properties?: Record<string, unknown> | null;
}

export interface TemperatureBand<T extends string = string> {
  temperature: T;
  minScore: number;
  /** Exclusive upper bound; null for the top band. */
  maxScore: number | null;
}

export interface FitGradeThreshold<G extends string = string> {
  grade: G;
  minFit: number;
}

const DAY_MS = 86_400_000;

// Rule attributes are written in snake_case (as in the API); the lead object is camelCase.
const leadFields: Record<string, keyof ScorableLead> = {
  title: 'title',
  seniority: 'seniority',
  department: 'department',
  company_size: 'companySize',
  companysize: 'companySize',
  industry: 'industry',
  country: 'country',
  source: 'source',
};

/** The value a fit rule looks at, or undefined when the lead has no such attribute. */
export function leadAttribute(lead: ScorableLead, attribute: string): unknown {
  if (attribute.startsWith('attributes.')) return lookupPath(lead.attributes ?? undefined, attribute.slice(11));
  const field = leadFields[attribute.toLowerCase()];
  return field ? lead[field] : undefined;
}

function lookupPath(object: Record<string, unknown> | undefined, path: string): unknown {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

// Text comparisons ignore case and surrounding spaces: "VP " and "vp" are the same seniority.
function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') {
    return actual.trim().toLowerCase() === expected.trim().toLowerCase();
  }
  if (typeof actual === 'number' || typeof expected === 'number') {
    const a = toNumber(actual);
    const b = toNumber(expected);
    return a !== null && b !== null && a === b;
  }
  return actual === expected;
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/**
 * One comparison. `in` takes an array; `contains` is a case-insensitive substring test on text, or
 * membership for an array attribute; `range` takes {min?, max?} with min inclusive and max
 * exclusive (the same half-open convention as temperature bands); `exists` is true when the value
 * is present, or absent when the rule's value is false.
 */
export function matchesOperator(operator: RuleOperator, actual: unknown, expected: unknown): boolean {
  switch (operator) {
    case 'equals':
      return isPresent(actual) && sameValue(actual, expected);
    case 'in':
      return isPresent(actual) && Array.isArray(expected) && expected.some((item) => sameValue(actual, item));
    case 'contains': {
      if (Array.isArray(actual)) return actual.some((item) => sameValue(item, expected));
      if (typeof actual !== 'string' || typeof expected !== 'string') return false;
      return actual.toLowerCase().includes(expected.toLowerCase());
    }
    case 'range': {
      const value = toNumber(actual);
      if (value === null || expected === null || typeof expected !== 'object') return false;
      const { min, max } = expected as { min?: unknown; max?: unknown };
      const lower = min === undefined || min === null ? null : toNumber(min);
      const upper = max === undefined || max === null ? null : toNumber(max);
      return (lower === null || value >= lower) && (upper === null || value < upper);
    }
    case 'exists':
      return expected === false ? !isPresent(actual) : isPresent(actual);
  }
}

/** The points a fit rule gives this lead: the rule's points when it matches, 0 otherwise. */
export function fitPoints(rule: FitRule, lead: ScorableLead): number {
  return matchesOperator(rule.operator, leadAttribute(lead, rule.attribute), rule.value) ? rule.points : 0;
}

/** Whether an activity is of the rule's type and passes all of its property filters. */
export function interestMatches(rule: InterestRule, activity: ScorableActivity): boolean {
  if (rule.activityType !== activity.type) return false;
  const properties = activity.properties ?? undefined;
  return rule.propertyFilters.every((filter) =>
    matchesOperator(filter.operator, lookupPath(properties, filter.property), filter.value),
  );
}

/**
 * Whether the repeat policy lets the rule award points again at `at`, given when it already awarded
 * points to the same lead (awards are decided in time order). MAX_PER_PERIOD counts awards in
 * fixed periods that start at the lead's first award for the rule (the first matching activity):
 * "at most 3 per 30 days" means days 0–29, 30–59, … after that first activity. Re-scoring in SQL
 * (scoring/reconcile.ts) uses the very same periods.
 */
export function repeatAllows(rule: InterestRule, previousAwards: readonly Date[], at: Date): boolean {
  switch (rule.repeatPolicy) {
    case 'every_time':
      return true;
    case 'once':
      return previousAwards.length === 0;
    case 'max_per_period': {
      if (previousAwards.length === 0) return true;
      const max = rule.repeatMax ?? 0;
      const periodMs = (rule.repeatPeriodDays ?? 0) * DAY_MS;
      if (periodMs <= 0) return false;
      const anchor = Math.min(...previousAwards.map((d) => d.getTime()));
      const period = (t: number) => Math.floor((t - anchor) / periodMs);
      const current = period(at.getTime());
      return previousAwards.filter((d) => period(d.getTime()) === current).length < max;
    }
  }
}

/** points × 0.5^(ageDays / halfLife); no decay when halfLife is null. Age before 0 counts as 0. */
export function decayedPoints(points: number, halfLifeDays: number | null | undefined, occurredAt: Date, at: Date): number {
  if (halfLifeDays === null || halfLifeDays === undefined) return points;
  const ageDays = Math.max(0, (at.getTime() - occurredAt.getTime()) / DAY_MS);
  return points * Math.pow(0.5, ageDays / halfLifeDays);
}

/** Rounds half away from zero, as PostgreSQL's round(numeric) does, so SQL and code agree. */
export function roundScore(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

/** A lead's interest score at `at`: the rounded sum of its decayed interest ledger points. */
export function interestScoreAt(
  entries: readonly { points: number; decayHalfLifeDays: number | null; occurredAt: Date }[],
  at: Date,
): number {
  let sum = 0;
  for (const entry of entries) sum += decayedPoints(entry.points, entry.decayHalfLifeDays, entry.occurredAt, at);
  return roundScore(sum);
}

/** The band whose [min, max) holds the score; below every band → the lowest, above → the highest. */
export function temperatureFor<T extends string>(bands: readonly TemperatureBand<T>[], score: number): T {
  if (bands.length === 0) throw new Error('no temperature bands configured');
  const sorted = [...bands].sort((a, b) => a.minScore - b.minScore);
  for (const band of sorted) {
    if (score >= band.minScore && (band.maxScore === null || score < band.maxScore)) return band.temperature;
  }
  const lowest = sorted[0]!;
  return score < lowest.minScore ? lowest.temperature : sorted[sorted.length - 1]!.temperature;
}

/** The best grade whose minFit the fit score reaches; below every threshold → the lowest grade. */
export function fitGradeFor<G extends string>(grades: readonly FitGradeThreshold<G>[], fit: number): G {
  if (grades.length === 0) throw new Error('no fit grades configured');
  const sorted = [...grades].sort((a, b) => b.minFit - a.minFit);
  for (const grade of sorted) if (fit >= grade.minFit) return grade.grade;
  return sorted[sorted.length - 1]!.grade;
}
