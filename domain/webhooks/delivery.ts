import { sql } from 'drizzle-orm';
import { rows, type DbOrTx } from '../../db/client';
import { WEBHOOK_TEST_EVENT } from './events';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signatureHeader } from './signature';
import { SecretBox } from './secret-box';
import { resolveTarget, TargetRefused, targetPolicyFromEnv, type TargetPolicy } from './targets';

/** A delivery a worker holds until `lease`; if the worker dies, it is due again after that. */
export interface ClaimedDelivery {
  id: number;
  attempts: number;
  /** next_attempt_at as the claim set it, verbatim: recording a result checks the lease is still ours. */
  lease: string;
  eventId: number;
  eventType: string;
  payload: unknown;
  eventCreatedAt: string;
  subscriptionId: string;
  url: string;
  secret: string;
}

/**
 * Claims due pending deliveries by pushing their next attempt `leaseMs` into the future, and
 * commits at once: the HTTP request happens outside any transaction, and no other instance picks
 * the same deliveries (SKIP LOCKED while the claim runs, the lease after). Deliveries of paused
 * subscriptions wait, except test events.
 */
export async function claimDueDeliveries(db: DbOrTx, options: { limit: number; leaseMs: number }): Promise<ClaimedDelivery[]> {
  const claimed = await rows<{
    id: string;
    attempts: number;
    lease: string;
    event_id: string;
    event_type: string;
    payload: unknown;
    event_created_at: string;
    subscription_id: string;
    url: string;
    secret: string;
  }>(
    db,
    sql`with due as (
        select d.id
        from webhook_deliveries d
        join webhook_subscriptions s on s.id = d.subscription_id
        join outbox_events e on e.id = d.event_id
        where d.status = 'pending' and d.next_attempt_at <= now()
          and (s.active or e.event_type = ${WEBHOOK_TEST_EVENT})
        order by d.next_attempt_at, d.id
        limit ${options.limit}
        for update of d skip locked
      )
      update webhook_deliveries d
      set next_attempt_at = now() + ${options.leaseMs}::double precision * interval '1 millisecond'
      from due, outbox_events e, webhook_subscriptions s
      where d.id = due.id and e.id = d.event_id and s.id = d.subscription_id
      returning d.id::text as id, d.attempts, d.next_attempt_at::text as lease,
        e.id::text as event_id, e.event_type, e.payload,
        to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as event_created_at,
        s.id as subscription_id, s.url, s.secret`,
  );
  return claimed
    .map((row) => ({
      id: Number(row.id),
      attempts: row.attempts,
      lease: row.lease,
      eventId: Number(row.event_id),
      eventType: row.event_type,
      payload: row.payload,
      eventCreatedAt: row.event_created_at,
      subscriptionId: row.subscription_id,
      url: row.url,
      secret: row.secret,
    }))
    .sort((a, b) => a.id - b.id);
}

/** The JSON body every receiver gets; `id` is the event's id (the same for every subscription and retry). */
export function deliveryBody(delivery: ClaimedDelivery): string {
  return JSON.stringify({
    id: String(delivery.eventId),
    type: delivery.eventType,
    createdAt: delivery.eventCreatedAt,
    data: delivery.payload,
  });
}

export interface AttemptResult {
  attemptedAt: Date;
  /** The receiver's HTTP status; null when no answer came (refused, timed out…). */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  ok: boolean;
}

/** A short class of what went wrong: never the receiver's words (they may hold its secrets). */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof TargetRefused) return error.message;
  const err = error as NodeJS.ErrnoException;
  if (err?.name === 'TimeoutError' || err?.code === 'ETIMEDOUT') return `timed out after ${timeoutMs} ms`;
  const byCode: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    EPIPE: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'DNS: not found',
    EAI_AGAIN: 'DNS: temporary failure',
  };
  if (err?.code && byCode[err.code]) return byCode[err.code]!;
  if (err?.code?.startsWith('ERR_TLS') || err?.code?.includes('CERT')) return `TLS: ${err.code}`;
  return err?.code ? `network error (${err.code})` : 'network error';
}

