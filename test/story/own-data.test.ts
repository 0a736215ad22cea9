import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, rows } from '../../db/client';

// The README's "Your own data", run literally: every ```sh block of the section, in order, in one
// bash session from the project folder, on an empty database (embedded PGlite, or a fresh
// PostgreSQL database when TEST_DATABASE_URL is set). Then the database is checked: the people, the
// agreement in force, the leads governed by it, hand-offs routed to the team's reps (one held and
// released), a rep's queue and the report file.

const root = new URL('../..', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`## ${title}\n`);
  expect(start, `README has a "${title}" section`).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end === -1 ? undefined : end);
}

const blocks = [...section('Your own data').matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'sla-own-data-'));
let pgName: string | null = null;
let child: ReturnType<typeof spawn> | null = null;

afterAll(async () => {
  // The script's process group, and the server (a job of its own under set -m), by the pid it logs.
  const logged = existsSync(join(root, 'server.log')) ? /"pid":(\d+)/.exec(readFileSync(join(root, 'server.log'), 'utf8'))?.[1] : undefined;
  const isServer = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('bin/server.ts');
    } catch {
      return false;
    }
  };
  for (const pid of [child?.pid && -child.pid, logged && isServer(Number(logged)) && Number(logged)]) {
    if (!pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  for (const stray of ['server.log', 'reports-own']) rmSync(join(root, stray), { recursive: true, force: true });
  if (pgName && process.env.TEST_DATABASE_URL) {
    const admin = postgres(process.env.TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
    await admin.end({ timeout: 5 });
  }
});

describe('README: your own data', () => {
  it('has the steps as shell blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it('takes a new company from an empty start to reps working their own queues, literally', async () => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'info', SCHEDULER_INTERVAL_MS: '0' };
    delete env.ADMIN_API_KEY;
    delete env.DATABASE_URL;
    delete env.SLA_API_KEY;
    env.NODE_ENV = 'development';
    if (process.env.TEST_DATABASE_URL) {
      pgName = `sla_story_${randomBytes(4).toString('hex')}`;
      const admin = postgres(process.env.TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${pgName}`);
      await admin.end({ timeout: 5 });
      const url = new URL(process.env.TEST_DATABASE_URL);
      url.pathname = `/${pgName}`;
      env.DATABASE_URL = url.toString();
    }
    // Job control on (set -m), as in the terminal the README is written for: `kill %1` then signals
    // the whole job (npm, tsx and the server), not npm alone, which would leave the server running
    // on the data folder (the report is then refused: the folder is locked, db/data-folder-lock.ts).
    const script = ['set -euo pipefail -m', ...blocks].join('\n');
    child = spawn('bash', ['-c', script], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child!.on('exit', resolve));
    const serverLog = existsSync(join(root, 'server.log')) ? readFileSync(join(root, 'server.log'), 'utf8') : '';
    expect(code, `exit ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}\n--- server.log\n${serverLog.slice(-4000)}`).toBe(0);

    // What the steps printed: the activation, the released hand-off, the rep's queue.
    expect(stdout).toContain('"name": "Acme SLA"');
    expect(stdout).toContain('"status": "ACTIVE"');
    expect(stdout).toMatch(/"handoffStatus": "ROUTED"/);
    expect(stdout).toContain('"workQueue"');
    expect(readdirSync(join(root, 'reports-own')).some((f) => f.startsWith('monthly-review') && f.endsWith('.html'))).toBe(true);
    // No demo data was made, and the admin key was the one chosen (nothing printed).
    expect(serverLog).not.toContain('seeding demo data');
    expect(serverLog).not.toContain('Admin API key (shown once');

    const database = openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL, maxConnections: 2 } : { dataDir });
    try {
      const db = database.db;
      const people = await rows<{ email: string; role: string; team: string | null; has_key: boolean }>(
        db,
        sql`select u.email, u.role, t.name as team, exists (select 1 from api_keys k where k.user_id = u.id and k.revoked_at is null) as has_key
          from users u left join sales_teams t on t.id = u.sales_team_id order by u.email`,
      );
      expect(people).toEqual([
        { email: 'admin@example.com', role: 'admin', team: null, has_key: true },
        { email: 'ana@acme.example', role: 'sales', team: 'Inside Sales', has_key: true },
        { email: 'ben@acme.example', role: 'sales', team: 'Inside Sales', has_key: false },
        { email: 'mia@acme.example', role: 'marketing', team: null, has_key: true },
      ]);
      const agreements = await rows<{ name: string; status: string }>(db, sql`select name, status from sla_agreements`);
      expect(agreements).toEqual([{ name: 'Acme SLA', status: 'active' }]);
      const leads = await rows<{ email: string; governed: boolean; stage: string; handoff_status: string; owner: string | null }>(
        db,
        sql`select l.email, l.agreement_id = a.id as governed, l.stage, l.handoff_status, u.email as owner
          from leads l cross join sla_agreements a left join users u on u.id = l.owner_id order by l.email`,
      );
      expect(leads.map((l) => l.email)).toEqual(['lena.fischer@nordwind.example', 'sara.lind@fjord.example', 'tom.berg@kontor.example']);
      expect(leads.every((l) => l.governed)).toBe(true);
      // Every MQL is routed to one of the team's reps: Lena by score, Sara by her demo request, Tom after his phone came.
      for (const lead of leads) expect(lead).toMatchObject({ stage: 'mql', handoff_status: 'routed', owner: expect.stringMatching(/^(ana|ben)@acme\.example$/) });
      const tom = await rows<{ trigger: string; held: boolean; released: boolean; missing: string[] }>(
        db,
        sql`select h.trigger, h.held_at is not null as held, h.released_at is not null as released, h.missing_fields as missing
          from handoffs h join leads l on l.id = h.lead_id where l.email = 'tom.berg@kontor.example'`,
      );
      expect(tom).toEqual([{ trigger: 'trial_request', held: true, released: true, missing: ['phone'] }]);
    } finally {
      await database.close();
    }
  }, 600_000);
});
