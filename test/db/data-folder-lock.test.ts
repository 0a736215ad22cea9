import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DataFolderInUseError, openDatabase, type Database } from '../../db/client';
import { LOCK_FILE } from '../../db/data-folder-lock';

// issue 13: two processes on one PGlite data folder corrupt it. The process that opens a folder
// holds a lock file in it until it closes; any other opener is refused at once with a message that
// says who holds it and what to do. A lock left by a dead process is taken over.

const root = fileURLToPath(new URL('../..', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'sla-lock-'));
let count = 0;
const freshDir = () => join(base, `data-${++count}`);
const opened: Database[] = [];
const children: ChildProcess[] = [];

function open(dir: string): Database {
  const database = openDatabase({ dataDir: dir });
  opened.push(database);
  return database;
}

/** A lock file as another process would have left it. */
function writeLock(dir: string, fields: Record<string, unknown>) {
  mkdirSync(dir, { recursive: true });
  const lock = { pid: process.pid, hostname: hostname(), command: 'npm run seed', since: '2026-01-01T00:00:00.000Z', token: 'left-over', ...fields };
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(lock));
}

const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; command: string; token: string };

/** A second process that holds `dir` open (test/helpers/hold-data-folder.ts), once it is open. */
async function holder(dir: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/hold-data-folder.ts'), dir], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('HOLDING DATA FOLDER') && resolve());
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}: ${stderr}`)));
  });
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<number | string | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code, signal) => resolve(code ?? signal))));

afterEach(async () => {
  for (const database of opened.splice(0)) await database.close().catch(() => {});
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(base, { recursive: true, force: true });
});

describe('the PGlite data folder lock', () => {
  it('refuses a second open of the same folder, and lets it go on close', async () => {
    const dir = freshDir();
    const first = open(dir);
    await first.ping();
    expect(lockOf(dir).pid).toBe(process.pid);
    expect(() => openDatabase({ dataDir: dir })).toThrow(DataFolderInUseError);
    expect(() => openDatabase({ dataDir: dir })).toThrow(/The data folder .* \(DATA_DIR\) is in use by this process, which has it open already\. .*: close it before opening it again\./);
    // The same folder by another spelling, or through a symbolic link, is the same folder.
    expect(() => openDatabase({ dataDir: `${dir}/../${dir.split('/').pop()}` })).toThrow(DataFolderInUseError);
    symlinkSync(dir, `${dir}-link`);
    expect(() => openDatabase({ dataDir: `${dir}-link` })).toThrow(DataFolderInUseError);
    await first.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const again = open(dir);
    await again.ping();
    expect(lockOf(dir).pid).toBe(process.pid);
  });

  it('needs no lock in memory', async () => {
    const a = open('memory');
    const b = open('memory');
    await Promise.all([a.ping(), b.ping()]);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const dir = freshDir();
    writeLock(dir, { pid: dead });
    const database = open(dir);
    await database.ping();
    expect(lockOf(dir)).toMatchObject({ pid: process.pid });
    expect(lockOf(dir).token).not.toBe('left-over');
  });

  it('treats a lock file that is not one as being written for a few seconds, then as left over', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, LOCK_FILE), '{"half":');
    expect(() => openDatabase({ dataDir: dir })).toThrow(/in use by another process: a process that is starting/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, LOCK_FILE), old, old);
    await open(dir).ping();
    expect(lockOf(dir).pid).toBe(process.pid);
  });

  it('takes over a lock with its own pid (a restarted container) or a reused pid', async () => {
    const own = freshDir();
    writeLock(own, { pid: process.pid });
    await open(own).ping();
    expect(lockOf(own).token).not.toBe('left-over');

    if (existsSync('/proc/self/stat')) {
      // The parent process runs, but it is not the process that wrote the lock (another start time).
      const reused = freshDir();
      writeLock(reused, { pid: process.ppid, startTicks: '1' });
      await open(reused).ping();
      expect(lockOf(reused).pid).toBe(process.pid);
    }
  });

  it('refuses a lock another machine keeps touching, and takes over one it stopped touching (a container recreated under a new name)', async () => {
    const dir = freshDir();
    writeLock(dir, { hostname: 'elsewhere.example', pid: 4242 });
    expect(() => openDatabase({ dataDir: dir })).toThrow(/in use by another process: npm run seed, pid 4242 on elsewhere\.example/);
    expect(lockOf(dir).token).toBe('left-over');
    // Untouched for three minutes (the holder touches it every 10 s): its process is gone.
    const past = new Date(Date.now() - 180_000);
    utimesSync(join(dir, LOCK_FILE), past, past);
    await open(dir).ping();
    expect(lockOf(dir).pid).toBe(process.pid);
  });

  it('refuses a folder another process has open, naming it and saying what to do', async () => {
    const dir = freshDir();
    const child = await holder(dir);
    let refusal: unknown;
    try {
      openDatabase({ dataDir: dir });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataFolderInUseError);
    const message = (refusal as Error).message;
    expect(message).toContain(`is in use by another process: node hold-data-folder.ts, pid ${child.pid}, started `);
    expect(message).toContain('wait for it to finish (or stop it) and try again, or use PostgreSQL (DATABASE_URL)');
    expect(message).toContain(join(dir, LOCK_FILE));

    // A command-line tool on the same folder: the message, no stack, exit 1, and the folder untouched.
    const env = { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv;
    delete env.DATABASE_URL;
    const keys = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bin/keys.ts'), 'list'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(keys.status).toBe(1);
    expect(keys.stderr).toMatch(new RegExp(`^keys: The data folder .* is in use by another process: node hold-data-folder\\.ts, pid ${child.pid}`));
    expect(keys.stderr).not.toMatch(/\n\s+at /);
    expect(lockOf(dir).pid).toBe(child.pid);

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    await open(dir).ping();
  });

  it('waits for a holder that is stopping instead of refusing it', async () => {
    const dir = freshDir();
    const child = await holder(dir, { HOLD_STOP_MS: '1500' });
    const exit = exited(child);
    child.kill('SIGTERM');
    // The holder marks the lock as stopping at once; give the signal a moment to arrive.
    for (let i = 0; i < 100 && !(lockOf(dir) as { stopping?: boolean }).stopping; i++) await new Promise((r) => setTimeout(r, 50));
    const database = open(dir); // waits (synchronously) for the holder to let go
    await database.ping();
    expect(lockOf(dir).pid).toBe(process.pid);
    expect(await exit).toBe(0);
  });
});
