import { sql } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import { ALL_EVENT_TYPES, WEBHOOK_TEST_EVENT } from './events';

/**
 * Claims a batch of undispatched outbox events (SKIP LOCKED: other instances take other events),
 * creates one delivery per matching active subscription and marks the events dispatched — all in
 * one statement, so a crash leaves the events undispatched and the next run does them again.
 * Re-running is harmless: (event, subscription) is unique.
 */
export async function fanOutEvents(db: DbOrTx, limit: number): Promise<{ events: number; deliveries: number }> {
  const [result] = await rows<{ events: number; deliveries: number }>(
    db,
    sql`with batch as (
        select id, event_type from outbox_events
        where dispatched_at is null
        order by id
        limit ${limit}
        for update skip locked
      ), created as (
        insert into webhook_deliveries (event_id, subscription_id)
        select b.id, s.id
        from batch b
        join webhook_subscriptions s
          on s.active
          and b.event_type <> ${WEBHOOK_TEST_EVENT}
          and (b.event_type = any(s.event_types) or ${ALL_EVENT_TYPES} = any(s.event_types))
        on conflict (event_id, subscription_id) do nothing
        returning 1
      ), marked as (
        update outbox_events o set dispatched_at = now()
        from batch b where o.id = b.id
        returning 1
      )
      select (select count(*) from marked)::int as events, (select count(*) from created)::int as deliveries`,
  );
  return { events: result?.events ?? 0, deliveries: result?.deliveries ?? 0 };
}
