import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/client';
import { ValidationError } from '../errors';
import { activeAgreements, agreementFor } from './agreement-for-lead';
import { newLeadSchema, type NewLead } from './lead-input';
import { enrolByRule } from '../nurture/nurture';
import { accountIdFor, rescoreLeads } from './leads';

// CSV import of leads: every row is checked on its own; good rows are kept, bad rows are reported
// with their line and field. Rows match existing leads by external id, then by e-mail, so running
// the same file twice creates nothing new.

export const MAX_IMPORT_ROWS = 50_000;

export interface RowProblem {
  /** 1-based line in the file (the header is line 1). */
  line: number;
  field: string;
  message: string;
}

export interface ImportResult {
  rows: number;
  created: number;
  updated: number;
  problems: RowProblem[];
}

const COLUMN_ALIASES: Record<string, keyof NewLead> = {
  email: 'email', e_mail: 'email', email_address: 'email',
  external_id: 'externalId', externalid: 'externalId', id: 'externalId',
  first_name: 'firstName', firstname: 'firstName',
  last_name: 'lastName', lastname: 'lastName',
  phone: 'phone', title: 'title', job_title: 'title', seniority: 'seniority', department: 'department',
  company: 'companyName', company_name: 'companyName', companyname: 'companyName',
  company_size: 'companySize', employees: 'companySize', industry: 'industry', country: 'country', source: 'source',
};

function normaliseHeader(header: string): string {
  return header.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

export function parseLeadCsv(text: string): { total: number; leads: { line: number; lead: NewLead }[]; problems: RowProblem[] } {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    throw new ValidationError([{ field: 'input.csv', message: `not a readable CSV file: ${(error as Error).message}` }]);
  }
  const [header, ...body] = records;
  if (!header) throw new ValidationError([{ field: 'input.csv', message: 'the file is empty' }]);
  if (body.length > MAX_IMPORT_ROWS) throw new ValidationError([{ field: 'input.csv', message: `at most ${MAX_IMPORT_ROWS} rows per import` }]);
  const columns = header.map((h) => {
    const name = normaliseHeader(h);
    if (name.startsWith('attributes.') || name.startsWith('attribute.')) return { attribute: name.slice(name.indexOf('.') + 1) };
    return { field: COLUMN_ALIASES[name], unknown: COLUMN_ALIASES[name] ? undefined : h };
  });
  if (!columns.some((c) => 'field' in c && c.field === 'email')) {
    throw new ValidationError([{ field: 'input.csv', message: 'the header needs an email column' }]);
  }
  const leads: { line: number; lead: NewLead }[] = [];
  const problems: RowProblem[] = [];
  body.forEach((record, i) => {
    const line = i + 2;
    const raw: Record<string, unknown> = { attributes: {} };
    columns.forEach((column, c) => {
      const value = record[c];
      if (value === undefined || value === '') return;
      if ('attribute' in column && column.attribute) (raw.attributes as Record<string, unknown>)[column.attribute] = value;
      else if ('field' in column && column.field === 'companySize') raw.companySize = /^\d+$/.test(value) ? Number(value) : value;
      else if ('field' in column && column.field) raw[column.field] = value;
    });
    raw.source ??= 'import';
    const parsed = newLeadSchema.safeParse(raw);
    if (parsed.success) leads.push({ line, lead: parsed.data });
    else for (const issue of parsed.error.issues) problems.push({ line, field: issue.path.join('.') || 'row', message: issue.message });
  });
  // The same e-mail twice in one file: the first row wins.
  const seen = new Map<string, number>();
  const unique = leads.filter(({ line, lead }) => {
    const first = seen.get(lead.email);
    if (first !== undefined) {
      problems.push({ line, field: 'email', message: `${lead.email} already appears on line ${first}` });
      return false;
    }
    seen.set(lead.email, line);
    return true;
  });
  return { total: body.length, leads: unique, problems: problems.sort((a, b) => a.line - b.line) };
}

