import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Database } from '../db/client';
import { DomainError, NotFoundError, ValidationError } from '../domain/errors';
import { runNotebook, type NotebookParams } from '../reports/notebooks/runner';
import { renderHtml } from '../reports/render/html';

/** What a report link grants: one notebook over fixed periods, until it expires. */
export interface ReportLinkClaims {
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

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** GET /reports/view?token=…: the notebook's standalone HTML, computed now from the database. */
export async function handleReportRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  database: Database,
  links: ReportLinks,
  logger: Pick<Logger, 'error'>,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendText(res, 405, 'Use GET to open a report.');
  }
  const token = url.searchParams.get('token');
  if (!token) return sendText(res, 403, 'This report link has no token. Create a link with the createReportLink mutation.');
  const verified = links.verify(token);
  if (!verified.ok) {
    const message =
      verified.reason === 'expired'
        ? `This report link expired at ${verified.expiredAt?.toISOString()}. Ask for a new link (createReportLink).`
        : 'This report link is not valid: it was changed, cut short, or signed by another server. Ask for a new link (createReportLink).';
    return sendText(res, 403, message);
  }
  const { claims } = verified;
  const params: NotebookParams = { ...claims };
  try {
    const html = renderHtml(await runNotebook(database.db, params));
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
    if (error instanceof NotFoundError) return sendText(res, 404, `${error.message}: the report's agreement no longer exists.`);
    if (error instanceof ValidationError || error instanceof DomainError) return sendText(res, 400, error.message);
    logger.error({ err: error }, 'report failed');
    return sendText(res, 500, 'The report could not be computed; the error is in the server log.');
  }
}
