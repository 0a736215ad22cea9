// Patches postgres.js 3.4.9 (the `postgres` package) in node_modules; run by `npm install`/`npm ci`
// (package.json "postinstall"). Idempotent. Drop it once upstream ships a fix.
//
// The defect (porsager/postgres#1066, #1154, #1208; unmerged fixes #1155, #1168, #1209): when a
// connection holding a transaction (sql.begin, so every Drizzle transaction) or a reserved
// connection closes, e.g. on a PostgreSQL restart, the next statement sent on it (the ROLLBACK
// that begin() sends itself included) is queued for a socket that is now null. The write then
// throws from a setImmediate callback, an uncaught exception that kills the process. Had the
// exception been caught, the connection would be poisoned anyway: its write timer is left set,
// so after reconnecting it never sends another byte (CONNECT_TIMEOUT until the process restarts).
// test/pg/faults.test.ts shows both against a real PostgreSQL.
//
// The patch: a statement for a closed connection is rejected with CONNECTION_CLOSED instead of
// being written; the write buffer and timer are reset whenever the socket goes away; a released
// reserved connection that closed is not handed to the pool as open; and a transaction whose
// connection closed refuses further statements, so none of them can run, outside any
// transaction, on the connection once the pool has reconnected it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '3.4.9';
const MARK = 'sla-platform patch';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres');

const patches = {
  'connection.js': [
    [
      `    if (terminated)
      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))
`,
      `    if (terminated)
      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))

    if (!socket) // ${MARK}: the connection closed under a transaction or reserved connection
      return (queryError(q, Errors.connection('CONNECTION_CLOSED', options)), true)
`,
    ],
    [
      `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
      `  function nextWrite(fn) {
    if (!socket) { // ${MARK}: never write to a socket that is gone
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`,
    ],
    [
      `    clearImmediate(nextWriteTimer)
    if (socket) {`,
      `    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null // ${MARK}
    if (socket) {`,
    ],
    [
      `    clearImmediate(nextWriteTimer)
    socket.removeListener('data', data)`,
      `    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null // ${MARK}
    socket.removeListener('data', data)`,
    ],
  ],
  'index.js': [
    [
      `      , prepare = null

    try {
      await sql.unsafe('begin '`,
      `      , prepare = null
      , gone = false // ${MARK}: the transaction's connection closed

    try {
      await sql.unsafe('begin '`,
    ],
    [
      `    sql.release = () => {
      c.reserved = null
      onopen(c)
    }`,
      `    sql.release = () => {
      c.reserved = null
      c.queue === closed || c.queue === connecting || onopen(c) // ${MARK}: a closed connection is not open
    }`,
    ],
    [
      `new Promise((_, reject) => connection.onclose = reject)`,
      `new Promise((_, reject) => connection.onclose = e => (gone = true, reject(e)))`,
    ],
    [
      `      function handler(q) {
        q.catch(e => uncaughtError || (uncaughtError = e))
        c.queue === full`,
      `      function handler(q) {
        q.catch(e => uncaughtError || (uncaughtError = e))
        if (gone) // ${MARK}
          return q.reject(Errors.connection('CONNECTION_CLOSED', options))
        c.queue === full`,
    ],
  ],
};

if (!existsSync(join(root, 'package.json'))) process.exit(0);
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (version !== VERSION) {
  console.warn(
    `patches/postgres-js.mjs: postgres ${version} installed, the patch is for ${VERSION}; not applied. ` +
      'Check porsager/postgres#1208 and run test/pg/faults.test.ts: drop the patch if upstream fixed it, else port it.',
  );
  process.exit(0);
}

let changed = 0;
for (const build of ['src', 'cjs/src', 'cf/src']) {
  for (const [file, replacements] of Object.entries(patches)) {
    const path = join(root, build, file);
    if (!existsSync(path)) continue;
    let text = readFileSync(path, 'utf8');
    if (text.includes(MARK)) continue;
    for (const [from, to] of replacements) {
      if (text.split(from).length !== 2) {
        console.error(`patches/postgres-js.mjs: unexpected source in ${path}; not patched`);
        process.exit(1);
      }
      text = text.replace(from, () => to);
    }
    writeFileSync(path, text);
    changed += 1;
  }
}
if (changed) console.log(`patches/postgres-js.mjs: patched ${changed} files of postgres ${VERSION}`);
