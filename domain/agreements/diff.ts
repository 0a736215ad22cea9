import { isDeepStrictEqual } from 'node:util';
import { partNames, type PartName, type RulesDocument } from './document';

export interface RuleChange {
  /** The part of the agreement, e.g. scoring.rules, goals, cadence. */
  part: string;
  /** The item's natural key within the part (rule key, stage, from→to…); null for single-valued parts. */
  key: string | null;
  kind: 'added' | 'removed' | 'changed';
  /** The changed field, for `changed`; null when the whole item was added or removed. */
  field: string | null;
  before: unknown;
  after: unknown;
}

type Keyed = { part: string; items: unknown[]; keyOf: (item: any) => string };

function keyedParts(doc: RulesDocument): Keyed[] {
  return [
    { part: 'goals', items: doc.goals, keyOf: (g) => g.key },
    { part: 'stages', items: doc.stages, keyOf: (s) => s.stage },
    { part: 'transitions', items: doc.transitions, keyOf: (t) => `${t.from}→${t.to}` },
    { part: 'pipelineStages', items: doc.pipelineStages, keyOf: (s) => s.key },
    { part: 'scoring.rules', items: doc.scoring.rules, keyOf: (r) => r.key },
    { part: 'scoring.temperatureBands', items: doc.scoring.temperatureBands, keyOf: (b) => b.temperature },
    { part: 'scoring.fitGrades', items: doc.scoring.fitGrades, keyOf: (g) => g.grade },
    { part: 'handoff.requiredFields', items: doc.handoff.requiredFields, keyOf: (f) => f.field },
    { part: 'scope.rules', items: doc.scope.rules, keyOf: (r) => `${r.attribute} ${r.operator} ${JSON.stringify(r.value ?? null)}` },
    { part: 'routing.members', items: doc.routing.members, keyOf: (m) => m.userId },
    { part: 'businessHours', items: doc.businessHours, keyOf: (h) => `${h.weekday}@${h.start}` },
    { part: 'holidays', items: doc.holidays, keyOf: (h) => h.day },
    { part: 'clocks', items: doc.clocks, keyOf: (c) => (c.stage ? `${c.clock}:${c.stage}` : c.clock) },
    { part: 'reasonCodes', items: doc.reasonCodes, keyOf: (r) => `${r.kind}:${r.code}` },
    { part: 'recycleRules', items: doc.recycleRules, keyOf: (r) => `${r.trigger}:${r.reasonCode}` },
    { part: 'nurtureWorkflows', items: doc.nurtureWorkflows, keyOf: (w) => w.key },
  ];
}

function singleValued(doc: RulesDocument): Record<string, unknown> {
  const { requiredFields: _r, ...handoff } = doc.handoff;
  const { members: _m, ...routing } = doc.routing;
  return {
    timeZone: doc.timeZone,
    notes: doc.notes,
    'scoring.thresholds': { mqlFitThreshold: doc.scoring.mqlFitThreshold, mqlInterestThreshold: doc.scoring.mqlInterestThreshold },
    handoff,
    'scope.priority': { priority: doc.scope.priority },
    routing,
    cadence: doc.cadence,
  };
}

function fieldChanges(part: string, key: string | null, before: Record<string, unknown>, after: Record<string, unknown>): RuleChange[] {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return fields
    .filter((field) => !isDeepStrictEqual(before?.[field], after?.[field]))
    .map((field) => ({ part, key, kind: 'changed' as const, field, before: before?.[field] ?? null, after: after?.[field] ?? null }));
}

/** What changed from one revision's rules to another's, item by item and field by field. */
export function diffDocuments(from: RulesDocument, to: RulesDocument): RuleChange[] {
  const changes: RuleChange[] = [];
  const a = singleValued(from);
  const b = singleValued(to);
  for (const part of Object.keys(a)) {
    const x = a[part];
    const y = b[part];
    if (isDeepStrictEqual(x, y)) continue;
    if (x && y && typeof x === 'object' && typeof y === 'object') changes.push(...fieldChanges(part, null, x as never, y as never));
    else changes.push({ part, key: null, kind: x == null ? 'added' : y == null ? 'removed' : 'changed', field: null, before: x ?? null, after: y ?? null });
  }
  const right = new Map(keyedParts(to).map((k) => [k.part, k]));
  for (const left of keyedParts(from)) {
    const other = right.get(left.part)!;
    const before = new Map(left.items.map((item) => [left.keyOf(item), item]));
    const after = new Map(other.items.map((item) => [other.keyOf(item), item]));
    for (const [key, item] of before) {
      if (!after.has(key)) changes.push({ part: left.part, key, kind: 'removed', field: null, before: item, after: null });
      else if (!isDeepStrictEqual(item, after.get(key))) changes.push(...fieldChanges(left.part, key, item as never, after.get(key) as never));
    }
    for (const [key, item] of after) {
      if (!before.has(key)) changes.push({ part: left.part, key, kind: 'added', field: null, before: null, after: item });
    }
  }
  return changes;
}

export { partNames, type PartName };