/** One POST to the checked address (the lookup the request makes answers with it). */
function post(url: URL, target: { address: string; family: 4 | 6 }, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        // The connection goes to the address checked above, whatever DNS says now; TLS still
        // checks the certificate against the URL's host name.
        lookup: (_hostname, options, callback) => {
          if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: target.address, family: target.family }]);
          else (callback as (e: null, a: string, f: number) => void)(null, target.address, target.family);
        },
        timeout: timeoutMs,
        agent: false,
      },
      (response) => {
        // The status is the answer; the body is read and dropped.
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    const deadline = setTimeout(() => request.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })), timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })));
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * POSTs the event, signed, to the receiver's checked address (domain/webhooks/targets.ts). Any 2xx
 * is an acknowledgement; redirects are not followed (a 3xx is a failure), and the whole exchange,
 * body included, must end within `timeoutMs`. The attempt log keeps the status, the timing and a
 * short error class, not the receiver's body.
 */
export async function postDelivery(
  delivery: ClaimedDelivery,
  options: { timeoutMs: number; now?: () => Date; targets?: TargetPolicy; secrets?: SecretBox },
): Promise<AttemptResult> {
  const attemptedAt = options.now?.() ?? new Date();
  const body = deliveryBody(delivery);
  const timestamp = Math.floor(attemptedAt.getTime() / 1000);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    let secret: string;
    try {
      secret = (options.secrets ?? SecretBox.fromEnv()).open(delivery.secret);
    } catch (error) {
      return { attemptedAt, statusCode: null, error: (error as Error).message.slice(0, 300), durationMs: elapsed(), ok: false };
    }
    const url = new URL(delivery.url);
    const target = await resolveTarget(url, options.targets ?? targetPolicyFromEnv());
    const status = await post(
      url,
      target,
      {
        'content-type': 'application/json',
        'user-agent': 'sla-platform-webhooks/1',
        'x-sla-event-id': String(delivery.eventId),
        'x-sla-event-type': delivery.eventType,
        'x-sla-delivery-id': String(delivery.id),
        'x-sla-timestamp': String(timestamp),
        'x-sla-signature': signatureHeader(secret, timestamp, body),
      },
      body,
      options.timeoutMs,
    );
    const ok = status >= 200 && status < 300;
    return { attemptedAt, statusCode: status, error: ok ? null : `HTTP ${status}`, durationMs: elapsed(), ok };
  } catch (error) {
    return { attemptedAt, statusCode: null, error: describeFailure(error, options.timeoutMs), durationMs: elapsed(), ok: false };
  }
}

export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed';

/**
 * Gives claimed deliveries that were not attempted (the worker is stopping) back at once, instead
 * of when their lease runs out. Only while the lease is still ours.
 */
export async function releaseClaims(db: DbOrTx, deliveries: ClaimedDelivery[]): Promise<void> {
  for (const delivery of deliveries) {
    await db.execute(
      sql`update webhook_deliveries set next_attempt_at = now()
        where id = ${delivery.id}::bigint and status = 'pending' and next_attempt_at = ${delivery.lease}::timestamptz`,
    );
  }
}

/**
 * Logs the attempt and moves the delivery on: delivered, failed for good after `maxAttempts`, or
 * pending again after `retryDelayMs`. The delivery only changes while our lease holds; a worker
 * that lost it (it took longer than the lease) still logs its attempt. Returns whether the
 * delivery row changed.
 */
export async function recordAttempt(
  db: DbOrTx,
  delivery: ClaimedDelivery,
  result: AttemptResult,
  outcome: DeliveryOutcome,
  retryDelayMs: number,
): Promise<boolean> {
  const status = outcome === 'retrying' ? 'pending' : outcome;
  const [row] = await rows<{ applied: number }>(
    db,
    sql`with updated as (
        update webhook_deliveries set
          attempts = attempts + 1,
          status = ${status}::delivery_status,
          next_attempt_at = case when ${status}::text = 'pending'
            then now() + ${retryDelayMs}::double precision * interval '1 millisecond' else next_attempt_at end,
          delivered_at = case when ${status}::text = 'delivered' then now() else null end
        where id = ${delivery.id}::bigint and status = 'pending' and next_attempt_at = ${delivery.lease}::timestamptz
        returning id
      ), logged as (
        insert into webhook_delivery_attempts (delivery_id, created_at, status_code, error, duration_ms)
        select ${delivery.id}::bigint, ${result.attemptedAt.toISOString()}::timestamptz, ${result.statusCode}::int,
          ${result.error}::text, ${result.durationMs}::int
        where exists (select 1 from webhook_deliveries where id = ${delivery.id}::bigint)
        returning 1
      )
      select (select count(*) from updated)::int as applied, (select count(*) from logged)::int as logged`,
  );
  return (row?.applied ?? 0) > 0;
}
