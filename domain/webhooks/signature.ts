import { createHmac, timingSafeEqual } from 'node:crypto';

// Receivers check `x-sla-signature: t=<unix seconds>,v1=<hex>` where
// v1 = HMAC-SHA256(key = the subscription secret as UTF-8, message = "<t>.<raw body>").
// Signing the timestamp with the body lets receivers refuse replays older than a few minutes.

export const SIGNATURE_HEADER = 'x-sla-signature';

export function signatureDigest(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureDigest(secret, timestamp, body)}`;
}

/**
 * What a receiver does: true when the header carries a valid v1 signature of this body made within
 * `toleranceSeconds` of `now`.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  options: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  if (!header) return false;
  const parts = new Map<string, string[]>();
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2).map((s) => s.trim());
    if (key && value) parts.set(key, [...(parts.get(key) ?? []), value]);
  }
  const timestamp = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(timestamp)) return false;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureDigest(secret, timestamp, body), 'hex');
  return (parts.get('v1') ?? []).some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
