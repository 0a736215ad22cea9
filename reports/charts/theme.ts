import type { Config } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { KpiId } from '../kpis/catalogue';

/** A chart as every consumer receives it: the spec (with its data inlined) and the data alone. */
export interface Chart {
  kpi: KpiId;
  title: string;
  spec: TopLevelSpec;
  /** The flat rows the spec draws (also what CSV export writes). */
  data: Record<string, string | number | null>[];
}

export const colors = {
  ink: '#1e293b',
  muted: '#64748b',
  grid: '#e2e8f0',
  marketing: '#7c3aed',
  sales: '#0f766e',
  shared: '#2563eb',
  good: '#15803d',
  bad: '#b91c1c',
  sla: '#dc2626',
  categories: ['#2563eb', '#0f766e', '#d97706', '#7c3aed', '#db2777', '#64748b', '#65a30d', '#0891b2', '#9333ea'],
  temperature: { cold: '#60a5fa', warm: '#f59e0b', hot: '#dc2626' },
} as const;

// The system-font stack works in browsers; DejaVu Sans is what the server's PNG renderer finds.
export const fontFamily = 'Inter, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif';

/** One theme for every chart, in the browser and on the server. */
export const theme: Config = {
  font: fontFamily,
  background: '#ffffff',
  padding: 12,
  view: { stroke: null },
  title: { fontSize: 15, fontWeight: 600, color: colors.ink, anchor: 'start', offset: 12, subtitleColor: colors.muted, subtitleFontSize: 12 },
  axis: {
    labelColor: colors.muted,
    titleColor: colors.ink,
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 500,
    gridColor: colors.grid,
    domainColor: '#cbd5e1',
    tickColor: '#cbd5e1',
  },
  legend: { labelColor: colors.ink, titleColor: colors.ink, labelFontSize: 11, titleFontSize: 12, orient: 'bottom', columns: 4 },
  range: { category: [...colors.categories] },
  line: { strokeWidth: 2.5 },
  point: { filled: true, size: 50 },
  text: { color: colors.ink, fontSize: 11 },
};

export const WIDTH = 560;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The shared top-level frame: schema, theme, width, title and inlined data. */
export function frame(
  title: string,
  subtitle: string | undefined,
  data: Chart['data'],
  body: Record<string, unknown>,
): TopLevelSpec {
  return {
    $schema: SCHEMA,
    config: theme,
    title: subtitle ? { text: title, subtitle } : { text: title },
    data: { values: data },
    ...body,
  } as TopLevelSpec;
}

/** Words for the database's snake_case vocabulary. */
export function humanize(value: string): string {
  const words = value.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const percentAxis = { format: '.0%' } as const;
/** Tick values for a symlog count axis: 0 and the powers of ten up to the largest value. */
export function symlogTicks(max: number): number[] {
  const ticks = [0];
  for (let v = 1; v <= Math.max(max, 1) * 10; v *= 10) ticks.push(v);
  return ticks.filter((v) => v === 0 || v <= Math.max(max, 1) * 1.5);
}

/**
 * A time axis over bucket days (YYYY-MM-DD, UTC): UTC scale so a browser in another time zone shows
 * the same days, one tick per bucket, month names for monthly buckets.
 */
export function bucketAxis(buckets: string[]): Record<string, unknown> {
  const days = [...new Set(buckets)].sort();
  const monthly = days.length > 1 && days.every((day) => day.endsWith('-01'));
  return {
    field: 'bucket',
    type: 'temporal',
    title: null,
    scale: { type: 'utc' },
    axis: { values: days.map((day) => Date.parse(`${day}T00:00:00Z`)), format: monthly ? '%b %Y' : '%d %b', labelAngle: 0, labelOverlap: true },
  };
}

/** "5 Jan 2026" for tooltips (preformatted: tooltip time formats would use the browser's zone). */
export function bucketLabel(day: string, monthly = false): string {
  const date = new Date(`${day}T00:00:00Z`);
  return date.toLocaleDateString('en-GB', { timeZone: 'UTC', day: monthly ? undefined : 'numeric', month: 'short', year: 'numeric' });
}

/** The first `limit` rows and a subtitle note when some were left out (long lists of reps). */
export function topRows<T>(rows: T[], limit: number, noun: string): { shown: T[]; note: string } {
  if (rows.length <= limit) return { shown: rows, note: '' };
  return { shown: rows.slice(0, limit), note: ` (top ${limit} of ${rows.length} ${noun}; the table and CSV have all)` };
}

/** Counts have no fractional ticks. */
export const countAxis = { tickMinStep: 1, format: ',d' } as const;
