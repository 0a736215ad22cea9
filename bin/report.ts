// `npm run report -- <notebook> [--agreement ID] [--from D --to D] [--format F] [--out DIR]`:
// runs a notebook's KPI queries against the configured database and writes the report files.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError, Option } from 'commander';
import { DataFolderInUseError, openDatabase, type Database } from '../db/client';
import { databaseOptionsFromEnv } from '../db/config';
import { DomainError, ValidationError } from '../domain/errors';
import { KpiQueryError } from '../reports/kpis/run';
import { notebooks } from '../reports/notebooks/definitions';
import { resolveParams, runNotebook } from '../reports/notebooks/runner';
import { notebookNames } from '../reports/notebooks/types';
import { countOutputs, reportFormats, writeReport, type ReportFormat } from '../reports/render/files';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class CliError extends Error {}

/** An agreement id as a UUID or as the GraphQL global id the API shows. */
function agreementId(value: string | undefined): string | undefined {
  if (!value || UUID.test(value)) return value;
  try {
    const decoded = decodeGlobalID(value);
    if (decoded.typename === 'SlaAgreement' && UUID.test(decoded.id)) return decoded.id;
  } catch {
    // fall through to the message below
  }
  throw new CliError(`--agreement "${value}" is neither an agreement id (UUID) nor an SlaAgreement global id`);
}

function describe(error: unknown): string {
  if (error instanceof ValidationError) return error.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  if (error instanceof KpiQueryError) {
    const cause = (error.cause as { cause?: Error; message?: string } | undefined) ?? {};
    const detail = cause.cause?.message ?? cause.message ?? error.message;
    const hint = /relation .* does not exist/.test(detail) ? ' (the database has no tables: start the server or run `npm run seed` first)' : '';
    return `database error in KPI ${error.kpi}: ${detail}${hint}`;
  }
  if (error instanceof DomainError || error instanceof CliError || error instanceof DataFolderInUseError) return error.message;
  // Anything else is most likely the database (connection refused, permissions): say so, stack on demand.
  const message = (error as { cause?: Error; message?: string })?.cause?.message ?? (error as Error)?.message ?? String(error);
  return process.env.DEBUG ? `${message}\n${(error as Error)?.stack ?? ''}` : `database or internal error: ${message} (DEBUG=1 shows the stack)`;
}

const program = new Command()
  .name('npm run report --')
  .description('Write a notebook-style report (KPIs, charts, tables) from the SLA database.')
  .argument('<notebook>', `one of: ${notebookNames.join(', ')}`)
  .option('--agreement <id>', 'only this agreement (UUID or GraphQL global id)')
  .option('--from <YYYY-MM-DD>', 'first day of the period (default: first day of last month)')
  .option('--to <YYYY-MM-DD>', 'last day of the period, included (default: last day of last month)')
  .option('--compare-from <YYYY-MM-DD>', 'first day of the comparison period (default: the period before)')
  .option('--compare-to <YYYY-MM-DD>', 'last day of the comparison period')
  .addOption(new Option('--format <format>', 'output format').choices([...reportFormats]).default('html'))
  .option('--out <dir>', 'output folder', 'reports-out')
  .addHelpText('after', `\nNotebooks:\n${notebookNames.map((name) => `  ${name.padEnd(18)}${notebooks[name].description}`).join('\n')}\n\nThe database comes from DATABASE_URL, else the PGlite folder DATA_DIR (default ./.data).`)
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

async function main(): Promise<number> {
  try {
    program.parse(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const [notebook] = program.args as [string];
  const options = program.opts<{ agreement?: string; from?: string; to?: string; compareFrom?: string; compareTo?: string; format: ReportFormat; out: string }>();
  let database: Database | undefined;
  try {
    const params = {
      notebook,
      agreementId: agreementId(options.agreement),
      from: options.from,
      to: options.to,
      compareFrom: options.compareFrom,
      compareTo: options.compareTo,
    };
    // Refuse bad arguments before touching the database.
    const resolved = resolveParams(params);
    const dbOptions = databaseOptionsFromEnv();
    if (!dbOptions.url && !existsSync(join(resolve(dbOptions.dataDir), 'PG_VERSION'))) {
      throw new CliError(`no database in ${resolve(dbOptions.dataDir)} (DATA_DIR): run \`npm run seed\` or \`npm start\` first, or set DATABASE_URL`);
    }
    database = openDatabase(dbOptions);
    process.stderr.write(`${notebooks[resolved.notebook].title}: ${resolved.period.label} vs ${resolved.comparison.label}\n`);
    const interactive = process.stderr.isTTY === true;
    const bar = new SingleBar({ format: ' {bar} {value}/{total} {step}', stream: process.stderr, hideCursor: true, noTTYOutput: false, clearOnComplete: false });
    let started = false;
    const progress = (done: number, total: number, step: string) => {
      if (!started) {
        bar.start(total, 0, { step });
        started = true;
      }
      bar.update(done, { step });
      if (!interactive) process.stderr.write(`  ${done}/${total} ${step}\n`);
    };
    const queryStart = Date.now();
    const result = await runNotebook(database.db, params, { onProgress: progress });
    bar.stop();
    const queryMs = Date.now() - queryStart;
    const renderStart = Date.now();
    const total = countOutputs(result, options.format);
    let done = 0;
    const files = await writeReport(result, options.format, resolve(options.out), (file) => {
      done += 1;
      if (!interactive) process.stderr.write(`  wrote ${done}/${total} ${file.path}\n`);
    });
    for (const file of files) process.stdout.write(`${file.path}\n`);
    process.stderr.write(`done: ${files.length} file(s); queries ${queryMs} ms, rendering ${Date.now() - renderStart} ms\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`\nreport: error: ${describe(error)}\n`);
    return 1;
  } finally {
    await database?.close().catch(() => {});
  }
}

process.exitCode = await main();
