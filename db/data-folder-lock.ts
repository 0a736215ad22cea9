import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import { hostname } from 'node:os';

// PGlite is PostgreSQL in this process: two processes on one data folder write the same files
// without knowing of each other, and the folder is corrupted. So the process that opens a folder
// holds a lock file in it (created atomically, holding its pid) until it closes the database or
// exits. A lock left by a process that died (kill -9, a crash, a power cut) is taken over: its
// pid no longer runs, or runs a different process (start time on Linux).

export const LOCK_FILE = 'sla-platform.lock';

interface LockInfo {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), on Linux. */
  startTicks?: string;
  hostname: string;
  /** What holds it: "the server (npm start)", "npm run report"… */
  command: string;
  since: string;
  token: string;
  /** Set when the holder began to stop (markDataFoldersStopping): an opener waits for it to finish. */
  stopping?: boolean;
  /** When the file was last touched (the holder touches it every HEARTBEAT_MS); not stored in it. */
  touchedMs?: number;
}

/** How often a holder touches its lock file, and when a lock of another machine counts as left over. */
const HEARTBEAT_MS = 10_000;
const OTHER_HOST_STALE_MS = 120_000;

/** Raised when another process (or this one) has the data folder open. */
export class DataFolderInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
    readonly lockFile: string,
  ) {
    const shown = relative(process.cwd(), dataDir);
    const where = !shown ? '.' : shown.startsWith('..') || isAbsolute(shown) ? dataDir : `./${shown}`;
    const self = holder.pid === process.pid && holder.hostname === hostname();
    const who = self
      ? 'this process, which has it open already'
      : `another process: ${holder.command}, pid ${holder.pid}${holder.hostname !== hostname() ? ` on ${holder.hostname}` : ''}, started ${holder.since}`;
    const server = /server/.test(holder.command);
    const proceed = self
      ? 'close it before opening it again'
      : server
      ? 'stop the server first, or run this against the running server over GraphQL (npm run gql), or use PostgreSQL (DATABASE_URL), where the command-line tools run beside the server'
      : 'wait for it to finish (or stop it) and try again, or use PostgreSQL (DATABASE_URL), where several processes may work at once';
    super(
      `The data folder ${where} (DATA_DIR) is in use by ${who}. The embedded database (PGlite) can be open in one process at a time: ` +
        `${proceed}. If you are sure no process uses the folder, delete ${lockFile}.`,
    );
    this.name = 'DataFolderInUseError';
  }
}

/** Folders this process holds, with the token written in their lock file. */
const held = new Map<string, string>();
let exitHookInstalled = false;

function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** A short name for what this process is, for the message another process shows. */
function describeSelf(): string {
  const file = basename(process.argv[1] ?? '');
  const script = file.replace(/\.[cm]?[jt]s$/, '');
  if (script === 'server') return 'the server (npm start)';
  const scripts: Record<string, string> = { report: 'report', seed: 'seed', import: 'import', rescore: 'rescore', keys: 'keys', users: 'users', 'sla-tick': 'sla:tick' };
  return scripts[script] ? `npm run ${scripts[script]}` : `node ${file}`.trim();
}

function isAlive(info: LockInfo): boolean {
  if (info.pid === 0) return true; // being written (see readLock)
  if (!Number.isInteger(info.pid) || info.pid < 0) return false;
  // Another machine's process (or this container before it was recreated under a new hostname):
  // its pid means nothing here, so it runs as long as it keeps touching the lock file.
  if (info.hostname !== hostname()) return info.touchedMs === undefined || Date.now() - info.touchedMs < OTHER_HOST_STALE_MS;
  if (info.pid === process.pid) {
    // Our own pid but not a lock we hold: a previous process with the same pid (a container restart).
    return [...held.values()].includes(info.token);
  }
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it runs, under another user.
  }
  if (info.startTicks) {
    const now = startTicks(info.pid);
    if (now !== undefined && now !== info.startTicks) return false; // the pid was reused
  }
  return true;
}

function readLock(file: string): LockInfo | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    if (typeof parsed?.pid !== 'number') throw new SyntaxError('not a lock');
    try {
      parsed.touchedMs = statSync(file).mtimeMs;
    } catch {
      // removed meanwhile: judged by its content
    }
    return parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Not (yet) a whole lock: one being written (file systems without hard links) counts as held
    // for a few seconds; an older one is left over and is taken over.
    let modified = 0;
    try {
      modified = statSync(file).mtimeMs;
    } catch {
      return undefined;
    }
    const fresh = Date.now() - modified < 10_000;
    return { pid: fresh ? 0 : -1, hostname: hostname(), command: 'a process that is starting', since: new Date(modified).toISOString(), token: '' };
  }
}

