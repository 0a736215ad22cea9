import { GraphQLError } from 'graphql';

/** Errors a client may see as they are; anything else is an internal error whose details stay in the log. */
export const PUBLIC_ERROR_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'OPERATION_LIMIT',
  'REQUEST_TIMEOUT',
  'STATEMENT_TIMEOUT',
  'DATABASE_UNAVAILABLE',
  'RATE_LIMITED',
]);

/** Top-level error when the caller is not allowed to read a field or type. */
export class ForbiddenGraphQLError extends GraphQLError {
  constructor(message = 'Not authorized') {
    super(message, { extensions: { code: 'FORBIDDEN' } });
  }
}

/** Top-level error when no valid API key was sent. */
export class UnauthenticatedGraphQLError extends GraphQLError {
  constructor(message = 'A valid API key is required: send Authorization: Bearer <key>') {
    super(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
}

/** Refusal of an operation that is too deep, too broad, too costly or asks for too large a page. */
export class OperationLimitError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'OPERATION_LIMIT' } });
  }
}

export class BadUserInputError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

/** The request ran past REQUEST_TIMEOUT_MS; whatever it was doing is rolled back. */
export class RequestTimeoutError extends GraphQLError {
  constructor(timeoutMs?: number) {
    super(
      timeoutMs
        ? `The request took longer than ${timeoutMs} ms and was stopped; its transactions still open were rolled back (work already finished may have been saved: check before retrying)`
        : 'The request ran past its deadline: its open transaction was rolled back',
      { extensions: { code: 'REQUEST_TIMEOUT' } },
    );
  }
}

/** Error codes PostgreSQL and postgres.js use when the server is gone, restarting or unreachable. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up / shutting down)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

function errorChain(error: unknown): { code?: unknown; message?: unknown }[] {
  const chain: { code?: unknown; message?: unknown }[] = [];
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && typeof current === 'object' && depth < 6; depth += 1) {
    chain.push(current);
    current = current.cause as typeof current;
  }
  return chain;
}

/** The cause of a failure, as a public error code, when it is one a client can act on. */
export function classifyDatabaseError(error: unknown): 'STATEMENT_TIMEOUT' | 'DATABASE_UNAVAILABLE' | undefined {
  for (const link of errorChain(error)) {
    if (link.code === '57014') return 'STATEMENT_TIMEOUT';
    if (typeof link.code === 'string' && UNAVAILABLE_CODES.has(link.code)) return 'DATABASE_UNAVAILABLE';
    if (typeof link.message === 'string' && /database is closed|PGlite is closed/i.test(link.message)) return 'DATABASE_UNAVAILABLE';
  }
  return undefined;
}
