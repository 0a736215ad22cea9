import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../helpers/db';
import { startTestServer, type TestServer } from '../helpers/server';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose().catch(() => {});
});

describe('health endpoints', () => {
  it('serves the playground to a browser in development', async () => {
    const response = await fetch(`${server.base}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/Apollo/i);
  });

  it('refuses a cross-site simple request (CSRF prevention)', async () => {
    const response = await fetch(`${server.base}/graphql?query=%7B__typename%7D`);
    expect(response.status).toBe(400);
  });

  it('answers 404 with a pointer elsewhere', async () => {
    const response = await fetch(`${server.base}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'Not found: the API is at /graphql' });
  });

  it('is alive and ready, and not ready once the database is gone', async () => {
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok' });

    await database.close();
    const down = await fetch(`${server.base}/readyz`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { status: string }).status).toBe('unavailable');
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
  });
});