/** Creates `file` with `content` only if it does not exist (atomically: nobody sees it half written). */
function createExclusive(file: string, content: string): boolean {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, content, { mode: 0o644 });
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    // A file system without hard links: exclusive create, then write.
    try {
      writeFileSync(file, content, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
}

/**
 * Locks `dir` (an absolute path that exists) for this process, or throws DataFolderInUseError.
 * Returns the release function; the lock is also released when the process exits.
 */
export function lockDataFolder(folder: string): () => void {
  // One folder, however it is spelled (symbolic links included).
  const dir = realpathSync(folder);
  const file = join(dir, LOCK_FILE);
  const heldToken = held.get(dir);
  if (heldToken) throw new DataFolderInUseError(dir, readLock(file) ?? { pid: process.pid, hostname: hostname(), command: describeSelf(), since: 'now', token: heldToken }, file);
  const token = randomBytes(12).toString('hex');
  const info: LockInfo = { pid: process.pid, startTicks: startTicks(process.pid), hostname: hostname(), command: describeSelf(), since: new Date().toISOString(), token };
  const content = `${JSON.stringify(info, null, 2)}\n`;
  const waitUntil = Date.now() + STOPPING_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    if (createExclusive(file, content)) break;
    const holder = readLock(file);
    if (!holder) continue; // released meanwhile: try again
    if (isAlive(holder) && holder.stopping && Date.now() < waitUntil) {
      // The server is stopping (e.g. `kill %1 && wait` returned as npm exited, before the server
      // had): wait for it to let go, a few seconds at most.
      sleep(100);
      attempt--;
      continue;
    }
    if (isAlive(holder) || attempt >= 3) throw new DataFolderInUseError(dir, holder, file);
    // Stale: move it aside (atomic), check that it was the stale one and not a lock just taken
    // by another process that also found it stale, then try again.
    const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const moved = readLock(aside);
    if (moved && moved.token !== holder.token && isAlive(moved)) {
      // We moved a live lock: put it back unless someone took the folder meanwhile.
      try {
        linkSync(aside, file);
      } catch {
        // the folder was taken again meanwhile; that holder wins
      }
      unlinkSync(aside);
      throw new DataFolderInUseError(dir, moved, file);
    }
    unlinkSync(aside);
  }
  held.set(dir, token);
  // The heartbeat tells other machines sharing the folder (and a recreated container) that the
  // holder still runs; a lock nobody touches for OTHER_HOST_STALE_MS is left over.
  const heartbeat = setInterval(() => {
    if (held.get(dir) !== token) return clearInterval(heartbeat);
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // gone: nothing to keep fresh
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // process.exit() and the end of the event loop run this; kill -9 does not (the next opener takes the lock over).
    process.on('exit', () => {
      for (const [folder, mine] of held) releaseIfOurs(join(folder, LOCK_FILE), mine);
      held.clear();
    });
  }
  return () => {
    clearInterval(heartbeat);
    if (held.get(dir) !== token) return;
    held.delete(dir);
    releaseIfOurs(file, token);
  };
}

/**
 * Marks the folders this process holds as being let go of: a process that opens one meanwhile
 * waits (up to STOPPING_WAIT_MS) instead of being refused. The server calls it when it stops.
 */
export function markDataFoldersStopping(): void {
  for (const [dir, token] of held) {
    const file = join(dir, LOCK_FILE);
    try {
      const current = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
      if (current.token !== token) continue;
      const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(temp, `${JSON.stringify({ ...current, stopping: true }, null, 2)}\n`, { mode: 0o644 });
      renameSync(temp, file);
    } catch {
      // not marked: an opener is refused as before
    }
  }
}

/** How long an opener waits for a holder that is stopping: its shutdown deadline and then some. */
const STOPPING_WAIT_MS = 10_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function releaseIfOurs(file: string, token: string): void {
  try {
    const current = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    if (current.token === token) unlinkSync(file);
  } catch {
    // gone or unreadable: nothing of ours to remove
  }
}
