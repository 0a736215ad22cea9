import type { FieldProblem } from '../errors';
import { minutesOf, type PartName, type RulesDocument } from './document';

// Whole-document checks: what no single field can tell. Paths name the offending field as the
// client sent it (`input.<part>…`), so a form can put each message beside its field.

const TEMPERATURE_ORDER = ['cold', 'warm', 'hot'] as const;
const GRADE_ORDER = ['A', 'B', 'C', 'D'] as const;

function duplicates<T>(items: T[], keyOf: (item: T) => string, path: (i: number) => string, what: string): FieldProblem[] {
  const seen = new Map<string, number>();
  const problems: FieldProblem[] = [];
  items.forEach((item, i) => {
    const key = keyOf(item);
    if (seen.has(key)) problems.push({ field: path(i), message: `${what} "${key}" appears twice (first at index ${seen.get(key)})` });
    else seen.set(key, i);
  });
  return problems;
}

/** The highest score a dimension can reach, or Infinity when repeats are unbounded. */
export function maxReachable(doc: RulesDocument, dimension: 'fit' | 'interest'): number {
  const rules = doc.scoring.rules.filter((r) => r.active && r.dimension === dimension && r.points > 0);
  if (dimension === 'fit') {
    // Rules on the same attribute may all match (e.g. title contains "VP" and "Sales"), so sum all.
    return rules.reduce((sum, r) => sum + r.points, 0);
  }
  let total = 0;
  for (const rule of rules) {
    if (rule.repeatPolicy === 'once') total += rule.points;
    else return Number.POSITIVE_INFINITY;
  }
  return total;
}

