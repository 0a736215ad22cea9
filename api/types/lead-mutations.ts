import { sql } from 'drizzle-orm';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors';
import { importLeads } from '../../domain/leads/import';
import { createLead, updateLead } from '../../domain/leads/leads';
import { moveLead } from '../../domain/leads/stage';
import { builder } from '../builder';
import { isUuid, type LeadRow } from '../loaders';
import { LifecycleStageEnum, ScoreDimensionEnum } from './enums';
import { LeadRef } from './refs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- shared between two input builders
const leadFields = (t: any) => ({
  externalId: t.string({ required: false, description: 'The lead’s id in your CRM or automation tool.' }),
  firstName: t.string({ required: false }),
  lastName: t.string({ required: false }),
  phone: t.string({ required: false }),
  title: t.string({ required: false }),
  seniority: t.string({ required: false, description: 'e.g. c-level, vp, director, manager, staff.' }),
  department: t.string({ required: false }),
  companyName: t.string({ required: false }),
  companySize: t.int({ required: false }),
  industry: t.string({ required: false }),
  country: t.string({ required: false, description: 'ISO 3166-1 alpha-2.' }),
  attributes: t.field({ type: 'JSON', required: false, description: 'Custom attributes for fit rules (merged on update).' }),
});

const CreateLeadInput = builder.inputType('CreateLeadInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    source: t.string({ required: true, description: 'Acquisition source, e.g. paid_search, referral, events.' }),
    ...leadFields(t),
  }),
});

const UpdateLeadInput = builder.inputType('UpdateLeadInput', {
  description: 'Only the fields given change; fit is re-scored at once.',
  fields: (t) => ({
    leadId: t.globalID({ required: true, for: LeadRef }),
    email: t.string({ required: false }),
    source: t.string({ required: false }),
    ...leadFields(t),
  }),
});

const LeadPayload = builder.objectRef<LeadRow>('LeadPayload').implement({
  fields: (t) => ({ lead: t.field({ type: LeadRef, resolve: (l) => l }) }),
});

const ImportProblemRef = builder.objectRef<{ line: number; field: string; message: string }>('ImportRowProblem').implement({
  description: 'A row that was not imported, and why.',
  fields: (t) => ({ line: t.exposeInt('line', { description: 'Line in the file; the header is line 1.' }), field: t.exposeString('field'), message: t.exposeString('message') }),
});

const ImportLeadsPayload = builder.objectRef<{ rows: number; created: number; updated: number; problems: { line: number; field: string; message: string }[] }>('ImportLeadsPayload').implement({
  description: 'Good rows are kept; bad rows are listed. Rows match existing leads by external id, then e-mail.',
  fields: (t) => ({
    rows: t.exposeInt('rows'),
    created: t.exposeInt('created'),
    updated: t.exposeInt('updated'),
    problems: t.field({ type: [ImportProblemRef], resolve: (p) => p.problems }),
  }),
});

const ImportLeadsInput = builder.inputType('ImportLeadsInput', {
  description: 'A CSV file with a header row (email required; external_id, first_name, last_name, phone, title, seniority, department, company_name, company_size, industry, country, source, attributes.<name>). Give it as text or base64.',
  fields: (t) => ({
    csv: t.string({ required: false }),
    csvBase64: t.string({ required: false }),
  }),
});

const ChangeLeadStageInput = builder.inputType('ChangeLeadStageInput', {
  fields: (t) => ({
    leadId: t.globalID({ required: true, for: LeadRef }),
    toStage: t.field({ type: LifecycleStageEnum, required: true }),
    fromStage: t.field({ type: LifecycleStageEnum, required: false, description: 'The stage you saw: if someone moved the lead first you get a ConflictError.' }),
    expectedVersion: t.int({ required: false, description: 'The lead version you read (Lead.version).' }),
    reasonCode: t.string({ required: false }),
    reason: t.string({ required: false }),
  }),
});

function leadId(id: { id: string }) {
  if (!isUuid(id.id)) throw new NotFoundError('Lead', id.id);
  return id.id;
}

const stripNulls = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as T;

