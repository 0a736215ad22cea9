// The second baseline of the leads-page benchmark: PostGraphile 4 on the same tables, with its
// production settings (no GraphiQL, no query log, the pool size the API has), behind Node's http
// server. PostGraphile builds one SQL statement per request with nested json, the design the
// issue asks the product to match.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as graphile from 'postgraphile';

// PostGraphile 4 is CommonJS: under Node's ESM its named exports sit on the default export.
const { makeJSONPgSmartTagsPlugin, postgraphile } = (graphile as unknown as { default?: typeof graphile }).default ?? graphile;

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
// The connection string gives PostGraphile its own pg pool of 10, the API's pool size.
const handler = postgraphile(url, 'public', {
  graphiql: false,
  disableQueryLog: true,
  disableDefaultMutations: true,
  retryOnInitFail: false,
  setofFunctionsContainNulls: false,
  ignoreRBAC: false,
  dynamicJson: true,
  extendedErrors: [],
  // Tables whose singular GraphQL name is taken by one of the enums (fit_grades → FitGrade, sla_clocks → SlaClock).
  appendPlugins: [makeJSONPgSmartTagsPlugin({ version: 1, config: { class: { fit_grades: { tags: { name: 'fit_grade_threshold' } }, sla_clocks: { tags: { name: 'sla_clock_row' } } } } })],
});

const server = createServer(handler);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
