import { eq } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { slaAgreements } from '../../db/schema/index';
import { NotFoundError, ValidationError, type FieldProblem } from '../../domain/errors';
import { forAudience, type Audience } from '../kpis/audience';
import type { KpiId } from '../kpis/catalogue';
import { inReportSnapshot, runKpi, validateFilters } from '../kpis/run';
import type { KpiFilters } from '../kpis/types';
import { notebooks } from './definitions';
import { formatPeriod } from '../format';
import { lastFullMonth, previousPeriod, trendWindow } from './periods';
import { isNotebookName, notebookNames, type Notebook, type NotebookData, type Period } from './types';

export interface NotebookParams {
  notebook: string;
  agreementId?: string | null;
  /** Defaults: the last full calendar month. */
  from?: string | null;
  to?: string | null;
  /** Defaults: the period before, same length (whole months compare with whole months). */
  compareFrom?: string | null;
  compareTo?: string | null;
}

export interface RunOptions {
  now?: Date;
  /** Called before each KPI query and once at the end: (done, total, what runs next). */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Whose report it is: a sales rep's shows the rep's own per-rep rows and the team total only. */
  audience?: Audience | null;
}

export interface ResolvedParams {
  notebook: (typeof notebookNames)[number];
  agreementId: string | null;
  period: Period;
  comparison: Period;
  trendPeriod: Period;
}

const period = (range: { from: string; to: string }): Period => ({ ...range, label: formatPeriod(range.from, range.to) });

/** Fills in defaults and refuses what cannot run (unknown notebook, half a period, bad dates). */
export function resolveParams(params: NotebookParams, now = new Date()): ResolvedParams {
  const problems: FieldProblem[] = [];
  if (!isNotebookName(params.notebook)) {
    problems.push({ field: 'notebook', message: `unknown notebook "${params.notebook}"; choose ${notebookNames.join(', ')}` });
  }
  if (!params.from !== !params.to) problems.push({ field: params.from ? 'to' : 'from', message: 'give both from and to, or neither' });
  if (!params.compareFrom !== !params.compareTo) {
    problems.push({ field: params.compareFrom ? 'compareTo' : 'compareFrom', message: 'give both compareFrom and compareTo, or neither' });
  }
  if (problems.length) throw new ValidationError(problems);
  const current = params.from && params.to ? { from: params.from, to: params.to } : lastFullMonth(now);
  validateFilters({ ...current, agreementId: params.agreementId });
  const comparison =
    params.compareFrom && params.compareTo ? { from: params.compareFrom, to: params.compareTo } : previousPeriod(current.from, current.to);
  try {
    validateFilters(comparison);
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new ValidationError(error.problems.map((p) => ({ ...p, field: p.field === 'from' ? 'compareFrom' : 'compareTo' })));
    }
    throw error;
  }
  return {
    notebook: params.notebook as ResolvedParams['notebook'],
    agreementId: params.agreementId ?? null,
    period: period(current),
    comparison: period(comparison),
    trendPeriod: period(trendWindow(current.from, current.to)),
  };
}

/** How many KPI statements each window of a notebook runs (what a notebook costs, api/heavy-reads.ts). */
export function notebookStatements(resolved: ResolvedParams): { from: string; to: string; statements: number }[] {
  const { kpis } = notebooks[resolved.notebook];
  return [
    { ...resolved.period, statements: kpis.current.length },
    { ...resolved.comparison, statements: kpis.previous.length },
    { ...resolved.trendPeriod, statements: kpis.trend.length },
  ].filter((w) => w.statements > 0);
}

/** Runs every KPI the notebook needs, one statement each, in order; a failing query fails the notebook. */
export async function loadNotebookData(db: DbOrTx, resolved: ResolvedParams, options: RunOptions = {}): Promise<NotebookData> {
  const definition = notebooks[resolved.notebook];
  const windows: [keyof Pick<NotebookData, 'current' | 'previous' | 'trend'>, Period, KpiId[]][] = [
    ['current', resolved.period, definition.kpis.current],
    ['previous', resolved.comparison, definition.kpis.previous],
    ['trend', resolved.trendPeriod, definition.kpis.trend],
  ];
  const total = windows.reduce((sum, [, , ids]) => sum + ids.length, 0);
  const data: NotebookData = { current: {}, previous: {}, trend: {}, period: resolved.period, comparison: resolved.comparison, trendPeriod: resolved.trendPeriod };
  let done = 0;
  for (const [window, range, ids] of windows) {
    const filters: KpiFilters = { from: range.from, to: range.to, agreementId: resolved.agreementId };
    for (const id of ids) {
      options.onProgress?.(done, total, `${id} (${range.label})`);
      (data[window] as Record<string, unknown>)[id] = forAudience(id, await runKpi(db, id, filters), options.audience);
      done += 1;
      // Let other requests in between statements: PGlite runs in this thread and resolves its
      // queries as microtasks, so without a turn of the event loop a notebook would keep every
      // other request (even `me`) from being read until it is done.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  options.onProgress?.(done, total, 'done');
  return data;
}

export async function findAgreement(db: DbOrTx, id: string): Promise<{ id: string; name: string }> {
  const [agreement] = await db
    .select({ id: slaAgreements.id, name: slaAgreements.name })
    .from(slaAgreements)
    .where(eq(slaAgreements.id, id));
  if (!agreement) throw new NotFoundError('SlaAgreement', id);
  return agreement;
}

/** A whole notebook: parameters resolved, KPI data loaded, then cells built (pure). */
export async function runNotebook(db: Db, params: NotebookParams, options: RunOptions = {}): Promise<Notebook> {
  const now = options.now ?? new Date();
  const resolved = resolveParams(params, now);
  const { agreement, data } = await inReportSnapshot(db, async (tx) => ({
    agreement: resolved.agreementId ? await findAgreement(tx, resolved.agreementId) : null,
    data: await loadNotebookData(tx, resolved, options),
  }));
  const definition = notebooks[resolved.notebook];
  return {
    name: resolved.notebook,
    title: definition.title,
    agreement,
    period: resolved.period,
    comparison: resolved.comparison,
    generatedAt: now.toISOString(),
    cells: definition.build(data),
  };
}

