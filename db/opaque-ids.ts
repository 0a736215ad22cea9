import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual, type Cipher, type Decipher } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database, DbOrTx } from './client';
import { installationKeys } from './schema/installation';

// Sequential row ids (bigint identities) are never shown as numbers: they would let a caller count
// records company-wide (another rep's activities between two of its own, say). The API shows them
// sealed instead: AES-256 on one 16-byte block holding the id (8 bytes, big-endian) and a tag of
// the kind of record (8 bytes of an HMAC of its name), hex-encoded. The same id of the same kind
// always seals to the same 32 characters (ids stay stable, cursors stay comparable); a sealed id
// of one kind does not open as another; a changed character opens to garbage whose tag does not
// match (a 2^-64 chance otherwise), and is answered like a missing record.
//
// The key is one per installation: 32 random bytes in `installation_keys`, made by the first
// process that needs it (insert … on conflict do nothing, then read it back), so every server
// instance on the database and every restart seal alike. It is read once per opened database
// (at migration, or at the first request) and kept with it.

const KEY_NAME = 'global_ids';
const HEX_ID = /^[0-9a-f]{32}$/;

export class IdSealer {
  private readonly cipher: Cipher;
  private readonly decipher: Decipher;
  private readonly macKey: Buffer;
  private readonly tags = new Map<string, Buffer>();

  constructor(secret: Buffer) {
    if (secret.length !== 32) throw new Error('the global id key must be 32 bytes');
    const derive = (purpose: string) => createHmac('sha256', secret).update(purpose).digest();
    // ECB on exactly one block, without padding: each update() turns one block into one block,
    // so one cipher object serves every call (Node runs them one at a time).
    this.cipher = createCipheriv('aes-256-ecb', derive('sla-platform global ids: cipher'), null).setAutoPadding(false);
    this.decipher = createDecipheriv('aes-256-ecb', derive('sla-platform global ids: cipher'), null).setAutoPadding(false);
    this.macKey = derive('sla-platform global ids: kind tag');
  }

  private tag(kind: string): Buffer {
    let tag = this.tags.get(kind);
    if (!tag) this.tags.set(kind, (tag = createHmac('sha256', this.macKey).update(kind).digest().subarray(0, 8)));
    return tag;
  }

  /** The id of a `kind` record (a GraphQL type name, or a cursor's purpose) as 32 hex characters. */
  seal(kind: string, id: number | bigint | string): string {
    const value = BigInt(id);
    if (value <= 0n || value >= 2n ** 63n) throw new RangeError(`${kind} id ${String(id)} cannot be sealed`);
    const block = Buffer.alloc(16);
    block.writeBigUInt64BE(value, 0);
    this.tag(kind).copy(block, 8);
    return this.cipher.update(block).toString('hex');
  }

  /** The row id a sealed id of `kind` stands for, or null when it is not one (tampered, of another kind, a plain number). */
  open(kind: string, sealed: string): number | null {
    if (typeof sealed !== 'string' || !HEX_ID.test(sealed)) return null;
    const block = this.decipher.update(Buffer.from(sealed, 'hex'));
    if (block.length !== 16 || !timingSafeEqual(block.subarray(8), this.tag(kind))) return null;
    const value = block.readBigUInt64BE(0);
    return value > 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
  }
}

/** Reads the installation's key, making it first when there is none yet (safe when instances race). */
export async function loadIdSealer(db: DbOrTx): Promise<IdSealer> {
  await db
    .insert(installationKeys)
    .values({ name: KEY_NAME, secret: randomBytes(32).toString('hex') })
    .onConflictDoNothing({ target: installationKeys.name });
  const [row] = await db.select({ secret: installationKeys.secret }).from(installationKeys).where(eq(installationKeys.name, KEY_NAME));
  if (!row) throw new Error(`installation key ${KEY_NAME} is missing right after it was written`);
  return new IdSealer(Buffer.from(row.secret, 'hex'));
}

const loaded = new WeakMap<Database, IdSealer>();
const loading = new WeakMap<Database, Promise<IdSealer>>();

/** The database's sealer, read from it once (later calls answer from memory). */
export function prepareIdSealer(database: Database): Promise<IdSealer> {
  const ready = loaded.get(database);
  if (ready) return Promise.resolve(ready);
  let pending = loading.get(database);
  if (!pending) {
    pending = loadIdSealer(database.db).then(
      (sealer) => {
        loaded.set(database, sealer);
        return sealer;
      },
      (error: unknown) => {
        loading.delete(database); // try again next time (the database may have been unavailable)
        throw error;
      },
    );
    loading.set(database, pending);
  }
  return pending;
}

/** The database's sealer; prepareIdSealer (run by migrate() and by every request) must have run. */
export function idSealerOf(database: Database): IdSealer {
  const sealer = loaded.get(database);
  if (!sealer) throw new Error('the global id key is not loaded: call prepareIdSealer(database) (database.migrate() does) first');
  return sealer;
}

