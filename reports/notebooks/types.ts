import type { Chart } from '../charts/theme';
import type { KpiId, KpiRow } from '../kpis/catalogue';

export const notebookNames = ['monthly-review', 'marketing-funnel', 'sales-cadence'] as const;
export type NotebookName = (typeof notebookNames)[number];

export function isNotebookName(value: string): value is NotebookName {
  return (notebookNames as readonly string[]).includes(value);
}

export type Side = 'marketing' | 'sales' | 'shared';

/** A KPI value with its change against the comparison period. */
export interface Tile {
  label: string;
  kpi: KpiId;
  side: Side;
  value: number | null;
  formatted: string;
  previous: number | null;
  previousFormatted: string | null;
  /** value − previous (percentage points ×0.01 for rates). */
  delta: number | null;
  deltaFormatted: string | null;
  trend: 'up' | 'down' | 'flat' | null;
  /** Whether the change is good news (null when there is no change to judge). */
  good: boolean | null;
  /** For rates: what the value was computed from. */
  numerator: number | null;
  denominator: number | null;
  note: string | null;
}

export type ColumnFormat = 'text' | 'count' | 'percent' | 'hours' | 'money' | 'decimal';

export interface TableColumn {
  key: string;
  label: string;
  format: ColumnFormat;
}

export interface Table {
  kpi: KpiId;
  title: string;
  columns: TableColumn[];
  /** Raw values keyed by column; renderers format them (CSV keeps them raw). */
  rows: Record<string, string | number | null>[];
}

export type Cell =
  | { kind: 'markdown'; markdown: string }
  | { kind: 'tiles'; title: string; tiles: Tile[] }
  | { kind: 'chart'; chart: Chart }
  | { kind: 'table'; table: Table };

export interface Period {
  from: string;
  to: string;
  label: string;
}

export interface Notebook {
  name: NotebookName;
  title: string;
  agreement: { id: string; name: string } | null;
  period: Period;
  comparison: Period;
  generatedAt: string;
  cells: Cell[];
}

/** KPI rows loaded for a notebook: the period, the comparison period and a longer trend window. */
export type KpiResults = { [K in KpiId]?: KpiRow<K>[] };

export interface NotebookData {
  current: KpiResults;
  previous: KpiResults;
  trend: KpiResults;
  period: Period;
  comparison: Period;
  trendPeriod: Period;
}

export interface NotebookDefinition {
  name: NotebookName;
  title: string;
  description: string;
  /** KPIs the cells need, per window. Each is one SQL statement. */
  kpis: { current: KpiId[]; previous: KpiId[]; trend: KpiId[] };
  /** Pure: KPI rows in, cells out. */
  build(data: NotebookData): Cell[];
}
