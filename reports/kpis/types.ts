import type { SQL } from 'drizzle-orm';

/** Filters every KPI understands. Dates are calendar days (UTC), both ends included. */
export interface KpiFilters {
  from: string;
  to: string;
  /** leads.agreement_id */
  agreementId?: string | null;
  /** leads.source */
  source?: string | null;
  /** leads.owner_id */
  ownerId?: string | null;
}

/** A rate always travels with what it was computed from; null when the denominator is 0. */
export interface Rate {
  numerator: number;
  denominator: number;
  rate: number | null;
}

/** Which filters a KPI honours (shown in docs and the API). */
export type KpiParam = 'period' | 'agreement' | 'source' | 'owner';

export type RawRow = Record<string, unknown>;

/**
 * One KPI: one SQL statement (built from the filters) and one mapper from raw rows to typed rows.
 * Nothing else computes it: GraphQL, notebooks and the CLI all go through `runKpi`.
 */
export interface KpiDefinition<Row> {
  id: string;
  title: string;
  /** The definition in words, as the SLA meeting would read it. */
  description: string;
  params: readonly KpiParam[];
  query(filters: KpiFilters): SQL;
  mapRows(raw: RawRow[], filters: KpiFilters): Row[];
}

export function defineKpi<Row>(definition: KpiDefinition<Row>): KpiDefinition<Row> {
  return definition;
}

export function rate(numerator: number, denominator: number): Rate {
  return { numerator, denominator, rate: denominator === 0 ? null : numerator / denominator };
}

// Both drivers hand numbers back differently (postgres.js: strings for bigint/numeric; PGlite:
// numbers or bigints), so every mapper converts explicitly.
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'bigint' ? Number(value) : Number(value);
  if (Number.isNaN(n)) throw new TypeError(`expected a number, got ${String(value)}`);
  return n;
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export function str(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

export function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : str(value);
}

/** Calendar day text from a date or timestamp column, whichever type the driver returns. */
export function day(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}
