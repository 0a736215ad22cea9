// `npm start`: migrate, seed an empty database with demo data, make sure an admin key exists, serve.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogger } from '../api/logger';
import { sql } from 'drizzle-orm';
import { openDatabase, rows } from '../db/client';
import { isDatabaseEmpty, seedDemoData } from '../db/seed/index';
import { loadConfig } from '../api/config';
import { startServer } from '../api/server';
import { ensureAdminKey } from '../domain/auth/api-keys';
import { continueRescore, failRescore, runningRescores } from '../domain/scoring/rescore';
import { SlaScheduler } from '../domain/clocks/scheduler';
import { WebhookDispatcher } from '../domain/webhooks/dispatcher';
import { reencryptSecrets } from '../domain/webhooks/subscriptions';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const database = openDatabase({ ...config.database, dataDir: config.database.dataDir });

async function firstAdminEmail(db: typeof database): Promise<string | null> {
  const [admin] = await rows<{ email: string }>(db.db, sql`select email from users where role = 'admin' and active order by created_at limit 1`);
  return admin?.email ?? null;
}

async function main() {
  const where = database.driver === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.database.dataDir}`;
  logger.info(`database: ${where}; applying migrations`);
  await database.migrate();

  if (config.seedOnStart && (await isDatabaseEmpty(database))) {
    logger.info(`empty database: seeding demo data (${config.seedLeads} leads; npm run seed -- --leads N for more)`);
    const started = Date.now();
    const summary = await seedDemoData(database, { leads: config.seedLeads });
    logger.info({ ...summary, seconds: (Date.now() - started) / 1000 }, 'demo data ready');
  }

  const created = await ensureAdminKey(database.db, config.adminApiKey);
  // With WEBHOOK_SECRET_KEY set, secrets stored in clear (or under WEBHOOK_SECRET_KEY_PREVIOUS) are re-encrypted.
  const resealed = await reencryptSecrets(database.db);
  if (resealed) logger.info(`re-encrypted ${resealed} webhook secret${resealed === 1 ? '' : 's'} under WEBHOOK_SECRET_KEY`);
  const running = await startServer(database, config, logger);
  let stopping = false;
  // Once stopping, every response (the in-flight ones included) closes its connection: idle
  // keep-alive connections would otherwise hold server.close() open until their timeout.
  const open = new Set<ServerResponse>();
  running.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping) res.setHeader('connection', 'close');
    open.add(res);
    res.once('close', () => open.delete(res));
  });
  // Re-score runs interrupted by a stop carry on where their last batch ended.
  const resumed: Promise<unknown>[] = [];
  const stopResumed = new AbortController();
  for (const run of await runningRescores(database.db)) {
    logger.info({ runId: run.id, done: run.processedLeads, total: run.totalLeads }, 'resuming re-score run');
    resumed.push(
      continueRescore(database.db, run.id, undefined, undefined, stopResumed.signal)
        // A batch cut off by the shutdown is not a failure: the run stays running and resumes.
        .catch((error: unknown) => (stopResumed.signal.aborted ? undefined : failRescore(database.db, run.id, error)))
        .catch((error: unknown) => logger.error({ err: error, runId: run.id }, 'resumed re-score run failed')),
    );
  }
  // Webhooks: every instance may run a dispatcher; claims use SKIP LOCKED and leases.
  const { enabled: webhooksEnabled, pollMs, ...webhookOptions } = config.webhooks;
  const dispatcher = webhooksEnabled ? new WebhookDispatcher(database.db, { ...webhookOptions, logger }) : undefined;
  dispatcher?.start(pollMs);
  logger.info(`GraphQL API at ${running.url}${config.playground ? ' (open it in a browser for the playground)' : ''}`);
  if (created && !config.adminApiKey) {
    // Printed once, on purpose outside the JSON log so it is easy to copy.
    console.log(
      `\n  Admin API key (shown once, store it now):\n\n    ${created.key}\n\n` +
        `  Send it as the header  Authorization: Bearer ${created.key}\n`,
    );
  } else if (created) {
    logger.info('ADMIN_API_KEY registered for the admin user');
  } else if (!config.adminApiKey) {
    // A restart: the admin key was printed at the first start only.
    const admin = await firstAdminEmail(database);
    logger.info(
      `the admin key was printed at the first start. Lost it? ${database.driver === 'pglite' ? 'Stop the server, then run' : 'Run'} ` +
        `"npm run keys -- create --user ${admin ?? 'admin@example.com'}" for a new one (and "npm run keys -- revoke <prefix>" for the old)`,
    );
  }

  // SLA clocks and nurture steps, evaluated in the server (SKIP LOCKED makes several instances safe).
  const schedulerMs = Number(process.env.SCHEDULER_INTERVAL_MS ?? 30_000);
  const scheduler = new SlaScheduler(
    database.db,
    (error) => logger.error({ err: error }, 'scheduler pass failed'),
    (result) => (result.breaches || result.nurtureSteps || result.released || result.absencesHandedOver) && logger.info(result, 'scheduler pass'),
  );
  if (schedulerMs > 0) scheduler.start(schedulerMs);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: finishing in-flight requests, then exiting`);
    for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
    // Re-score runs stop after their current batch; the next start resumes them.
    stopResumed.abort();
    await Promise.all([running.stop(), dispatcher?.stop(), scheduler.stop(), ...resumed]);
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch(async (error: unknown) => {
  logger.error({ err: error }, 'could not start');
  await database.close().catch(() => {});
  process.exit(1);
});
