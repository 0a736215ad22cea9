// The baseline server for the leads-page benchmark: Node's http server, postgres.js with the API's
// pool size, and one hand-written SQL statement per request (bench/queries.ts). No GraphQL, no
// authentication: the floor the API is compared with.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { LEADS_PAGE_SQL, LEADS_PAGE_SQL_BY_SCORE } from './queries';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const sql = postgres(url, { max: Number(process.env.DATABASE_POOL_SIZE ?? 10), onnotice: () => {}, connection: { jit: 'off', application_name: 'sla-bench-baseline' } });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    // POST /leads: newest first; POST /leads?order=score: highest score first.
    sql
      .unsafe(req.url?.includes('order=score') ? LEADS_PAGE_SQL_BY_SCORE : LEADS_PAGE_SQL)
      .then(([row]) => {
        const body = JSON.stringify({ data: { leads: row?.leads ?? [] } });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      })
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (error as Error).message }));
      });
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => void sql.end({ timeout: 2 }).then(() => process.exit(0))));
