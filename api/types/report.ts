import { decodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { chartKpis, isChartKpi, type Chart, type ChartKpi } from '../../reports/charts/index';
import { kpiIds, kpis } from '../../reports/kpis/catalogue';
import { validateFilters } from '../../reports/kpis/run';
import { lastFullMonth } from '../../reports/notebooks/periods';
import { findAgreement, notebookStatements, resolveParams } from '../../reports/notebooks/runner';
import type { Cell, Notebook, Period, Table, Tile } from '../../reports/notebooks/types';
import { notebookNames, type NotebookName } from '../../reports/notebooks/types';
import { builder } from '../builder';
import { BadUserInputError, UnauthenticatedGraphQLError } from '../errors';
import { readCost } from '../heavy-reads';
import { readNotebook, readKpiChart } from '../report-reads';
import type { Context } from '../context';
import { SlaAgreementRef } from './refs';

// Reports over GraphQL: the same KPI catalogue, charts and notebooks as the CLI and the HTML files.

const screaming = (value: string) => value.replace(/-/g, '_').toUpperCase();

export const NotebookNameEnum = builder.enumType('NotebookName', {
  description: 'Built-in notebook-style reports.',
  values: Object.fromEntries(notebookNames.map((name) => [screaming(name), { value: name }])) as Record<string, { value: NotebookName }>,
});

export const KpiNameEnum = builder.enumType('KpiName', {
  description: 'KPIs that have a chart. Each is one SQL statement; see reportKpis for the definitions.',
  values: Object.fromEntries(chartKpis.map((id) => [screaming(id), { value: id, description: kpis[id].title }])) as Record<string, { value: ChartKpi }>,
});

const CellKindEnum = builder.enumType('ReportCellKind', {
  description: 'What a notebook cell holds.',
  values: { MARKDOWN: { value: 'markdown' }, TILES: { value: 'tiles' }, CHART: { value: 'chart' }, TABLE: { value: 'table' } } as const,
});
const TrendEnum = builder.enumType('KpiTrend', {
  description: 'Direction of a KPI against the comparison period.',
  values: { UP: { value: 'up' }, DOWN: { value: 'down' }, FLAT: { value: 'flat' } } as const,
});
const SideEnum = builder.enumType('ReportSide', {
  description: 'Whose promise a KPI measures.',
  values: { MARKETING: { value: 'marketing' }, SALES: { value: 'sales' }, SHARED: { value: 'shared' } } as const,
});
const ColumnFormatEnum = builder.enumType('ReportColumnFormat', {
  description: 'How a table column reads: TEXT as is, COUNT whole numbers, PERCENT a 0–1 rate, HOURS, MONEY minor units, DECIMAL.',
  values: { TEXT: { value: 'text' }, COUNT: { value: 'count' }, PERCENT: { value: 'percent' }, HOURS: { value: 'hours' }, MONEY: { value: 'money' }, DECIMAL: { value: 'decimal' } } as const,
});

const PeriodRef = builder.objectRef<Period>('ReportPeriod').implement({
  description: 'Calendar days (UTC), both ends included.',
  fields: (t) => ({
    from: t.field({ type: 'Date', resolve: (p) => p.from }),
    to: t.field({ type: 'Date', resolve: (p) => p.to }),
    label: t.exposeString('label', { description: 'For people, e.g. "January 2026".' }),
  }),
});

const TileRef = builder.objectRef<Tile>('KpiTile').implement({
  description: 'A KPI value with its change against the comparison period.',
  fields: (t) => ({
    label: t.exposeString('label'),
    kpi: t.exposeString('kpi', { description: 'The KPI id it comes from (see reportKpis).' }),
    side: t.field({ type: SideEnum, resolve: (tile) => tile.side }),
    value: t.exposeFloat('value', { nullable: true, description: 'Rates are 0–1; money in minor units; hours as hours.' }),
    formatted: t.exposeString('formatted', { description: 'The value as the report prints it.' }),
    previous: t.exposeFloat('previous', { nullable: true, description: 'The value in the comparison period.' }),
    previousFormatted: t.exposeString('previousFormatted', { nullable: true }),
    delta: t.exposeFloat('delta', { nullable: true, description: 'value − previous.' }),
    deltaFormatted: t.exposeString('deltaFormatted', { nullable: true, description: 'e.g. "−8.0 pts" or "+12 (+8%)".' }),
    trend: t.field({ type: TrendEnum, nullable: true, resolve: (tile) => tile.trend }),
    good: t.exposeBoolean('good', { nullable: true, description: 'Whether the change is good news; null when unchanged or unknown.' }),
    numerator: t.exposeFloat('numerator', { nullable: true, description: 'For rates: what was counted.' }),
    denominator: t.exposeFloat('denominator', { nullable: true, description: 'For rates: out of how many.' }),
    note: t.exposeString('note', { nullable: true }),
  }),
});

export const ReportChartRef = builder.objectRef<Chart & { kpi: ChartKpi }>('ReportChart').implement({
  description: 'A chart: a Vega-Lite v6 spec with its data inlined, and the same data alone.',
  fields: (t) => ({
    kpi: t.field({ type: KpiNameEnum, resolve: (chart) => chart.kpi }),
    title: t.exposeString('title'),
    spec: t.field({ type: 'JSON', description: 'Vega-Lite TopLevelSpec; render it with vega-embed.', resolve: (chart) => chart.spec }),
    data: t.field({ type: 'JSON', description: 'The rows the spec draws (an array of flat objects).', resolve: (chart) => chart.data }),
  }),
});

const ColumnRef = builder.objectRef<Table['columns'][number]>('ReportTableColumn').implement({
  description: 'A table column.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The key of this column in each row.' }),
    label: t.exposeString('label'),
    format: t.field({ type: ColumnFormatEnum, resolve: (c) => c.format }),
  }),
});

