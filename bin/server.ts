// `npm start`: migrate, seed an empty database with demo data, make sure an admin key exists, serve.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogger } from '../api/logger';
import { sql } from 'drizzle-orm';
import { DataFolderInUseError, openDatabase, rows, type Database } from '../db/client';
import { markDataFoldersStopping } from '../db/data-folder-lock';
import { isDatabaseEmpty, seedDemoData } from '../db/seed/index';
import { loadConfig } from '../api/config';
import { startServer } from '../api/server';
import { shutdownTimeoutFromEnv, startShutdownWatchdog, timedOut } from '../api/shutdown';
import { adminKeyProblem, ensureAdminKey, keyPrefixOf } from '../domain/auth/api-keys';
import { continueRescore, failRescore, runningRescores } from '../domain/scoring/rescore';
import { SlaScheduler } from '../domain/clocks/scheduler';
import { WebhookDispatcher } from '../domain/webhooks/dispatcher';
import { reencryptSecrets } from '../domain/webhooks/subscriptions';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const shutdownMs = shutdownTimeoutFromEnv();
let database: Database;
try {
  database = openDatabase({ ...config.database, dataDir: config.database.dataDir });
} catch (error) {
  // Another process has the PGlite folder open (db/data-folder-lock.ts): say who and what to do, no stack.
  if (!(error instanceof DataFolderInUseError)) throw error;
  logger.error({ code: 'DATA_FOLDER_IN_USE', holderPid: error.holder.pid }, `could not start: ${error.message}`);
  process.exit(1);
}

async function firstAdminEmail(db: typeof database): Promise<string | null> {
  const [admin] = await rows<{ email: string }>(db.db, sql`select email from users where role = 'admin' and active order by created_at limit 1`);
  return admin?.email ?? null;
}

