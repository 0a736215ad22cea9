import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLError, GraphQLFormattedError, ValidationContext } from 'graphql';
import type { Logger } from 'pino';
import type { Database } from '../db/client';
import type { ServerConfig } from './config';
import { BackgroundTasks } from './background';
import { AuthCache, authenticateRequest, createContext, type Context } from './context';
import { classifyDatabaseError, OperationLimitError, PUBLIC_ERROR_CODES, RequestTimeoutError } from './errors';
import { limits } from './limits';
import { createLogger } from './logger';
import { HeavyReads } from './heavy-reads';
import { handleReportRequest, REPORT_PATH, ReportLinkLimits, ReportLinks, type ReportLinkServing } from './report-links';
import { schema } from './schema';

export interface RunningServer {
  server: Server;
  url: string;
  logger: Logger;
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `Request body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const DATABASE_MESSAGES = {
  STATEMENT_TIMEOUT: (ms: number | undefined) =>
    `A database statement ran longer than the statement_timeout${ms ? ` of ${ms} ms` : ''} and was cancelled; nothing was changed`,
  DATABASE_UNAVAILABLE: () => 'The database is unavailable; nothing was changed, try again shortly',
};

/** Error codes of the operations in one response, for the request log. */
const responseCodes = new WeakMap<ServerResponse, { operation?: string; role?: string; keyId?: string; codes: Set<string> }>();

/** Armor rejections become OPERATION_LIMIT errors, like Pothos' depth and complexity limits. */
const reportLimit = (ctx: ValidationContext | null, error: GraphQLError) =>
  ctx?.reportError(new OperationLimitError(error.message.replace(/^Syntax Error: /, '')));

function armor(config: ServerConfig) {
  const limit = { propagateOnRejection: false, onReject: [reportLimit], exposeLimits: true };
  return new ApolloArmor({
    maxAliases: { ...limit, n: limits.maxAliases, allowList: [] },
    maxDirectives: { ...limit, n: limits.maxDirectives },
    // graphql-js counts tokens while parsing (parseOptions below); armor's parser hook does not
    // stop Apollo 5's pipeline.
    maxTokens: { enabled: false },
    // Depth and cost are the Pothos complexity plugin's job: it knows list sizes and page arguments.
    maxDepth: { enabled: false },
    costLimit: { enabled: false },
    // "Did you mean …?" hints map the schema for strangers; production keeps them to itself.
    blockFieldSuggestion: { enabled: config.production },
  }).protect();
}

export interface CacheInvalidation {
  /** A read-write transaction committed: cached reports may be stale. */
  onWrite?: () => void;
  /** A signed-in caller's mutation succeeded (it may have revoked a key or deactivated someone). */
  onMutation?: () => void;
}

export function createApollo(config: ServerConfig, logger: Logger, invalidation: CacheInvalidation = {}) {
  const protection = armor(config);
  // Only what a signed-in caller actually did empties the caches: an anonymous or refused mutation
  // must not let anyone make every report link compute afresh on the link maker's budget.
  const invalidateCaches: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, contextValue, response }) {
          if (operation?.operation !== 'mutation' || !contextValue.viewer) return;
          if (contextValue.writes?.committed) invalidation.onWrite?.();
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (!errors?.length) invalidation.onMutation?.();
        },
      };
    },
  };
  const noStore: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
  return new ApolloServer<Context>({
    schema,
    introspection: config.introspection,
    csrfPrevention: true,
    // bin/server.ts stops the server on SIGTERM/SIGINT itself (api/shutdown.ts); Apollo's own
    // handlers would race it (a second apollo.stop() never returns).
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: limits.maxTokens },
    includeStacktraceInErrorResponses: !config.production,
    validationRules: protection.validationRules,
    plugins: [
      // The API sets no cache hints (answers depend on the key), and Apollo's default cache-control
      // plugin wraps every field resolver to compute them: 1.2–1.4× leads-page throughput without it.
      // Its one visible effect is kept: no answer is stored by a browser or a shared cache.
      ApolloServerPluginCacheControlDisabled(),
      noStore,
      ...protection.plugins,
      invalidateCaches,
      config.playground
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
    ],
    formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      let code = formatted.extensions?.code as string | undefined;
      if (code === 'GRAPHQL_PARSE_FAILED' && /Document contains more th(?:an|at) \d+ tokens/.test(formatted.message)) {
        return { message: `Document has more than the limit of ${limits.maxTokens} tokens`, extensions: { code: 'OPERATION_LIMIT' } };
      }
      if (code === 'GRAPHQL_VALIDATION_FAILED' && /(Aliases|Directives) limit of \d+ exceeded/.test(formatted.message)) {
        return { message: formatted.message.replace(/^Syntax Error: /, ''), extensions: { code: 'OPERATION_LIMIT' } };
      }
      if (code && PUBLIC_ERROR_CODES.has(code)) return formatted;
      // graphql-js stops coercing variables after 50 errors and adds this error without a variable
      // node, so Apollo does not classify it: it is the caller's input all the same.
      if (formatted.message.startsWith('Too many errors processing variables')) {
        return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } };
      }
      const cause = unwrapResolverError(error);
      const database = classifyDatabaseError(cause);
      if (database) {
        code = database;
        logger.warn({ err: cause, path: formatted.path, code }, 'database error in a GraphQL operation');
        return {
          message: DATABASE_MESSAGES[database](config.database.statementTimeoutMs),
          path: formatted.path,
          extensions: { code },
        };
      }
      logger.error({ err: cause, path: formatted.path }, 'internal error in a GraphQL operation');
      if (!config.production) return formatted;
      return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    },
  });
}

function graphqlErrorBody(message: string, code: string, extra: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { code, ...extra } }] };
}

/** Per-key (and, without a valid key, per-address) request budgets, refilled every minute. */
class RateLimits {
  private readonly keyed?: RateLimiterMemory;
  private readonly anonymous?: RateLimiterMemory;

  constructor(private readonly config: ServerConfig) {
    if (config.rateLimitPerMinute > 0) this.keyed = new RateLimiterMemory({ points: config.rateLimitPerMinute, duration: 60 });
    if (config.anonymousRateLimitPerMinute > 0) {
      this.anonymous = new RateLimiterMemory({ points: config.anonymousRateLimitPerMinute, duration: 60 });
    }
  }

  /** Undefined when allowed; otherwise the refusal to send. */
  async check(keyId: string | undefined, address: string) {
    const limiter = keyId ? this.keyed : this.anonymous;
    if (!limiter) return undefined;
    const limit = keyId ? this.config.rateLimitPerMinute : this.config.anonymousRateLimitPerMinute;
    try {
      await limiter.consume(keyId ? `key:${keyId}` : `ip:${address}`);
      return undefined;
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const retryAfter = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      const who = keyId ? 'this API key' : 'requests without a valid API key from this address';
      return {
        retryAfter,
        limit,
        body: graphqlErrorBody(`Rate limit exceeded: ${limit} requests per minute for ${who}; retry in ${retryAfter} s`, 'RATE_LIMITED', {
          retryAfterSeconds: retryAfter,
          limitPerMinute: limit,
        }),
      };
    }
  }
}

/** Operation name for the log: only a plain GraphQL name, never free text from the body. */
function operationName(body: unknown): string | undefined {
  const name = (body as { operationName?: unknown } | undefined)?.operationName;
  return typeof name === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(name) ? name : undefined;
}

export async function startServer(database: Database, config: ServerConfig, logger?: Logger): Promise<RunningServer> {
  const log = logger ?? createLogger(config.logLevel);
  const heavyReadsRef: { current?: HeavyReads } = {};
  const authCache = new AuthCache(config.authCacheSeconds);
  const apollo = createApollo(config, log, {
    onWrite: () => heavyReadsRef.current?.invalidate(),
    onMutation: () => authCache.clear(),
  });
  await apollo.start();
  const reportLinks = new ReportLinks(config.reportLinkSecret, log);
  const background = new BackgroundTasks(log);
  const rateLimits = new RateLimits(config);
  const heavyReads = new HeavyReads(config.reports);
  heavyReadsRef.current = heavyReads;
  const linkServing: ReportLinkServing = {
    database,
    links: reportLinks,
    heavyReads,
    logger: log,
    timeoutMs: config.requestTimeoutMs,
    perLinkPerMinute: config.reports.linkPerMinute,
    perAddressPerMinute: config.reports.linkAddressPerMinute,
  };
  const linkLimits = new ReportLinkLimits(linkServing);
  // Links carry PUBLIC_URL, never the request's Host header; outside production, the address this
  // server listens on (known once it listens).
  let origin = config.publicUrl;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz' && req.method === 'GET') {
      try {
        await Promise.race([
          database.ping(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('database ping timed out')), 2_000).unref()),
        ]);
        return sendJson(res, 200, { status: 'ready', database: 'ok' });
      } catch (error) {
        // The cause goes to the log; anonymous callers learn only that the database is not answering.
        log.warn({ err: error }, 'readiness check failed');
        return sendJson(res, 503, { status: 'unavailable', database: 'not answering' });
      }
    }
    if (url.pathname === REPORT_PATH) return handleReportRequest(req, res, url, linkServing, linkLimits);
    if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'Not found: the API is at /graphql' });
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST');
      return sendJson(res, 405, { error: 'Use GET or POST' });
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    if (req.method === 'POST') {
      const text = await readBody(req, config.maxBodyBytes);
      const contentType = headers.get('content-type') ?? '';
      if (contentType.includes('application/json')) {
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          throw new HttpError(400, 'Malformed JSON body');
        }
      } else {
        body = text;
      }
    }

    // The deadline covers the whole request: past it the client is answered REQUEST_TIMEOUT and the
    // request's transactions roll back at their commit (api/context.ts); statement_timeout bounds
    // each SQL statement on PostgreSQL.
    const deadline = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        deadline.abort();
        resolve('timeout');
      }, config.requestTimeoutMs);
    });
    const info = responseCodes.get(res);
    const answerTimeout = (late: Promise<unknown>) => {
      info?.codes.add('REQUEST_TIMEOUT');
      late.catch((error: unknown) => log.warn({ err: error }, 'timed-out request failed afterwards'));
      sendJson(res, 503, graphqlErrorBody(new RequestTimeoutError(config.requestTimeoutMs).message, 'REQUEST_TIMEOUT'));
    };

    try {
      // Authenticate before Apollo so that the rate limit is per key (and per address without one).
      const authentication = authenticateRequest(database, headers.get('authorization'), authCache);
      const viewer = await Promise.race([authentication, timedOut]);
      if (viewer === 'timeout') return answerTimeout(authentication);
      if (info) Object.assign(info, { operation: operationName(body), role: viewer?.role, keyId: viewer?.keyId });
      const refusal = await rateLimits.check(viewer?.keyId, req.socket.remoteAddress ?? 'unknown');
      if (refusal) {
        info?.codes.add('RATE_LIMITED');
        res.setHeader('retry-after', String(refusal.retryAfter));
        res.setHeader('x-ratelimit-limit', String(refusal.limit));
        return sendJson(res, 429, refusal.body);
      }

      const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method, headers, search: url.search, body };
      const execution = apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest,
        context: async () => ({
          ...createContext(database, viewer, deadline.signal),
          reportLinks,
          background,
          heavyReads,
          origin,
        }),
      });
      const response = await Promise.race([execution, timedOut]);
      if (response === 'timeout') return answerTimeout(execution);
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        if (info && response.body.string.includes('"errors"')) {
          for (const match of response.body.string.matchAll(/"code":"([A-Z_]+)"/g)) info.codes.add(match[1]!);
        }
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (classifyDatabaseError(error) !== 'DATABASE_UNAVAILABLE') throw error;
      log.warn({ err: error }, 'database unavailable');
      info?.codes.add('DATABASE_UNAVAILABLE');
      res.setHeader('retry-after', '5');
      return sendJson(res, 503, graphqlErrorBody(DATABASE_MESSAGES.DATABASE_UNAVAILABLE(), 'DATABASE_UNAVAILABLE'));
    } finally {
      clearTimeout(timer);
    }
  };

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && /^[\w.:-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const info: { operation?: string; role?: string; keyId?: string; codes: Set<string> } = { codes: new Set() };
    responseCodes.set(res, info);
    res.on('finish', () => {
      // The request log: no headers, no bodies, no variables; the key's id, never the key itself.
      log.info(
        {
          reqId: requestId,
          method: req.method,
          path: (req.url ?? '').split('?')[0],
          status: res.statusCode,
          ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
          operation: info.operation,
          role: info.role,
          keyId: info.keyId,
          errorCodes: info.codes.size ? [...info.codes] : undefined,
        },
        'request',
      );
    });
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 500) log.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, status, { error: status === 500 ? 'Internal server error' : (error as Error).message });
      else res.end();
    });
  });
  // Node's request and headers timeouts, honoured: Node checks them only every
  // connectionsCheckingInterval (30 s unless set; read when the server starts listening), so a
  // socket that sent half its headers stayed open up to 30 s past the limit. The interval follows
  // the shortest limit (at most 1 s). Node refuses a headers timeout above the request timeout.
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = config.requestTimeoutMs > 0 ? Math.min(config.headersTimeoutMs, config.requestTimeoutMs) : config.headersTimeoutMs;
  const httpLimits = [server.requestTimeout, server.headersTimeout].filter((ms) => ms > 0);
  if (httpLimits.length > 0) {
    (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(10, Math.min(1_000, Math.floor(Math.min(...httpLimits) / 4)));
  }
  // A connection that never sends a byte is not in Node's check: it gets the headers timeout too.
  if (server.headersTimeout > 0) {
    server.on('connection', (socket) => {
      const silent = setTimeout(() => socket.bytesRead === 0 && socket.destroy(), server.headersTimeout);
      silent.unref();
      socket.once('close', () => clearTimeout(silent));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/graphql`;
  if (!origin && !config.production) {
    const local = ['0.0.0.0', '::'].includes(address.address) ? 'localhost' : host;
    origin = `http://${local}:${address.port}`;
  }
  if (!config.publicUrl && config.production) {
    log.warn('PUBLIC_URL is not set: createReportLink refuses to make links until it is (links never take their origin from a request)');
  } else if (!config.publicUrl) {
    log.info(`PUBLIC_URL is not set: report links point at ${origin}; set PUBLIC_URL to the origin people open`);
  }

  return {
    server,
    url,
    logger: log,
    async stop() {
      await new Promise<void>((resolve) => {
        // Connections busy now turn idle when their response ends: they are closed then, not
        // after the keep-alive timeout.
        const sweep = setInterval(() => server.closeIdleConnections(), 100).unref();
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      });
      await apollo.stop();
      // Re-score runs stop after their current batch and resume at the next start.
      await background.stop();
    },
  };
}
