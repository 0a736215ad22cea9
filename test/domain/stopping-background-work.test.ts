import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { tick } from '../../domain/clocks/scheduler';
import { WebhookDispatcher } from '../../domain/webhooks/dispatcher';
import { emitEvent } from '../../domain/webhooks/events';
import { createSubscription } from '../../domain/webhooks/subscriptions';
import { openTestDatabase } from '../helpers/db';

// issue 13 (shutdown within 5 s): the server's background work stops at its next safe point when
// the server stops, instead of finishing all it had in hand. Re-score runs: test/domain/rescore-stop.test.ts.

let database: Awaited<ReturnType<typeof openTestDatabase>>;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.dispose();
});

describe('the webhook dispatcher, stopped during a round', () => {
  it('lets the request under way finish, starts no more, and gives the rest back at once', async () => {
    let requests = 0;
    let firstArrived: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
    const receiver = createServer((req, res) => {
      requests += 1;
      firstArrived();
      req.resume();
      setTimeout(() => res.writeHead(200).end('ok'), 300);
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const { subscription } = await createSubscription(database.db, null, { url, eventTypes: ['lead.rejected'] });
    const dispatcher = new WebhookDispatcher(database.db, { concurrency: 1, timeoutMs: 5_000, backoffBaseMs: 10, backoffMaxMs: 10 });
    try {
      await database.db.transaction(async (tx) => {
        for (let i = 0; i < 5; i++) await emitEvent(tx, 'lead.rejected', null, { reasonCode: 'missing_info', i });
      });
      dispatcher.start(60_000);
      await arrived;
      await dispatcher.stop();
      expect(requests).toBe(1);
      const deliveries = await rows<{ status: string; attempts: number; due: boolean }>(
        database.db,
        sql`select status::text, attempts, next_attempt_at <= now() as due from webhook_deliveries
          where subscription_id = ${subscription.id}::uuid order by id`,
      );
      expect(deliveries).toHaveLength(5);
      expect(deliveries.filter((d) => d.status === 'delivered')).toHaveLength(1);
      // Not attempted, not leased: due now for this or another instance, not in leaseMs (40 s).
      expect(deliveries.filter((d) => d.status === 'pending')).toEqual(Array(4).fill({ status: 'pending', attempts: 0, due: true }));

      // A round after the stop does the whole round again.
      expect(await dispatcher.runOnce()).toMatchObject({ attempted: 4, delivered: 4 });
      expect(requests).toBe(5);
    } finally {
      await dispatcher.stop();
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

describe('the SLA scheduler, stopped', () => {
  it('ends a pass between its steps', async () => {
    expect(await tick(database.db, new Date(), AbortSignal.abort())).toEqual({ breaches: 0, nurtureSteps: 0, released: 0, absencesHandedOver: 0 });
    const steps: string[] = [];
    const stop = database.onQuery((query) => steps.push(query));
    try {
      await tick(database.db, new Date(), AbortSignal.abort());
    } finally {
      stop();
    }
    expect(steps).toEqual([]);
  });
});