async function main() {
  // A stop during start-up (migrations, seeding) ends the process at once: migrations run in a
  // transaction, and a process running as PID 1 (a container) would otherwise ignore the signal.
  const duringStartUp = (signal: NodeJS.Signals) => {
    logger.warn(`${signal} during start-up: exiting before the server listens`);
    process.exit(1);
  };
  process.on('SIGTERM', duringStartUp);
  process.on('SIGINT', duringStartUp);
  // A weak ADMIN_API_KEY is refused in production (warned about elsewhere) before anything starts.
  const keyProblem = config.adminApiKey ? adminKeyProblem(config.adminApiKey, config.production) : undefined;
  if (keyProblem?.level === 'error') throw new StartError(keyProblem.message);
  if (keyProblem) logger.warn(keyProblem.message);
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
  // For the start-up messages below (looked up now: once the server listens, a stop may close the database).
  const configuredPrefix = config.adminApiKey && !created ? await keyPrefixOf(database.db, config.adminApiKey) : null;
  const admin = created || config.adminApiKey ? null : await firstAdminEmail(database);
  if (resealed) logger.info(`re-encrypted ${resealed} webhook secret${resealed === 1 ? '' : 's'} under WEBHOOK_SECRET_KEY`);
  // Apollo Server adds SIGTERM/SIGINT handlers of its own (stopOnTerminationSignals) unless
  // NODE_ENV is test. This process stops everything itself (below), and the two raced: a second
  // apollo.stop() called while the first is under way never returns (Apollo 5 leaves its barrier
  // unresolved), and the server stayed up after SIGTERM. Apollo's handlers are taken off again.
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const ownListeners = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const running = await startServer(database, config, logger);
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!ownListeners.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  let stopping = false;
  // Once stopping, every response (the in-flight ones included) closes its connection: idle
  // keep-alive connections would otherwise hold server.close() open until their timeout.
  const open = new Set<ServerResponse>();
  running.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping) res.setHeader('connection', 'close');
    open.add(res);
    res.once('close', () => open.delete(res));
  });
  // Background work, started below unless a stop came first.
  const resumed: Promise<unknown>[] = [];
  const stopResumed = new AbortController();
  let dispatcher: WebhookDispatcher | undefined;
  let scheduler: SlaScheduler | undefined;

  // A stop takes at most SHUTDOWN_TIMEOUT_MS (5 s): in-flight requests and background work
  // (re-score batches, a webhook round, a scheduler pass) get most of it to finish; what is still
  // busy then has its connections closed and the database closed under it (a re-score batch rolls
  // back and resumes at the next start; a webhook lease runs out and the delivery is tried again);
  // and a thread of its own kills the process at the deadline should the main thread be stuck.
  // The handlers are in place as soon as the server listens, before anything below awaits.
  const shutdown = async (signal: string) => {
    // A second signal changes nothing (a terminal's Ctrl-C reaches npm, tsx and the server alike):
    // the deadline below ends the process anyway.
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info(`${signal}: finishing in-flight requests, then exiting (within ${shutdownMs} ms)`);
    startShutdownWatchdog(shutdownMs - 50, `shutdown did not finish within ${shutdownMs} ms (SHUTDOWN_TIMEOUT_MS): the process is killed`);
    // A command-line tool started on the PGlite folder meanwhile waits for this process to let go.
    markDataFoldersStopping();
    for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
    // Re-score runs stop after their current batch; the next start resumes them.
    stopResumed.abort();
    const busy = new Set<string>();
    const track = (name: string, work: Promise<unknown> | undefined) => {
      if (!work) return Promise.resolve();
      busy.add(name);
      return work.finally(() => busy.delete(name));
    };
    const stopped = Promise.all([
      track('http server', running.stop()),
      track('webhook dispatcher', dispatcher?.stop()),
      track('scheduler', scheduler?.stop()),
      ...resumed.map((work, i) => track(`resumed re-score ${i + 1}`, work)),
    ]);
    let forced = await timedOut(stopped, Math.round(shutdownMs * 0.7) - (Date.now() - started));
    if (forced) {
      logger.warn(
        { waitingFor: [...busy], openRequests: open.size },
        `shutdown: still busy after ${Date.now() - started} ms; closing the remaining connections and the database`,
      );
      running.server.closeAllConnections();
    }
    if (await timedOut(database.close(), Math.round(shutdownMs * 0.9) - (Date.now() - started))) {
      forced = true;
      logger.error(`shutdown: the database did not close within ${Date.now() - started} ms; exiting without it`);
    }
    process.exit(forced ? 1 : 0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.removeListener('SIGTERM', duringStartUp);
  process.removeListener('SIGINT', duringStartUp);

  // Re-score runs interrupted by a stop carry on where their last batch ended.
  const interrupted = await runningRescores(database.db);
  if (stopping) return;
  for (const run of interrupted) {
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
  dispatcher = webhooksEnabled ? new WebhookDispatcher(database.db, { ...webhookOptions, logger }) : undefined;
  dispatcher?.start(pollMs);
  // SLA clocks and nurture steps, evaluated in the server (SKIP LOCKED makes several instances safe).
  const schedulerMs = Number(process.env.SCHEDULER_INTERVAL_MS ?? 30_000);
  scheduler = new SlaScheduler(
    database.db,
    (error) => logger.error({ err: error }, 'scheduler pass failed'),
    (result) => (result.breaches || result.nurtureSteps || result.released || result.absencesHandedOver) && logger.info(result, 'scheduler pass'),
  );
  if (schedulerMs > 0) scheduler.start(schedulerMs);

  logger.info(`GraphQL API at ${running.url}${config.playground ? ' (open it in a browser for the playground)' : ''}`);
  if (created && !config.adminApiKey) {
    // Printed once, on purpose outside the JSON log so it is easy to copy.
    console.log(
      `\n  Admin API key (shown once, store it now):\n\n    ${created.key}\n\n` +
        `  Send it as the header  Authorization: Bearer ${created.key}\n`,
    );
  } else if (created) {
    logger.info(`ADMIN_API_KEY registered for the admin user; it is listed as key ${created.prefix} (npm run keys -- list)`);
  } else if (config.adminApiKey) {
    logger.info(`ADMIN_API_KEY is registered; it is listed as key ${configuredPrefix ?? '?'} (npm run keys -- list)`);
  } else {
    // A restart: the admin key was printed at the first start only.
    logger.info(
      `the admin key was printed at the first start. Lost it? ${database.driver === 'pglite' ? 'Stop the server, then run' : 'Run'} ` +
        `"npm run keys -- create --user ${admin ?? 'admin@example.com'}" for a new one (and "npm run keys -- revoke <prefix>" for the old)`,
    );
  }
}

/** A refusal to start whose message says it all (no stack in the log). */
class StartError extends Error {}

main().catch(async (error: unknown) => {
  if (error instanceof StartError) logger.error(`could not start: ${error.message}`);
  else logger.error({ err: error }, 'could not start');
  await database.close().catch(() => {});
  process.exit(1);
});
