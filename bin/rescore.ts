// `npm run rescore -- --agreement <id> [--requalify] [--resume <runId>]`: re-scores every lead of an
// agreement under its active revision, in resumable batches, with a progress bar.
import { Presets, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { openDatabase } from '../db/client';
import { databaseOptionsFromEnv } from '../db/config';
import { DomainError } from '../domain/errors';
import { continueRescore, failRescore, startRescore } from '../domain/scoring/rescore';

const program = new Command('rescore')
  .description('Re-score every lead of an agreement (set-based, in resumable batches)')
  .option('--agreement <id>', 'agreement id (uuid or GraphQL global id)')
  .option('--requalify', 'also move leads that now meet the MQL thresholds', false)
  .option('--resume <runId>', 'continue an interrupted run')
  .action(async (opts: { agreement?: string; requalify: boolean; resume?: string }) => {
    if (!opts.agreement && !opts.resume) throw new Error('give --agreement <id> or --resume <runId>');
    const database = openDatabase(databaseOptionsFromEnv());
    const bar = new SingleBar({ format: 're-score [{bar}] {value}/{total} leads | {eta_formatted} left' }, Presets.shades_classic);
    try {
      await database.migrate();
      const agreementId = opts.agreement && !/^[0-9a-f-]{36}$/i.test(opts.agreement) ? decodeGlobalID(opts.agreement).id : opts.agreement;
      const runId = opts.resume ?? (await startRescore(database.db, { agreementId: agreementId!, requalify: opts.requalify })).id;
      let started = false;
      const run = await continueRescore(database.db, runId, (progress) => {
        if (!started) bar.start(progress.totalLeads, progress.processedLeads);
        started = true;
        bar.update(progress.processedLeads);
      }).catch(async (error: unknown) => {
        await failRescore(database.db, runId, error);
        throw error;
      });
      bar.stop();
      console.log(`run ${run.id}: ${run.status}, ${run.processedLeads}/${run.totalLeads} leads, ${run.mqlsCreated} new MQLs`);
    } finally {
      bar.stop();
      await database.close();
    }
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`rescore: ${error instanceof DomainError || error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
