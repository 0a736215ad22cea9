import { rate } from './types';
import type { KpiId, KpiRow } from './catalogue';

// What a sales rep may read of reports: every aggregate, but of the per-rep breakdowns only their
// own rows and the team's total (issue 13: reps see reps' data only in aggregate). Admins, marketing
// and viewers read every row. One function, used by the notebooks, kpiChart and report links.

export interface Audience {
  /** A sales rep's user id: per-rep rows of others collapse into the team total. */
  repUserId: string;
}

const TEAM = 'All reps (team total)';

function repActivity(rows: KpiRow<'rep_activity'>[], userId: string): KpiRow<'rep_activity'>[] {
  if (rows.length === 0) return rows;
  const sum = (pick: (r: KpiRow<'rep_activity'>) => number) => rows.reduce((n, r) => n + pick(r), 0);
  const attempts = sum((r) => r.attempts);
  const leads = sum((r) => r.leadsContacted);
  const team: KpiRow<'rep_activity'> = {
    rep: TEAM,
    repId: null,
    attempts,
    leadsContacted: leads,
    attemptsPerLead: leads ? attempts / leads : null,
    // Medians do not add up: the team's are not shown beside the rep's.
    p50IntervalHours: null,
    cadenceCompliance: rate(sum((r) => r.cadenceCompliance.numerator), sum((r) => r.cadenceCompliance.denominator)),
    handoffs: sum((r) => r.handoffs),
    responseWithinSla: rate(sum((r) => r.responseWithinSla.numerator), sum((r) => r.responseWithinSla.denominator)),
    p50ResponseBusinessHours: null,
    teamTotal: true,
  };
  return [...rows.filter((r) => r.repId === userId), team];
}

function breaches(rows: KpiRow<'sla_breaches'>[], userId: string): KpiRow<'sla_breaches'>[] {
  const own = rows.filter((r) => r.ownerId === userId);
  const clocks = [...new Set(rows.map((r) => r.clock))];
  const totals = clocks.map((clock) => {
    const of = rows.filter((r) => r.clock === clock);
    const n = of.reduce((s, r) => s + r.breaches, 0);
    const resolved = of.reduce((s, r) => s + r.resolved, 0);
    return { clock, owner: TEAM, ownerId: null, breaches: n, resolved, open: n - resolved, p50HoursToResolve: null, teamTotal: true as const };
  });
  return [...own, ...totals];
}

/** The rows that add up to the whole: the team totals of a rep's view, or every row. */
export function wholeOf<Row extends { teamTotal?: true }>(rows: Row[]): Row[] {
  return rows.some((row) => row.teamTotal) ? rows.filter((row) => row.teamTotal) : rows;
}

/** The rows of a KPI as this audience may read them (unchanged for everyone but a sales rep). */
export function forAudience<K extends KpiId>(kpi: K, rows: KpiRow<K>[], audience: Audience | null | undefined): KpiRow<K>[] {
  if (!audience) return rows;
  if (kpi === 'rep_activity') return repActivity(rows as KpiRow<'rep_activity'>[], audience.repUserId) as KpiRow<K>[];
  if (kpi === 'sla_breaches') return breaches(rows as KpiRow<'sla_breaches'>[], audience.repUserId) as KpiRow<K>[];
  return rows;
}
