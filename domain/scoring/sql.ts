import { sql, type SQL } from 'drizzle-orm';
import type { PropertyFilter, RuleOperator } from './rules';

// The scoring rules as SQL predicates, with the same meaning as the pure functions in rules.ts
// (a test runs both on the same cases): text compares trimmed and case-insensitively, numbers
// numerically, RANGE is [min, max), EXISTS means present and non-empty. Re-scoring and ingestion
// evaluate rules with these, set-based, inside PostgreSQL.

/** A value to compare, seen as trimmed lower-case text and as a number when it is one. */
interface Operand {
  text: SQL;
  num: SQL;
  /** jsonb arrays support CONTAINS as membership. */
  json?: SQL;
  numeric: boolean;
}

const NUMBER_RE = '^\\s*-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*$';

function safeNumber(text: SQL): SQL {
  return sql`(case when ${text} ~ ${NUMBER_RE} then (${text})::numeric end)`;
}

const LEAD_TEXT_COLUMNS: Record<string, string> = {
  title: 'title',
  seniority: 'seniority',
  department: 'department',
  industry: 'industry',
  country: 'country',
  source: 'source',
};

function jsonOperand(json: SQL): Operand {
  const raw = sql`(${json} #>> '{}')`;
  return {
    text: sql`nullif(lower(trim(${raw})), '')`,
    num: sql`(case when jsonb_typeof(${json}) = 'number' then (${json})::text::numeric else ${safeNumber(raw)} end)`,
    json,
    numeric: false,
  };
}

function pathArray(path: string): string {
  return `{${path
    .split('.')
    .map((part) => `"${part.replace(/["\\]/g, (c) => `\\${c}`)}"`)
    .join(',')}}`;
}

/** The operand a fit rule tests on lead alias `l`, or null for an attribute leads do not have. */
export function leadOperand(attribute: string, alias = 'l'): Operand | null {
  const a = sql.raw(alias);
  if (attribute.startsWith('attributes.')) return jsonOperand(sql`(${a}.attributes #> ${pathArray(attribute.slice(11))}::text[])`);
  const key = attribute.toLowerCase();
  if (key === 'company_size' || key === 'companysize') {
    const col = sql`${a}.company_size`;
    return { text: sql`(${col})::text`, num: sql`(${col})::numeric`, numeric: true };
  }
  const column = LEAD_TEXT_COLUMNS[key];
  if (!column) return null;
  const text = sql`nullif(lower(trim(${a}.${sql.raw(column)})), '')`;
  return { text, num: safeNumber(text), numeric: false };
}

export function activityOperand(property: string, alias = 'a'): Operand {
  return jsonOperand(sql`(${sql.raw(alias)}.properties #> ${pathArray(property)}::text[])`);
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function equals(op: Operand, expected: unknown): SQL {
  // rules.ts sameValue: numbers compare numerically when either side is a number.
  if (typeof expected === 'number' || op.numeric) {
    const n = toNumber(expected);
    return n === null ? sql`false` : sql`(${op.num} = ${n})`;
  }
  if (typeof expected === 'string') {
    const textMatch = sql`(${op.text} = ${expected.trim().toLowerCase()})`;
    if (!op.json) return textMatch;
    // a JSON number on the lead compared with a numeric string
    const n = toNumber(expected);
    const numMatch = n === null ? sql`false` : sql`(jsonb_typeof(${op.json}) = 'number' and ${op.num} = ${n})`;
    return sql`((jsonb_typeof(${op.json}) is distinct from 'number' and ${textMatch}) or ${numMatch})`;
  }
  if (typeof expected === 'boolean') {
    return op.json ? sql`(${op.json} = ${JSON.stringify(expected)}::jsonb)` : sql`false`;
  }
  return sql`false`;
}

function present(op: Operand): SQL {
  if (op.json) return sql`(${op.json} is not null and ${op.json} <> 'null'::jsonb and ${op.json} <> '""'::jsonb and ${op.json} <> '[]'::jsonb and (jsonb_typeof(${op.json}) <> 'string' or trim(${op.json} #>> '{}') <> ''))`;
  return sql`(${op.text} is not null)`;
}

export function operatorPredicate(operator: RuleOperator, op: Operand, expected: unknown): SQL {
  switch (operator) {
    case 'equals':
      return sql`(${present(op)} and ${equals(op, expected)})`;
    case 'in': {
      if (!Array.isArray(expected) || expected.length === 0) return sql`false`;
      return sql`(${present(op)} and (${sql.join(expected.map((item) => equals(op, item)), sql` or `)}))`;
    }
    case 'contains': {
      if (typeof expected !== 'string') {
        if (!op.json || typeof expected !== 'number') return sql`false`;
        return sql`(jsonb_typeof(${op.json}) = 'array' and exists (select 1 from jsonb_array_elements(${op.json}) e where jsonb_typeof(e) = 'number' and e::text::numeric = ${expected}))`;
      }
      const needle = expected.toLowerCase();
      const inText = op.numeric ? sql`false` : sql`(strpos(lower(${op.json ? sql`(${op.json} #>> '{}')` : op.text}), ${needle}) > 0)`;
      if (!op.json) return inText;
      return sql`(case jsonb_typeof(${op.json})
        when 'array' then exists (select 1 from jsonb_array_elements(${op.json}) e where jsonb_typeof(e) = 'string' and lower(trim(e #>> '{}')) = ${expected.trim().toLowerCase()})
        when 'string' then ${inText}
        else false end)`;
    }
    case 'range': {
      const r = (expected ?? {}) as { min?: unknown; max?: unknown };
      if (typeof r !== 'object' || Array.isArray(r)) return sql`false`;
      const min = r.min == null ? null : toNumber(r.min);
      const max = r.max == null ? null : toNumber(r.max);
      const parts = [sql`(${op.num} is not null)`];
      if (min !== null) parts.push(sql`(${op.num} >= ${min})`);
      if (max !== null) parts.push(sql`(${op.num} < ${max})`);
      return sql`(${sql.join(parts, sql` and `)})`;
    }
    case 'exists':
      return expected === false ? sql`(not ${present(op)})` : present(op);
  }
}

export function fitPredicate(rule: { attribute: string; operator: RuleOperator; value?: unknown }, alias = 'l'): SQL {
  const op = leadOperand(rule.attribute, alias);
  if (!op) return sql`false`;
  return operatorPredicate(rule.operator, op, rule.value);
}

export function activityPredicate(rule: { activityType: string; propertyFilters: readonly PropertyFilter[] }, alias = 'a'): SQL {
  const parts = [sql`${sql.raw(alias)}.type = ${rule.activityType}`];
  for (const filter of rule.propertyFilters) parts.push(operatorPredicate(filter.operator, activityOperand(filter.property, alias), filter.value));
  return sql`(${sql.join(parts, sql` and `)})`;
}
