import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { sql } from 'drizzle-orm';
import { users, userWorkingHours } from '../../db/schema/index';

// The command-line tools, run as a user runs them, against an embedded database on disk.
const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sla-cli-'));
const env = { ...process.env, DATA_DIR: join(dir, 'data'), DATABASE_URL: '', LOG_LEVEL: 'silent' };
const cli = (script: string, ...args: string[]) =>
  run(join(root, 'node_modules/.bin/tsx'), [join(root, 'bin', script), ...args], { cwd: root, env }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('command line', () => {
  it('creates, lists and revokes API keys, with clear refusals', async () => {
    const database = openDatabase({ dataDir: env.DATA_DIR });
    await database.migrate();
    await database.db.insert(users).values({ email: 'rep@example.com', name: 'Rita Rep', team: 'sales', role: 'sales' });
    await database.close();

    const created = await cli('keys.ts', 'create', '--user', 'rep@example.com', '--name', 'laptop');
    expect(created.code).toBe(0);
    const key = /^(sla_\S+)$/m.exec(created.out)?.[1];
    expect(key).toBeDefined();
    const listed = await cli('keys.ts', 'list');
    expect(listed.out).toContain('laptop');
    expect(listed.out).not.toContain(key!);

    const unknown = await cli('keys.ts', 'create', '--user', 'nobody@example.com');
    expect(unknown).toMatchObject({ code: 1, err: 'keys: User nobody@example.com was not found\n' });
    const revoked = await cli('keys.ts', 'revoke', key!.slice(0, 10));
    expect(revoked.out).toBe('Revoked 1 key.\n');
    expect((await cli('keys.ts', 'revoke', key!.slice(0, 10))).code).toBe(1);
  });

  it('manages people and teams with the same checks as GraphQL', async () => {
    expect((await cli('users.ts', 'team', 'create', 'Field Sales')).code).toBe(0);
    const created = await cli('users.ts', 'create', '--email', 'Fay@Example.com', '--name', 'Fay Field', '--role', 'sales', '--team', 'Field Sales', '--capacity', '8', '--hours', 'Mon-Fri 08:30-16:30; Sat 09:00-12:00', '--time-zone', 'Europe/Madrid');
    expect(created).toMatchObject({ code: 0, out: 'Created sales Fay Field <fay@example.com>. Give them a key: npm run keys -- create --user fay@example.com\n' });
    const twice = await cli('users.ts', 'create', '--email', 'fay@example.com', '--name', 'Fay Again', '--role', 'sales');
    expect(twice).toMatchObject({ code: 1, err: 'users: input.email: a user with e-mail fay@example.com exists already\n' });
    const badHours = await cli('users.ts', 'update', 'fay@example.com', '--hours', 'Mon 17:00-09:00');
    expect(badHours).toMatchObject({ code: 1, err: 'users: input.workingHours[0].end: ends (09:00) before it starts (17:00)\n' });
    expect((await cli('users.ts', 'update', 'fay@example.com', '--hours', 'Funday 9-17')).err).toBe('users: hours: "Funday" is not a weekday in "Funday 9-17" (Mon, Tue, … Sun)\n');
    const noTeam = await cli('users.ts', 'update', 'fay@example.com', '--team', 'Nowhere');
    expect(noTeam).toMatchObject({ code: 1, err: 'users: team: no sales team "Nowhere" (npm run users -- team create "Nowhere")\n' });
    const listed = await cli('users.ts', 'list');
    expect(listed.out).toMatch(/fay@example\.com.*Fay Field.*sales.*Field Sales.*true.*8/);
    const database = openDatabase({ dataDir: env.DATA_DIR });
    try {
      const [fay] = await database.db.select().from(users).where(sql`${users.email} = 'fay@example.com'`);
      const hours = await database.db.select().from(userWorkingHours).where(sql`${userWorkingHours.userId} = ${fay!.id}`);
      expect(hours).toHaveLength(6);
      expect(fay).toMatchObject({ routingCapacity: 8, timeZone: 'Europe/Madrid' });
    } finally {
      await database.close();
    }
    const left = await cli('users.ts', 'deactivate', 'fay@example.com', '--to', 'routing');
    expect(left).toMatchObject({ code: 0, out: 'Deactivated fay@example.com: 0 keys revoked, 0 open leads reassigned, 0 sent back to Marketing, 0 other leads released.\n' });
    expect(await cli('users.ts', 'deactivate', 'fay@example.com')).toMatchObject({ code: 1, err: 'users: fay@example.com is already inactive\n' });
  });

  it('imports leads from CSV and runs one scheduler pass', async () => {
    const file = join(dir, 'leads.csv');
    writeFileSync(file, 'email,first_name,source\nann@acme.test,Ann,events\nbad,Bob,events\n');
    const imported = await cli('import.ts', 'leads', file);
    expect(imported.out).toContain('2 rows: 1 created, 0 updated, 1 refused');
    expect(imported.out).toContain('line 3, email: not an e-mail address');
    const missing = await cli('import.ts', 'leads', join(dir, 'nope.csv'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^import: ENOENT/);
    const tick = await cli('sla-tick.ts', '--at', '2026-03-09T16:00:00Z');
    expect(tick.out).toBe('0 SLA breaches recorded, 0 nurture steps emitted, 0 held hand-offs released, 0 absences handed over (as of 2026-03-09T16:00:00.000Z)\n');
  });
});