const TableRef = builder.objectRef<Table>('ReportTable').implement({
  description: 'A table of raw values; format them with each column’s format.',
  fields: (t) => ({
    kpi: t.exposeString('kpi', { description: 'The KPI id it comes from.' }),
    title: t.exposeString('title'),
    columns: t.field({ type: [ColumnRef], resolve: (table) => table.columns }),
    rows: t.field({ type: 'JSON', description: 'Array of objects keyed by column key.', resolve: (table) => table.rows }),
  }),
});

const asChart = (chart: Chart) => {
  if (!isChartKpi(chart.kpi)) throw new Error(`chart of KPI ${chart.kpi} has no KpiName`);
  return chart as Chart & { kpi: ChartKpi };
};

const CellRef = builder.objectRef<Cell>('ReportCell').implement({
  description: 'One cell of a notebook, in order. Exactly the field named by kind is set.',
  fields: (t) => ({
    kind: t.field({ type: CellKindEnum, resolve: (cell) => cell.kind }),
    markdown: t.string({ nullable: true, description: 'CommonMark text quoting KPI values.', resolve: (cell) => (cell.kind === 'markdown' ? cell.markdown : null) }),
    tilesTitle: t.string({ nullable: true, resolve: (cell) => (cell.kind === 'tiles' ? cell.title : null) }),
    tiles: t.field({ type: [TileRef], nullable: true, resolve: (cell) => (cell.kind === 'tiles' ? cell.tiles : null) }),
    chart: t.field({ type: ReportChartRef, nullable: true, resolve: (cell) => (cell.kind === 'chart' ? asChart(cell.chart) : null) }),
    table: t.field({ type: TableRef, nullable: true, resolve: (cell) => (cell.kind === 'table' ? cell.table : null) }),
  }),
});

const NotebookRef = builder.objectRef<Notebook>('ReportNotebook').implement({
  description: 'A notebook-style report: ordered cells of prose, KPI tiles, charts and tables.',
  fields: (t) => ({
    name: t.field({ type: NotebookNameEnum, resolve: (n) => n.name }),
    title: t.exposeString('title'),
    agreement: t.field({ type: SlaAgreementRef, nullable: true, description: 'Null when the report covers every agreement.', resolve: (n) => n.agreement?.id ?? null }),
    period: t.field({ type: PeriodRef, resolve: (n) => n.period }),
    comparisonPeriod: t.field({ type: PeriodRef, resolve: (n) => n.comparison }),
    generatedAt: t.field({ type: 'DateTime', resolve: (n) => n.generatedAt }),
    cells: t.field({ type: [CellRef], resolve: (n) => n.cells }),
  }),
});

const KpiDefinitionRef = builder.objectRef<(typeof kpis)[keyof typeof kpis]>('ReportKpi').implement({
  description: 'A KPI of the catalogue: how it is counted and which filters it honours.',
  fields: (t) => ({
    id: t.exposeString('id'),
    chart: t.field({ type: KpiNameEnum, nullable: true, description: 'Set when kpiChart can draw it.', resolve: (k) => (isChartKpi(k.id) ? k.id : null) }),
    title: t.exposeString('title'),
    description: t.exposeString('description', { description: 'The definition both sides agreed to read the number by.' }),
    filters: t.stringList({ description: 'period, agreement, source, owner.', resolve: (k) => [...k.params] }),
  }),
});