export function checkDocument(doc: RulesDocument, touched: ReadonlySet<PartName> | 'all' = 'all'): FieldProblem[] {
  const p: FieldProblem[] = [];
  const on = (part: PartName) => touched === 'all' || touched.has(part);
  const definedStages = new Set(doc.stages.map((s) => s.stage));

  if (on('goals')) {
    p.push(...duplicates(doc.goals, (g) => g.key, (i) => `input.goals[${i}].key`, 'goal key'));
    doc.goals.forEach((goal, i) => {
      const at = `input.goals[${i}]`;
      if (goal.periodEnd < goal.periodStart) p.push({ field: `${at}.periodEnd`, message: `the period ends (${goal.periodEnd}) before it starts (${goal.periodStart})` });
      if (goal.metric === 'new_revenue' && !goal.averageDealSizeMinor) p.push({ field: `${at}.averageDealSizeMinor`, message: 'a revenue goal needs an average deal size' });
      if (goal.rateSource === 'configured') {
        const needed = ['winRate', 'sqlToOpportunity', 'mqlToSql', 'leadToMql', 'visitorToLead'] as const;
        const from = { new_revenue: 0, won_deals: 0, opportunities: 1, sqls: 2, mqls: 3, leads: 4, visitors: 5 }[goal.metric];
        for (const rateName of needed.slice(from)) {
          if (goal.rates[rateName] == null) p.push({ field: `${at}.rates.${rateName}`, message: 'configured rates need this rate for the reverse funnel' });
        }
      }
    });
  }

  if (on('stages')) {
    p.push(...duplicates(doc.stages, (s) => s.stage, (i) => `input.stages[${i}].stage`, 'stage'));
  }

  if (on('transitions') || on('stages')) {
    p.push(...duplicates(doc.transitions, (t) => `${t.from}→${t.to}`, (i) => `input.transitions[${i}]`, 'transition'));
    doc.transitions.forEach((t, i) => {
      const at = `input.transitions[${i}]`;
      if (t.from === t.to) p.push({ field: `${at}.to`, message: `a transition must change the stage (${t.from} → ${t.to})` });
      if (definedStages.size > 0) {
        if (!definedStages.has(t.from)) p.push({ field: `${at}.from`, message: `unknown stage "${t.from}": define it in stages first` });
        if (!definedStages.has(t.to)) p.push({ field: `${at}.to`, message: `unknown stage "${t.to}": define it in stages first` });
      }
    });
    // Every defined stage must be reachable from "lead" through the allowed transitions.
    if (doc.transitions.length > 0 && definedStages.has('lead')) {
      const reached = new Set<string>(['lead']);
      for (let grew = true; grew; ) {
        grew = false;
        for (const t of doc.transitions) {
          if (reached.has(t.from) && !reached.has(t.to)) {
            reached.add(t.to);
            grew = true;
          }
        }
      }
      for (const stage of definedStages) {
        if (!reached.has(stage)) p.push({ field: 'input.transitions', message: `stage "${stage}" cannot be reached from "lead" with these transitions` });
      }
    }
  }

  if (on('pipelineStages')) {
    p.push(...duplicates(doc.pipelineStages, (s) => s.key, (i) => `input.pipelineStages[${i}].key`, 'pipeline stage'));
    if (doc.pipelineStages.length > 0) {
      if (!doc.pipelineStages.some((s) => s.outcome === 'won')) p.push({ field: 'input.pipelineStages', message: 'the pipeline needs a WON stage (won deals carry the revenue goals measure)' });
      if (!doc.pipelineStages.some((s) => s.outcome === 'lost')) p.push({ field: 'input.pipelineStages', message: 'the pipeline needs a LOST stage' });
    }
  }

  if (on('scoring')) {
    const s = doc.scoring;
    p.push(...duplicates(s.rules, (r) => r.key, (i) => `input.scoring.rules[${i}].key`, 'rule key'));
    s.rules.forEach((rule, i) => {
      const at = `input.scoring.rules[${i}]`;
      if (rule.dimension === 'fit') {
        if (!rule.attribute) p.push({ field: `${at}.attribute`, message: 'a fit rule needs the lead attribute it tests' });
        if (!rule.operator) p.push({ field: `${at}.operator`, message: 'a fit rule needs an operator' });
        if (rule.activityType) p.push({ field: `${at}.activityType`, message: 'a fit rule looks at who the lead is, not at activities' });
        if (rule.decayHalfLifeDays) p.push({ field: `${at}.decayHalfLifeDays`, message: 'fit points do not decay' });
        if (rule.operator) p.push(...checkOperatorValue(rule.operator, rule.value, `${at}.value`));
      } else {
        if (!rule.activityType) p.push({ field: `${at}.activityType`, message: 'an interest rule needs an activity type' });
        if (rule.attribute || rule.operator) p.push({ field: `${at}.attribute`, message: 'an interest rule filters activities with propertyFilters, not lead attributes' });
      }
      rule.propertyFilters.forEach((f, j) => p.push(...checkOperatorValue(f.operator, f.value ?? null, `${at}.propertyFilters[${j}].value`)));
      if (rule.repeatPolicy === 'max_per_period') {
        if (!rule.repeatMax) p.push({ field: `${at}.repeatMax`, message: 'MAX_PER_PERIOD needs repeatMax' });
        if (!rule.repeatPeriodDays) p.push({ field: `${at}.repeatPeriodDays`, message: 'MAX_PER_PERIOD needs repeatPeriodDays' });
      }
    });

    const bands = [...s.temperatureBands];
    p.push(...duplicates(bands, (b) => b.temperature, (i) => `input.scoring.temperatureBands[${i}].temperature`, 'temperature'));
    if (bands.length > 0) {
      const sorted = bands.map((band, index) => ({ band, index })).sort((a, b) => a.band.minScore - b.band.minScore);
      sorted.forEach(({ band, index }, k) => {
        const at = `input.scoring.temperatureBands[${index}]`;
        if (band.maxScore != null && band.maxScore <= band.minScore) p.push({ field: `${at}.maxScore`, message: 'maxScore must be above minScore' });
        const next = sorted[k + 1];
        if (next) {
          if (band.maxScore == null) p.push({ field: `${at}.maxScore`, message: `only the top band may be open-ended; ${next.band.temperature} starts at ${next.band.minScore}` });
          else if (band.maxScore > next.band.minScore) p.push({ field: `${at}.maxScore`, message: `${band.temperature} (up to ${band.maxScore}) overlaps ${next.band.temperature} (from ${next.band.minScore})` });
          else if (band.maxScore < next.band.minScore) p.push({ field: `${at}.maxScore`, message: `gap between ${band.temperature} (up to ${band.maxScore}) and ${next.band.temperature} (from ${next.band.minScore}): scores in between would have no temperature` });
        } else if (band.maxScore != null) {
          p.push({ field: `${at}.maxScore`, message: 'the top band must be open-ended (maxScore null)' });
        }
      });
      const order = sorted.map(({ band }) => TEMPERATURE_ORDER.indexOf(band.temperature));
      if (order.some((o, k) => k > 0 && o < order[k - 1]!)) p.push({ field: 'input.scoring.temperatureBands', message: 'bands must go cold → warm → hot as the score rises' });
    }

    p.push(...duplicates(s.fitGrades, (g) => g.grade, (i) => `input.scoring.fitGrades[${i}].grade`, 'grade'));
    const grades = [...s.fitGrades].sort((a, b) => GRADE_ORDER.indexOf(a.grade) - GRADE_ORDER.indexOf(b.grade));
    grades.forEach((g, k) => {
      const next = grades[k + 1];
      if (next && next.minFit >= g.minFit) {
        const index = s.fitGrades.indexOf(next);
        p.push({ field: `input.scoring.fitGrades[${index}].minFit`, message: `grade ${next.grade} must start below grade ${g.grade} (${g.minFit})` });
      }
    });

    const maxFit = maxReachable(doc, 'fit');
    const maxInterest = maxReachable(doc, 'interest');
    if (s.rules.length > 0 && s.mqlFitThreshold > maxFit) p.push({ field: 'input.scoring.mqlFitThreshold', message: `no lead can reach ${s.mqlFitThreshold} fit points: the fit rules give at most ${maxFit}` });
    if (s.rules.length > 0 && s.mqlInterestThreshold > maxInterest) p.push({ field: 'input.scoring.mqlInterestThreshold', message: `no lead can reach ${s.mqlInterestThreshold} interest points: the interest rules give at most ${maxInterest}` });
  }

  if (on('handoff')) {
    p.push(...duplicates(doc.handoff.requiredFields, (f) => f.field, (i) => `input.handoff.requiredFields[${i}].field`, 'field'));
    p.push(...duplicates(doc.handoff.triggerActivityTypes, (t) => t, (i) => `input.handoff.triggerActivityTypes[${i}]`, 'activity type'));
  }

  if (on('routing')) {
    p.push(...duplicates(doc.routing.members, (m) => m.userId, (i) => `input.routing.members[${i}].userId`, 'member'));
  }

  if (on('businessHours')) {
    const byDay = new Map<number, { start: number; end: number; index: number }[]>();
    doc.businessHours.forEach((h, index) => {
      const start = minutesOf(h.start);
      const end = minutesOf(h.end);
      if (end <= start) p.push({ field: `input.businessHours[${index}].end`, message: `ends (${h.end}) before it starts (${h.start})` });
      byDay.set(h.weekday, [...(byDay.get(h.weekday) ?? []), { start, end, index }]);
    });
    for (const intervals of byDay.values()) {
      intervals.sort((a, b) => a.start - b.start);
      intervals.forEach((iv, k) => {
        const next = intervals[k + 1];
        if (next && next.start < iv.end) p.push({ field: `input.businessHours[${next.index}].start`, message: 'overlaps another interval on the same day' });
      });
    }
  }

  if (on('scope')) {
    doc.scope.rules.forEach((rule, i) => p.push(...checkOperatorValue(rule.operator, rule.value ?? null, `input.scope.rules[${i}].value`)));
  }

  if (on('holidays')) p.push(...duplicates(doc.holidays, (h) => h.day, (i) => `input.holidays[${i}].day`, 'holiday'));

  if (on('clocks') || on('stages')) {
    p.push(...duplicates(doc.clocks, (c) => `${c.clock}/${c.stage ?? ''}`, (i) => `input.clocks[${i}]`, 'clock'));
    doc.clocks.forEach((c, i) => {
      if (c.clock === 'time_in_stage' && !c.stage) p.push({ field: `input.clocks[${i}].stage`, message: 'TIME_IN_STAGE needs the stage it watches' });
      if (c.clock !== 'time_in_stage' && c.stage) p.push({ field: `input.clocks[${i}].stage`, message: `only TIME_IN_STAGE watches a stage, not ${c.clock.toUpperCase()}` });
      if (c.stage && definedStages.size > 0 && !definedStages.has(c.stage)) p.push({ field: `input.clocks[${i}].stage`, message: `unknown stage "${c.stage}"` });
    });
  }

  if (on('cadence') && doc.cadence) {
    p.push(...duplicates(doc.cadence.allowedChannels, (c) => c, (i) => `input.cadence.allowedChannels[${i}]`, 'channel'));
  }

  if (on('reasonCodes')) p.push(...duplicates(doc.reasonCodes, (r) => `${r.kind}/${r.code}`, (i) => `input.reasonCodes[${i}].code`, 'reason code'));

  const workflowKeys = new Set(doc.nurtureWorkflows.map((w) => w.key));
  const recycleCodes = new Set(doc.reasonCodes.filter((r) => r.kind !== 'reject').map((r) => r.code));
  if (on('recycleRules') || on('reasonCodes') || on('nurtureWorkflows')) {
    p.push(...duplicates(doc.recycleRules, (r) => `${r.trigger}/${r.reasonCode}`, (i) => `input.recycleRules[${i}]`, 'recycle rule'));
    doc.recycleRules.forEach((r, i) => {
      if (!recycleCodes.has(r.reasonCode)) p.push({ field: `input.recycleRules[${i}].reasonCode`, message: `unknown reason code "${r.reasonCode}": add it to reasonCodes (kind RECYCLE or DISQUALIFY)` });
      if (r.nurtureWorkflowKey && !workflowKeys.has(r.nurtureWorkflowKey)) p.push({ field: `input.recycleRules[${i}].nurtureWorkflowKey`, message: `unknown nurture workflow "${r.nurtureWorkflowKey}"` });
    });
  }

  if (on('nurtureWorkflows') || on('reasonCodes')) {
    p.push(...duplicates(doc.nurtureWorkflows, (w) => w.key, (i) => `input.nurtureWorkflows[${i}].key`, 'workflow key'));
    doc.nurtureWorkflows.forEach((w, i) =>
      w.enrolmentRules.forEach((rule, j) => {
        const at = `input.nurtureWorkflows[${i}].enrolmentRules[${j}]`;
        if (rule.trigger === 'stage_entered' && !rule.stage) p.push({ field: `${at}.stage`, message: 'STAGE_ENTERED needs a stage' });
        if (rule.reasonCode && rule.trigger !== 'on_recycle') p.push({ field: `${at}.reasonCode`, message: 'only ON_RECYCLE rules filter by reason' });
        if (rule.reasonCode && !recycleCodes.has(rule.reasonCode)) p.push({ field: `${at}.reasonCode`, message: `unknown reason code "${rule.reasonCode}"` });
      }),
    );
  }
  return p;
}

