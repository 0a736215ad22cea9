// `npm run sla:tick -- [--at 2026-03-09T16:00:00Z]`: one scheduler pass from the command line —
// hand over the due leads of reps whose absence began, breach overdue SLA clocks, emit due nurture
// steps, retry held hand-offs.
import { Command } from 'commander';
import { withDatabase } from './with-database';
import { tick } from '../domain/clocks/scheduler';

const program = new Command('sla:tick')
  .option('--at <iso>', 'evaluate as of this instant (default now)')
  .action(async (opts: { at?: string }) => {
    const at = opts.at ? new Date(opts.at) : new Date();
    if (Number.isNaN(at.getTime())) throw new Error(`--at "${opts.at}" is not a date-time`);
    const result = await withDatabase((database) => tick(database.db, at));
    console.log(
      `${result.breaches} SLA breaches recorded, ${result.nurtureSteps} nurture steps emitted, ${result.released} held hand-offs released, ` +
        `${result.absencesHandedOver} absences handed over (as of ${at.toISOString()})`,
    );
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`sla:tick: ${(error as Error).message}`);
  process.exit(1);
});