builder.objectFields(LeadRef, (t) => ({
  version: t.exposeInt('version', { description: 'Bumped on every stage or owner change; send it back as expectedVersion.' }),
  scoreBreakdown: t.loadableList({
    type: builder.objectRef<{ leadId: string; ruleKey: string | null; ruleName: string | null; dimension: 'fit' | 'interest'; points: number; currentPoints: number; awards: number; decayHalfLifeDays: number | null }>('ScoreBreakdownLine').implement({
      description: 'The points one rule gives the lead now: original points, decayed points, how many awards.',
      fields: (f) => ({
        ruleKey: f.exposeString('ruleKey', { nullable: true }),
        ruleName: f.exposeString('ruleName', { nullable: true }),
        dimension: f.field({ type: ScoreDimensionEnum, resolve: (l) => l.dimension }),
        points: f.exposeInt('points', { description: 'Sum of the points as given (before decay).' }),
        currentPoints: f.exposeFloat('currentPoints', { description: 'After decay, as of now.' }),
        awards: f.exposeInt('awards', { description: 'How many live ledger rows (activities, or 1 for a fit rule).' }),
        decayHalfLifeDays: f.exposeInt('decayHalfLifeDays', { nullable: true }),
      }),
    }),
    description: 'The score explained rule by rule (live ledger rows, decay shown). One statement for all leads of a page.',
    load: async (ids: string[], ctx) => {
      const lines = (await ctx.db.execute(sql`
        select s.lead_id as "leadId", r.key as "ruleKey",
          -- rows kept from an identical rule of an earlier revision: the name the lead's revision gives it
          coalesce((select c.name from scoring_rules c join leads l on l.id = s.lead_id where c.revision_id = l.revision_id and c.key = r.key), max(r.name)) as "ruleName",
          s.dimension,
          sum(s.points)::int as points,
          sum(s.points * case when s.decay_half_life_days is null then 1 else power(0.5::float8, greatest(0, extract(epoch from now() - s.occurred_at)) / 86400.0 / s.decay_half_life_days) end)::float8 as "currentPoints",
          count(*) filter (where s.reverses_id is null and not exists (select 1 from score_ledger x where x.reverses_id = s.id))::int as awards,
          max(s.decay_half_life_days) as "decayHalfLifeDays"
        from score_ledger s left join scoring_rules r on r.id = s.rule_id
        where s.lead_id = any(${`{${ids.join(',')}}`}::uuid[])
        group by s.lead_id, r.key, s.dimension
        having sum(s.points) <> 0
        order by s.dimension, r.key`)) as unknown;
      const list = (Array.isArray(lines) ? lines : (lines as { rows: unknown[] }).rows) as { leadId: string; ruleKey: string | null; ruleName: string | null; dimension: 'fit' | 'interest'; points: number; currentPoints: number; awards: number; decayHalfLifeDays: number | null }[];
      return ids.map((id) => list.filter((l) => l.leadId === id));
    },
    resolve: (lead) => lead.id,
  }),
}));

builder.mutationFields((t) => ({
  createLead: t.field({
    type: LeadPayload,
    description: 'Add a lead. It joins its account by e-mail domain and is scored at once.',
    authScopes: { admin: true, marketing: true },
    args: { input: t.arg({ type: CreateLeadInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: (_root, { input }, ctx) => createLead(ctx.db, stripNulls(input)),
  }),
  updateLead: t.field({
    type: LeadPayload,
    description: 'Change who the lead is; fit, temperature and grade follow.',
    authScopes: { admin: true, marketing: true },
    args: { input: t.arg({ type: UpdateLeadInput, required: true }) },
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, { input }, ctx) => {
      const { leadId: id, ...patch } = input;
      return updateLead(ctx.db, leadId(id), patch.attributes === null ? stripNulls(patch) : { ...patch });
    },
  }),
  importLeads: t.field({
    type: ImportLeadsPayload,
    description: 'Bulk import from CSV: per-row problems reported, good rows kept, idempotent on e-mail or external id.',
    authScopes: { admin: true, marketing: true },
    args: { input: t.arg({ type: ImportLeadsInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: (_root, { input }, ctx) => {
      if ((input.csv == null) === (input.csvBase64 == null)) throw new ValidationError([{ field: 'input', message: 'give exactly one of csv and csvBase64' }]);
      const text = input.csv ?? Buffer.from(input.csvBase64!, 'base64').toString('utf8');
      return importLeads(ctx.db, text);
    },
  }),
  changeLeadStage: t.field({
    type: LeadPayload,
    description: 'Move a lead as the agreement’s stage machine allows. Sales reps move only their own leads.',
    authScopes: { admin: true, marketing: true, sales: true },
    args: { input: t.arg({ type: ChangeLeadStageInput, required: true }) },
    errors: { types: [ValidationError, NotFoundError, ConflictError, ForbiddenError] },
    resolve: (_root, { input }, ctx) => moveLead(ctx.db, ctx.viewer!, { ...input, leadId: leadId(input.leadId) }),
  }),
}));