function checkOperatorValue(operator: string, value: unknown, field: string): FieldProblem[] {
  switch (operator) {
    case 'exists':
      return value == null ? [] : [{ field, message: 'EXISTS takes no value' }];
    case 'in':
      return Array.isArray(value) && value.length > 0 ? [] : [{ field, message: 'IN needs a non-empty list of values' }];
    case 'range': {
      const r = value as { min?: number | null; max?: number | null } | null;
      if (!r || typeof r !== 'object' || Array.isArray(r) || (r.min == null && r.max == null)) return [{ field, message: 'RANGE needs {"min": …, "max": …} (either may be left out)' }];
      if (r.min != null && r.max != null && r.min > r.max) return [{ field, message: `RANGE min (${r.min}) is above max (${r.max})` }];
      return [];
    }
    default:
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? []
        : [{ field, message: `${operator.toUpperCase()} needs a single value` }];
  }
}

/** What a revision must have before it can be activated. */
export function checkComplete(doc: RulesDocument): FieldProblem[] {
  const p: FieldProblem[] = [];
  const need = (ok: boolean, field: string, message: string) => {
    if (!ok) p.push({ field, message });
  };
  const stages = new Set(doc.stages.map((s) => s.stage));
  for (const stage of ['lead', 'mql', 'sql'] as const) need(stages.has(stage), 'stages', `define the ${stage.toUpperCase()} stage`);
  need(doc.transitions.length > 0, 'transitions', 'define the allowed transitions');
  need(doc.scoring.rules.some((r) => r.dimension === 'fit'), 'scoring.rules', 'add at least one fit rule');
  need(doc.scoring.rules.some((r) => r.dimension === 'interest'), 'scoring.rules', 'add at least one interest rule');
  need(doc.scoring.temperatureBands.length === 3, 'scoring.temperatureBands', 'define the cold, warm and hot bands');
  need(doc.scoring.fitGrades.length === 4, 'scoring.fitGrades', 'define fit grades A, B, C and D');
  need(doc.businessHours.length > 0, 'businessHours', 'define business hours (SLA clocks count them)');
  need(doc.cadence != null, 'cadence', 'define the follow-up cadence');
  need(!doc.cadence || doc.recycleRules.some((r) => r.trigger === 'max_attempts'), 'recycleRules', 'say with which reason a lead goes back after the maximum attempts (a MAX_ATTEMPTS recycle rule)');
  need(doc.clocks.some((c) => c.clock === 'response'), 'clocks', 'define the response-time clock');
  need(doc.clocks.some((c) => c.clock === 'acceptance'), 'clocks', 'define the acceptance clock');
  return p.map((problem) => ({ ...problem, field: `revision.${problem.field}` }));
}
