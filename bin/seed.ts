// `npm run seed -- [--leads 20000] [--seed 42] [--reset] [--now 2026-01-01]`: fills the database
// from the environment (DATABASE_URL → PostgreSQL, else PGlite in DATA_DIR) with demo data.
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { openDatabase } from '../db/client';
import { databaseOptionsFromEnv } from '../db/config';
import { isDatabaseEmpty, resetDatabase, seedDemoData, startOfTodayUtc, type SeedSummary } from '../db/seed/index';

function wholeNumber(min: number) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return parsed;
  };
}

function utcDate(value: string): Date {
  const parsed = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(parsed.getTime())) throw new InvalidArgumentError('expected a date such as 2026-01-31');
  return parsed;
}

const program = new Command()
  .name('seed')
  .description('Fill the database with deterministic demo data (users, the SLA agreement, accounts, a year of leads).')
  .option('--leads <count>', 'number of leads to generate', wholeNumber(0), 20_000)
  .option('--seed <number>', 'random seed: the same seed and date give the same data', wholeNumber(0), 42)
  .option('--now <date>', 'end of the generated history (default: today 00:00 UTC)', utcDate)
  .option('--reset', 'delete all existing data first', false)
  .showHelpAfterError();

/** One progress bar per phase on a terminal; one line per finished phase otherwise (logs, CI). */
function progressReporter() {
  const tty = Boolean(process.stderr.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  let phase = '';
  let phaseStarted = Date.now();
  const finish = () => {
    if (!phase) return;
    bar?.stop();
    bar = null;
    if (!tty) console.error(`  ${phase.padEnd(10)} done in ${((Date.now() - phaseStarted) / 1000).toFixed(1)} s`);
    phase = '';
  };
  return {
    update(next: string, done: number, total: number) {
      if (next !== phase) {
        finish();
        phase = next;
        phaseStarted = Date.now();
        if (tty) {
          bar = new cliProgress.SingleBar(
            { format: `  ${next.padEnd(10)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, done);
        }
      }
      bar?.setTotal(total);
      bar?.update(done);
    },
    finish,
  };
}

function printSummary(summary: SeedSummary, seconds: number): void {
  const n = (value: number) => value.toLocaleString('en-US');
  console.log(`\nSeeded in ${seconds.toFixed(1)} s:`);
  console.log(`  users           ${n(summary.users)}`);
  console.log(`  accounts        ${n(summary.accounts)}`);
  console.log(`  leads           ${n(summary.leads)}`);
  console.log(`  activities      ${n(summary.activities)}`);
  console.log(`  transitions     ${n(summary.transitions)}`);
  console.log(`  ledger rows     ${n(summary.ledgerRows)}`);
  console.log(`  contact attempts ${n(summary.attempts)}`);
  console.log(`  opportunities   ${n(summary.opportunities)}`);
  console.log(`  traffic days    ${n(summary.trafficDays)}`);
  console.log(`  agreement       ${summary.agreementId}`);
}

async function main(): Promise<number> {
  program.parse();
  const options = program.opts<{ leads: number; seed: number; now?: Date; reset: boolean }>();
  const config = databaseOptionsFromEnv();
  // Bulk loading is no request: the API's statement timeout would only get in the way.
  let database: ReturnType<typeof openDatabase>;
  try {
    database = openDatabase({ ...config, statementTimeoutMs: 0 });
  } catch (error) {
    // The data folder is open in another process (db/data-folder-lock.ts): its message says what to do.
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const where = database.driver === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`;
  try {
    console.log(`Database: ${where}`);
    await database.migrate();
    if (!(await isDatabaseEmpty(database))) {
      if (!options.reset) {
        console.error('The database already has data (users or agreements). Run again with --reset to delete it all and seed afresh.');
        return 1;
      }
      console.log('Deleting existing data (--reset)…');
      await resetDatabase(database);
    }
    const now = options.now ?? startOfTodayUtc();
    console.log(`Seeding ${options.leads.toLocaleString('en-US')} leads, seed ${options.seed}, history up to ${now.toISOString()}`);
    const progress = progressReporter();
    const started = Date.now();
    const summary = await seedDemoData(database, { leads: options.leads, seed: options.seed, now, onProgress: progress.update });
    progress.finish();
    printSummary(summary, (Date.now() - started) / 1000);
    return 0;
  } catch (error) {
    console.error(`\nSeeding failed: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
    return 1;
  } finally {
    await database.close().catch(() => {});
  }
}

process.exitCode = await main();
