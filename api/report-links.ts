import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Database, Db } from '../db/client';
import { apiKeys, users } from '../db/schema/index';
import type { Principal } from '../domain/auth/api-keys';
import { DomainError, NotFoundError, ValidationError } from '../domain/errors';
import type { NotebookParams } from '../reports/notebooks/runner';
import { renderHtml } from '../reports/render/html';
import { HeavyReadRefused, HeavyReadTooLarge, type HeavyReads } from './heavy-reads';
import { readNotebook } from './report-reads';

/**
 * What a report link grants: one notebook over fixed periods, until it expires, as the key that made
 * it may see it, while that key stays valid.
 */
export interface ReportLinkClaims {
  /** The API key that made the link: revoked or expired, the link stops opening. */
  keyId: string;
  notebook: string;
  agreementId: string | null;
  from: string;
  to: string;
  compareFrom: string;
  compareTo: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export type VerifyResult = { ok: true; claims: ReportLinkClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired'; expiredAt?: Date };

export const REPORT_PATH = '/reports/view';

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * Signs and checks report links: `<payload>.<signature>`, the payload base64url JSON and the signature
 * HMAC-SHA256 over it. The link carries no API key; it grants one report until it expires.
 */
export class ReportLinks {
  private readonly secret: Buffer;

  constructor(secret: string | undefined, logger?: Pick<Logger, 'warn'>) {
    if (secret && secret.length >= 32) {
      this.secret = Buffer.from(secret, 'utf8');
    } else {
      if (secret) throw new Error('REPORT_LINK_SECRET must be at least 32 characters');
      this.secret = randomBytes(32);
      logger?.warn(
        'REPORT_LINK_SECRET is not set: report links are signed with a random per-process secret and stop working when this process restarts (and on other instances). Set REPORT_LINK_SECRET to keep them valid.',
      );
    }
  }

  private signature(payload: string): Buffer {
    return createHmac('sha256', this.secret).update(payload).digest();
  }

  sign(claims: ReportLinkClaims): string {
    const payload = b64(JSON.stringify(claims));
    return `${payload}.${b64(this.signature(payload))}`;
  }

  verify(token: string, now = new Date()): VerifyResult {
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
    const given = Buffer.from(signature, 'base64url');
    const expected = this.signature(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
    let claims: ReportLinkClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ReportLinkClaims;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof claims !== 'object' || claims === null || typeof claims.keyId !== 'string') return { ok: false, reason: 'malformed' };
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) {
      return { ok: false, reason: 'expired', expiredAt: new Date((claims.exp ?? 0) * 1000) };
    }
    return { ok: true, claims };
  }

  /** The absolute URL a BI user opens. */
  url(origin: string, claims: ReportLinkClaims): string {
    // The token goes in the query string: request logs record the path only.
    return `${origin.replace(/\/$/, '')}${REPORT_PATH}?token=${this.sign(claims)}`;
  }
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The principal of a key by its id, if the key still authenticates (not revoked, not expired, user active). */
async function keyPrincipal(db: Db, keyId: string): Promise<Principal | null> {
  if (!/^[0-9a-f-]{36}$/i.test(keyId)) return null;
  const [row] = await db
    .select({ keyId: apiKeys.id, userId: apiKeys.userId, role: apiKeys.role })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt), eq(users.active, true), sql`(${apiKeys.expiresAt} IS NULL OR ${apiKeys.expiresAt} > now())`))
    .limit(1);
  return row ?? null;
}

export interface ReportLinkServing {
  database: Database;
  links: ReportLinks;
  heavyReads: HeavyReads;
  logger: Pick<Logger, 'error' | 'warn'>;
  /** Longest an open waits for the notebook; past it 503 + Retry-After (the computation carries on into the cache). */
  timeoutMs: number;
  /** Opens per minute of one link, and from one address (0 = no limit). */
  perLinkPerMinute: number;
  perAddressPerMinute: number;
}

/**
 * Rate limits of report-link opens: per link and per client address. Tokens that fail their
 * signature count against a limiter of their own, so that garbage from one address cannot use up
 * the opens of valid links (behind a proxy every client may share an address).
 */
export class ReportLinkLimits {
  private readonly perLink?: RateLimiterMemory;
  private readonly perAddress?: RateLimiterMemory;
  private readonly invalidPerAddress?: RateLimiterMemory;