/** A Relay global id of an SlaAgreement (or of a User for ownerId) to the row id; refuses anything else. */
function rowId(globalId: string | null | undefined, typename: 'SlaAgreement' | 'User', field: string): string | null {
  if (!globalId) return null;
  try {
    const decoded = decodeGlobalID(globalId);
    if (decoded.typename === typename) return decoded.id;
  } catch {
    // reported below
  }
  throw new ValidationError([{ field, message: `not an ${typename} id` }]);
}

/** The signed-in caller (authScopes already refused anonymous ones). */
function viewerOf(ctx: Context) {
  if (!ctx.viewer) throw new UnauthenticatedGraphQLError();
  return ctx.viewer;
}

/** Query errors surface as BAD_USER_INPUT with the domain message. */
async function asUserInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ValidationError) throw new BadUserInputError(error.problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    if (error instanceof NotFoundError) throw new BadUserInputError(error.message);
    throw error;
  }
}

builder.queryFields((t) => ({
  notebook: t.field({
    type: NotebookRef,
    description:
      'Run a notebook (or serve it from the cache of the last REPORT_CACHE_SECONDS; generatedAt tells). Period defaults to the last full month; comparison to the period before, same length. For a sales rep, per-rep tables show the rep and the team total only. Costs units of the key’s report budget: RATE_LIMITED (with Retry-After) when spent or when too many reports are computing, OPERATION_LIMIT when one period is larger than a minute’s budget.',
    authScopes: { authenticated: true },
    args: {
      name: t.arg({ type: NotebookNameEnum, required: true }),
      agreementId: t.arg.id({ required: false, description: 'An SlaAgreement id; all agreements when omitted.' }),
      from: t.arg({ type: 'Date', required: false }),
      to: t.arg({ type: 'Date', required: false }),
      compareFrom: t.arg({ type: 'Date', required: false }),
      compareTo: t.arg({ type: 'Date', required: false }),
    },
    resolve: (_root, args, ctx) =>
      asUserInput(() =>
        readNotebook(ctx.db, ctx.heavyReads, viewerOf(ctx), {
          notebook: args.name,
          agreementId: rowId(args.agreementId ? String(args.agreementId) : null, 'SlaAgreement', 'agreementId'),
          from: args.from,
          to: args.to,
          compareFrom: args.compareFrom,
          compareTo: args.compareTo,
        }),
      ),
  }),
  kpiChart: t.field({
    type: ReportChartRef,
    description:
      'One KPI’s chart over a period (default: the last full month), with filters. A sales rep may filter on itself only, and sees per-rep rows of others only as the team total. Counts against the key’s report budget like notebook.',
    authScopes: { authenticated: true },
    args: {
      kpi: t.arg({ type: KpiNameEnum, required: true }),
      agreementId: t.arg.id({ required: false, description: 'An SlaAgreement id.' }),
      from: t.arg({ type: 'Date', required: false }),
      to: t.arg({ type: 'Date', required: false }),
      source: t.arg.string({ required: false, description: 'Lead source, e.g. paid_search.' }),
      ownerId: t.arg.id({ required: false, description: 'A User id: leads owned by this rep. A sales rep may give only its own id.' }),
    },
    resolve: (_root, args, ctx) =>
      asUserInput(async () => {
        if (!args.from !== !args.to) throw new ValidationError([{ field: args.from ? 'to' : 'from', message: 'give both from and to, or neither' }]);
        const period = args.from && args.to ? { from: args.from, to: args.to } : lastFullMonth(new Date());
        const filters = {
          ...period,
          agreementId: rowId(args.agreementId ? String(args.agreementId) : null, 'SlaAgreement', 'agreementId'),
          ownerId: rowId(args.ownerId ? String(args.ownerId) : null, 'User', 'ownerId'),
          source: args.source ?? null,
        };
        validateFilters(filters);
        return asChart(await readKpiChart(ctx.db, ctx.heavyReads, viewerOf(ctx), args.kpi, filters));
      }),
  }),
  reportKpis: t.field({
    type: [KpiDefinitionRef],
    description: 'The KPI catalogue: every KPI the reports use, with its definition.',
    authScopes: { authenticated: true },
    resolve: () => kpiIds.map((id) => kpis[id]),
  }),
}));