export async function importLeads(db: Db, csv: string): Promise<ImportResult> {
  const { total, leads, problems } = parseLeadCsv(csv);
  let created = 0;
  let updated = 0;
  await db.transaction(async (tx) => {
    const agreements = await activeAgreements(tx);
    const touched: string[] = [];
    for (let start = 0; start < leads.length; start += 500) {
      const chunk = leads.slice(start, start + 500);
      const existing = await rows<{ id: string; email: string; external_id: string | null }>(
        tx,
        sql`select id, lower(email) as email, external_id from leads
          where lower(email) = any(${`{${chunk.map(({ lead }) => JSON.stringify(lead.email)).join(',')}}`}::text[])
             or external_id = any(${`{${chunk.filter(({ lead }) => lead.externalId).map(({ lead }) => JSON.stringify(lead.externalId)).join(',')}}`}::text[])`,
      );
      for (const { line, lead } of chunk) {
        const byExternal = lead.externalId ? existing.find((e) => e.external_id === lead.externalId) : undefined;
        const byEmail = existing.find((e) => e.email === lead.email);
        const match = byExternal ?? byEmail;
        if (match) {
          if (byExternal && byEmail && byExternal.id !== byEmail.id) {
            problems.push({ line, field: 'email', message: `${lead.email} belongs to another lead than external id ${lead.externalId}` });
            continue;
          }
          await tx.execute(sql`update leads set
              email = ${lead.email}, external_id = coalesce(${lead.externalId ?? null}, external_id),
              first_name = coalesce(${lead.firstName ?? null}, first_name), last_name = coalesce(${lead.lastName ?? null}, last_name),
              phone = coalesce(${lead.phone ?? null}, phone), title = coalesce(${lead.title ?? null}, title),
              seniority = coalesce(${lead.seniority ?? null}, seniority), department = coalesce(${lead.department ?? null}, department),
              company_name = coalesce(${lead.companyName ?? null}, company_name), company_size = coalesce(${lead.companySize ?? null}::int, company_size),
              industry = coalesce(${lead.industry ?? null}, industry), country = coalesce(${lead.country ?? null}, country),
              attributes = attributes || ${JSON.stringify(lead.attributes ?? {})}::jsonb, updated_at = now()
            where id = ${match.id}::uuid`);
          touched.push(match.id);
          updated++;
        } else {
          const agreement = agreementFor(agreements, lead as unknown as Record<string, unknown>);
          const [row] = await rows<{ id: string }>(
            tx,
            sql`insert into leads (email, external_id, first_name, last_name, phone, title, seniority, department, company_name, company_size, industry, country, source, attributes, agreement_id, account_id)
              values (${lead.email}, ${lead.externalId ?? null}, ${lead.firstName ?? null}, ${lead.lastName ?? null}, ${lead.phone ?? null}, ${lead.title ?? null},
                ${lead.seniority ?? null}, ${lead.department ?? null}, ${lead.companyName ?? null}, ${lead.companySize ?? null}::int, ${lead.industry ?? null}, ${lead.country ?? null},
                ${lead.source}, ${JSON.stringify(lead.attributes ?? {})}::jsonb, ${agreement?.id ?? null}::uuid, ${await accountIdFor(tx, lead.email, lead.companyName)}::uuid)
              returning id`,
          );
          await tx.execute(sql`insert into stage_transitions (lead_id, from_stage, to_stage, actor_type, reason, revision_id)
            values (${row!.id}::uuid, null, 'lead', 'system', 'imported', ${agreement?.activeRevisionId ?? null}::uuid)`);
          existing.push({ id: row!.id, email: lead.email, external_id: lead.externalId ?? null });
          if (agreement) await enrolByRule(tx, agreement.activeRevisionId, [row!.id], 'new_lead', new Date());
          touched.push(row!.id);
          created++;
        }
      }
    }
    for (let start = 0; start < touched.length; start += 1000) await rescoreLeads(tx, touched.slice(start, start + 1000), agreements);
  });
  return { rows: total, created, updated, problems: problems.sort((a, b) => a.line - b.line) };
}