  constructor(private readonly serving: Pick<ReportLinkServing, 'perLinkPerMinute' | 'perAddressPerMinute'>) {
    if (serving.perLinkPerMinute > 0) this.perLink = new RateLimiterMemory({ points: serving.perLinkPerMinute, duration: 60 });
    if (serving.perAddressPerMinute > 0) {
      this.perAddress = new RateLimiterMemory({ points: serving.perAddressPerMinute, duration: 60 });
      this.invalidPerAddress = new RateLimiterMemory({ points: serving.perAddressPerMinute, duration: 60 });
    }
  }

  /** Seconds to wait before the next open, or undefined when allowed. */
  async check(token: string, address: string, valid: boolean): Promise<{ retryAfter: number; what: string } | undefined> {
    const link = createHash('sha256').update(token).digest('base64url').slice(0, 22);
    const limits = valid
      ? ([
          [this.perAddress, `ip:${address}`, `${this.serving.perAddressPerMinute} report opens a minute from one address`],
          [this.perLink, `link:${link}`, `${this.serving.perLinkPerMinute} opens a minute of one link`],
        ] as const)
      : ([[this.invalidPerAddress, `ip:${address}`, `${this.serving.perAddressPerMinute} invalid report links a minute from one address`]] as const);
    for (const [limiter, key, what] of limits) {
      if (!limiter) continue;
      try {
        await limiter.consume(key);
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        return { retryAfter: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)), what };
      }
    }
    return undefined;
  }
}

/** GET /reports/view?token=…: the notebook's standalone HTML, as the link's key may see it. */
export async function handleReportRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  serving: ReportLinkServing,
  limits: ReportLinkLimits,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendText(res, 405, 'Use GET to open a report.');
  }
  const token = url.searchParams.get('token');
  if (!token) return sendText(res, 403, 'This report link has no token. Create a link with the createReportLink mutation.');
  // The signature is checked first (an HMAC, cheap): valid and invalid links have limits of their own.
  const verified = serving.links.verify(token);
  const limited = await limits.check(token, req.socket.remoteAddress ?? 'unknown', verified.ok);
  if (limited) {
    return sendText(res, 429, `Too many opens: at most ${limited.what}. Try again in ${limited.retryAfter} s.`, { 'retry-after': String(limited.retryAfter) });
  }
  if (!verified.ok) {
    const message =
      verified.reason === 'expired'
        ? `This report link expired at ${verified.expiredAt?.toISOString()}. Ask for a new link (createReportLink).`
        : 'This report link is not valid: it was changed, cut short, or signed by another server. Ask for a new link (createReportLink).';
    return sendText(res, 403, message);
  }
  const { claims } = verified;
  const { keyId, exp: _exp, ...params } = claims;
  try {
    // The key is checked at every open: a link dies with the key that made it.
    const reading = (async () => {
      const principal = await keyPrincipal(serving.database.db, keyId);
      if (!principal) return 'revoked' as const;
      return readNotebook(serving.database.db, serving.heavyReads, principal, params satisfies NotebookParams);
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), serving.timeoutMs);
    });
    const notebook = await Promise.race([reading, timeout]).finally(() => clearTimeout(timer));
    if (notebook === 'timeout') {
      reading.catch((error: unknown) => serving.logger.warn({ err: error }, 'report finished after its open timed out'));
      return sendText(res, 503, 'The report is still being computed. Open the link again in a few seconds.', { 'retry-after': '5' });
    }
    if (notebook === 'revoked') {
      return sendText(res, 403, 'The API key that made this report link was revoked or has expired, so the link no longer opens. Ask for a new link (createReportLink).');
    }
    const html = renderHtml(notebook);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
      'cache-control': 'private, no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'content-security-policy':
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; frame-ancestors 'none'",
    });
    res.end(req.method === 'HEAD' ? undefined : html);
  } catch (error) {
    if (error instanceof HeavyReadRefused) {
      return sendText(res, 429, `${error.message}.`, { 'retry-after': String(error.retryAfterSeconds) });
    }
    if (error instanceof HeavyReadTooLarge) return sendText(res, 413, error.message);
    if (error instanceof NotFoundError) return sendText(res, 404, `${error.message}: the report's agreement no longer exists.`);
    if (error instanceof ValidationError || error instanceof DomainError) return sendText(res, 400, error.message);
    serving.logger.error({ err: error }, 'report failed');
    return sendText(res, 500, 'The report could not be computed; the error is in the server log.');
  }
}