const CreateReportLinkInput = builder.inputType('CreateReportLinkInput', {
  description: 'Which report the link opens. Periods are fixed when the link is made.',
  fields: (t) => ({
    notebook: t.field({ type: NotebookNameEnum, required: true }),
    agreementId: t.globalID({ required: false, for: SlaAgreementRef, description: 'All agreements when omitted.' }),
    from: t.field({ type: 'Date', required: false, description: 'Default: first day of last month.' }),
    to: t.field({ type: 'Date', required: false }),
    compareFrom: t.field({ type: 'Date', required: false, description: 'Default: the period before, same length.' }),
    compareTo: t.field({ type: 'Date', required: false }),
    expiresInMinutes: t.int({ required: false, description: 'Default 1440 (a day); at most 10080 (a week).' }),
  }),
});

const CreateReportLinkPayload = builder
  .objectRef<{ url: string; expiresAt: Date; period: Period; comparison: Period }>('CreateReportLinkPayload')
  .implement({
    description: 'A signed link to the report’s HTML. Anyone with the link can open the report until it expires.',
    fields: (t) => ({
      url: t.exposeString('url', { description: 'Open it in a browser; it carries no API key.' }),
      expiresAt: t.field({ type: 'DateTime', resolve: (p) => p.expiresAt }),
      period: t.field({ type: PeriodRef, resolve: (p) => p.period }),
      comparisonPeriod: t.field({ type: PeriodRef, resolve: (p) => p.comparison }),
    }),
  });

export const MAX_LINK_MINUTES = 7 * 24 * 60;

/** In production a link's origin comes only from PUBLIC_URL, never from the request. */
class ReportLinkOriginError extends GraphQLError {
  constructor() {
    super('Report links need PUBLIC_URL (the origin people open, e.g. https://sla.example.com) to be set on the server', {
      extensions: { code: 'BAD_REQUEST' },
    });
  }
}

builder.mutationFields((t) => ({
  createReportLink: t.field({
    type: CreateReportLinkPayload,
    description:
      'Any signed-in role: an expiring (at most 7 days), HMAC-signed link a BI user can open in a browser. The link is bound to the key that made it: it stops opening when that key is revoked or expires, shows what that key may see (a rep’s link: per-rep rows of the rep and the team total), and its opens count against that key’s report budget. The origin is PUBLIC_URL (required in production).',
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: CreateReportLinkInput, required: true }) },
    errors: { types: [ValidationError, NotFoundError] },
    resolve: async (_root, { input }, ctx) => {
      const minutes = input.expiresInMinutes ?? 24 * 60;
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_LINK_MINUTES) {
        throw new ValidationError([{ field: 'input.expiresInMinutes', message: `must be between 1 and ${MAX_LINK_MINUTES}` }]);
      }
      let resolved;
      try {
        resolved = resolveParams({ notebook: input.notebook, agreementId: input.agreementId?.id ?? null, from: input.from, to: input.to, compareFrom: input.compareFrom, compareTo: input.compareTo });
      } catch (error) {
        if (error instanceof ValidationError) throw new ValidationError(error.problems.map((p) => ({ ...p, field: `input.${p.field}` })));
        throw error;
      }
      if (resolved.agreementId) await findAgreement(ctx.db, resolved.agreementId);
      if (!ctx.reportLinks) throw new Error('report links need the HTTP server (api/server.ts)');
      if (!ctx.origin) throw new ReportLinkOriginError();
      // A link that could never open (larger than a minute's budget) is refused now, not at every open.
      ctx.heavyReads?.assertAffordable(readCost(notebookStatements(resolved), resolved.agreementId ? 1 : 0), `This ${resolved.notebook} notebook (${resolved.period.label})`);
      const viewer = viewerOf(ctx);
      const expiresAt = new Date(Date.now() + minutes * 60_000);
      const url = ctx.reportLinks.url(ctx.origin, {
        keyId: viewer.keyId,
        notebook: resolved.notebook,
        agreementId: resolved.agreementId,
        from: resolved.period.from,
        to: resolved.period.to,
        compareFrom: resolved.comparison.from,
        compareTo: resolved.comparison.to,
        exp: Math.floor(expiresAt.getTime() / 1000),
      });
      return { url, expiresAt, period: resolved.period, comparison: resolved.comparison };
    },
  }),
}));
