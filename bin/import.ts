// `npm run import -- <leads|activities|traffic> FILE`: bulk loads through the same domain code the
// GraphQL mutations use (validation, idempotency, scoring).
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { withDatabase } from './with-database';
import { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { ValidationError } from '../domain/errors';
import { importLeads } from '../domain/leads/import';
import { MAX_EVENTS_PER_BATCH, recordActivities } from '../domain/leads/ingest';
import { recordDailyTraffic } from '../domain/leads/traffic';


function readRecords(file: string): Record<string, string>[] {
  return parse(readFileSync(file, 'utf8'), { bom: true, columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true });
}

/** Activities from JSON lines ({clientEventId, type, occurredAt, email, properties…}) or CSV. */
function readActivities(file: string): Record<string, unknown>[] {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`line ${i + 1} is not JSON`);
    }
  });
  if (ext === '.json') return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
  return readRecords(file).map((r) => {
    const properties: Record<string, unknown> = r.properties ? (JSON.parse(r.properties) as Record<string, unknown>) : {};
    for (const [k, v] of Object.entries(r)) if (k.startsWith('property.') && v !== '') properties[k.slice(9)] = v;
    return {
      clientEventId: r.client_event_id,
      type: r.type?.toLowerCase(),
      occurredAt: r.occurred_at,
      email: r.email || undefined,
      externalId: r.external_id || undefined,
      leadId: r.lead_id || undefined,
      sourceSystem: r.source_system || undefined,
      properties,
    };
  });
}

function describeProblems(error: ValidationError, offset = 0): string {
  return error.problems
    .slice(0, 20)
    .map((p) => `  ${p.field.replace(/\[(\d+)\]/, (_, i: string) => `[${Number(i) + offset}]`)}: ${p.message}`)
    .join('\n');
}

const program = new Command('import').description('Bulk import into the SLA platform');

program
  .command('leads')
  .argument('<file>', 'CSV with a header row (email required)')
  .action(async (file: string) => {
    const result = await withDatabase((d) => importLeads(d.db, readFileSync(file, 'utf8')));
    console.log(`${result.rows} rows: ${result.created} created, ${result.updated} updated, ${result.problems.length} refused`);
    for (const p of result.problems.slice(0, 50)) console.log(`  line ${p.line}, ${p.field}: ${p.message}`);
    if (result.problems.length > 50) console.log(`  … and ${result.problems.length - 50} more`);
  });

program
  .command('activities')
  .argument('<file>', '.jsonl / .json events, or CSV (client_event_id, type, occurred_at, email|external_id|lead_id, properties JSON or property.<name> columns)')
  .action(async (file: string) => {
    const events = readActivities(file).map((e) => ({ ...e, occurredAt: new Date(String(e.occurredAt)) }));
    const bar = new SingleBar({ format: 'activities [{bar}] {value}/{total} events | {eta_formatted} left' }, Presets.shades_classic);
    let recorded = 0;
    let duplicates = 0;
    await withDatabase(async (d) => {
      bar.start(events.length, 0);
      for (let start = 0; start < events.length; start += MAX_EVENTS_PER_BATCH) {
        const batch = events.slice(start, start + MAX_EVENTS_PER_BATCH);
        try {
          const result = await recordActivities(d.db, batch);
          recorded += result.recorded;
          duplicates += result.duplicates;
        } catch (error) {
          bar.stop();
          if (error instanceof ValidationError) throw new Error(`events ${start}–${start + batch.length - 1} refused (earlier batches were kept):\n${describeProblems(error, start)}`);
          throw error;
        }
        bar.update(start + batch.length);
      }
      bar.stop();
    });
    console.log(`${events.length} events: ${recorded} recorded, ${duplicates} already known`);
  });

program
  .command('traffic')
  .argument('<file>', 'CSV with day, source, visitors')
  .action(async (file: string) => {
    const days = readRecords(file).map((r) => ({ day: r.day, source: r.source, visitors: Number(r.visitors) }));
    const written = await withDatabase((d) => recordDailyTraffic(d.db, days));
    console.log(`${written} days of traffic written`);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`import: ${error instanceof ValidationError ? `${error.message}\n${describeProblems(error)}` : (error as Error).message}`);
  process.exit(1);
});
