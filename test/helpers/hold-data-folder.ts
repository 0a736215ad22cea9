// Holds a PGlite data folder open, as a second process would (test/db/data-folder-lock.test.ts):
// prints "HOLDING DATA FOLDER" once open; on SIGTERM marks the folder as being let go of, waits
// HOLD_STOP_MS, closes the database and exits.
import { openDatabase } from '../../db/client';
import { markDataFoldersStopping } from '../../db/data-folder-lock';

const database = openDatabase({ dataDir: process.argv[2] });
await database.ping();
// The handler first: a signal that came between the line and the handler would kill the process.
process.on('SIGTERM', () => {
  markDataFoldersStopping();
  setTimeout(() => {
    void database.close().then(() => process.exit(0));
  }, Number(process.env.HOLD_STOP_MS ?? 0));
});
process.stdout.write('HOLDING DATA FOLDER\n');
setInterval(() => {}, 60_000);
