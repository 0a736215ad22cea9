import type { Db } from '../db/client';
import type { Principal } from '../domain/auth/api-keys';
import { buildChart, type Chart, type ChartKpi } from '../reports/charts/index';
import type { Audience } from '../reports/kpis/audience';
import { forAudience } from '../reports/kpis/audience';
import { inReportSnapshot, runKpi } from '../reports/kpis/run';
import type { KpiFilters } from '../reports/kpis/types';
import { notebookStatements, resolveParams, runNotebook, type NotebookParams } from '../reports/notebooks/runner';
import type { Notebook } from '../reports/notebooks/types';
import { ForbiddenGraphQLError } from './errors';
import { readCost, type HeavyReads } from './heavy-reads';

// The one way GraphQL and report links read notebooks and charts: who may filter on what, what a
// rep sees of other reps (only aggregates), and what it costs (api/heavy-reads.ts).

/** What this caller may see of per-rep breakdowns: a sales rep its own rows and the team's total. */
export function audienceOf(principal: Principal): Audience | null {
  return principal.role === 'sales' ? { repUserId: principal.userId } : null;
}

const audienceKey = (audience: Audience | null) => (audience ? `rep:${audience.repUserId}` : 'all');

/** A rep may filter on itself only; admins, marketing and viewers on anyone. */
export function checkOwnerFilter(principal: Principal, ownerId: string | null | undefined): void {
  if (principal.role === 'sales' && ownerId && ownerId !== principal.userId) {
    throw new ForbiddenGraphQLError('a sales rep may filter reports on itself only; other reps are shown only in aggregate');
  }
}

export async function readNotebook(
  db: Db,
  heavyReads: HeavyReads | undefined,
  principal: Principal,
  params: NotebookParams,
  now = new Date(),
): Promise<Notebook> {
  const resolved = resolveParams(params, now);
  const audience = audienceOf(principal);
  const compute = () => runNotebook(db, { ...params, from: resolved.period.from, to: resolved.period.to, compareFrom: resolved.comparison.from, compareTo: resolved.comparison.to }, { audience, now: new Date() });
  if (!heavyReads) return compute();
  return heavyReads.run({
    keyId: principal.keyId,
    cost: readCost(notebookStatements(resolved), resolved.agreementId ? 1 : 0),
    cacheKey: JSON.stringify(['notebook', resolved.notebook, resolved.agreementId, resolved.period.from, resolved.period.to, resolved.comparison.from, resolved.comparison.to, audienceKey(audience)]),
    label: `This ${resolved.notebook} notebook (${resolved.period.label}, compared with ${resolved.comparison.label})`,
    compute,
  });
}

export async function readKpiChart(
  db: Db,
  heavyReads: HeavyReads | undefined,
  principal: Principal,
  kpi: ChartKpi,
  filters: KpiFilters,
): Promise<Chart> {
  checkOwnerFilter(principal, filters.ownerId);
  const audience = audienceOf(principal);
  const compute = async () => {
    const rows = await inReportSnapshot(db, (tx) => runKpi(tx, kpi, filters));
    return buildChart(kpi, forAudience(kpi, rows, audience) as never);
  };
  if (!heavyReads) return compute();
  const filterCount = [filters.agreementId, filters.ownerId, filters.source].filter(Boolean).length;
  return heavyReads.run({
    keyId: principal.keyId,
    cost: readCost([{ from: filters.from, to: filters.to, statements: 1 }], filterCount),
    cacheKey: JSON.stringify(['chart', kpi, filters.from, filters.to, filters.agreementId ?? null, filters.ownerId ?? null, filters.source ?? null, audienceKey(audience)]),
    label: `This ${kpi} chart (${filters.from} to ${filters.to})`,
    compute,
  });
}
