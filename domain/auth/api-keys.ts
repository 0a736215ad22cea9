import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/client';
import { apiKeys, users, type UserRole } from '../../db/schema/index';
import { ConflictError, NotFoundError, ValidationError } from '../errors';

/** Who is calling, as established from a valid API key. */
export interface Principal {
  userId: string;
  role: UserRole;
  keyId: string;
  /** When the key stops working (null: never). */
  expiresAt?: Date | null;
}

const KEY_PREFIX = 'sla_';

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

// Keys are 256 random bits, so a fast hash is safe here (no password stretching needed).
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * What is stored and listed of a key to recognise it (`keys list`, `ApiKey.prefix`) and to revoke
 * it by (`keys revoke <prefix>`). It never gives away a meaningful part of a secret:
 * - a key this platform generated (`sla_` + 43 random characters, 256 bits): `sla_` and its next
 *   6 characters (36 bits; 220 stay secret);
 * - a key an operator chose (ADMIN_API_KEY, of any length and randomness): a random label,
 *   `cfg_` + 10 hex characters, that says nothing about the key (a slice of it, or of its hash,
 *   would shorten the guessing of a weak key).
 */
export function keyLabel(key: string, preset: boolean): string {
  if (!preset) return key.slice(0, KEY_PREFIX.length + 6);
  return presetKeyLabel();
}

const PRESET_LABEL = 'cfg_';
const presetKeyLabel = () => PRESET_LABEL + randomBytes(5).toString('hex');

/** The shortest ADMIN_API_KEY accepted anywhere, and in production. */
export const MIN_KEY_LENGTH = 20;
export const MIN_PRODUCTION_ADMIN_KEY_LENGTH = 24;

/**
 * Why a configured ADMIN_API_KEY is not good enough: an error (refused: the server does not
 * start) or a warning (logged loudly), or undefined when it is fine.
 */
export function adminKeyProblem(key: string, production: boolean): { level: 'error' | 'warning'; message: string } | undefined {
  const advice = `e.g. ADMIN_API_KEY="sla_$(node -e "process.stdout.write(require('crypto').randomBytes(24).toString('base64url'))")"`;
  if (key.length < MIN_KEY_LENGTH) {
    return { level: 'error', message: `ADMIN_API_KEY is ${key.length} characters long; it must have at least ${MIN_KEY_LENGTH} (${advice})` };
  }
  const distinct = new Set(key).size;
  const weak = key.length < MIN_PRODUCTION_ADMIN_KEY_LENGTH ? `${key.length} characters long` : distinct < 10 ? `made of only ${distinct} different characters` : undefined;
  if (!weak) return undefined;
  return production
    ? { level: 'error', message: `ADMIN_API_KEY is ${weak}: in production it needs at least ${MIN_PRODUCTION_ADMIN_KEY_LENGTH} random characters (${advice})` }
    : { level: 'warning', message: `ADMIN_API_KEY is ${weak}: anyone who guesses it is admin. Use at least ${MIN_PRODUCTION_ADMIN_KEY_LENGTH} random characters (${advice}); production refuses a weaker key` };
}

/** The principal behind a key, or null for an unknown, revoked or expired key or inactive user. */
export async function authenticate(db: Db, key: string): Promise<Principal | null> {
  const hash = hashApiKey(key);
  const [row] = await db
    .select({ keyId: apiKeys.id, userId: apiKeys.userId, role: apiKeys.role, keyHash: apiKeys.keyHash, expiresAt: apiKeys.expiresAt })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(
      and(
        eq(apiKeys.keyHash, hash),
        isNull(apiKeys.revokedAt),
        eq(users.active, true),
        sql`(${apiKeys.expiresAt} IS NULL OR ${apiKeys.expiresAt} > now())`,
      ),
    )
    .limit(1);
  if (!row) return null;
  if (!timingSafeEqual(Buffer.from(row.keyHash), Buffer.from(hash))) return null;
  return { keyId: row.keyId, userId: row.userId, role: row.role, expiresAt: row.expiresAt };
}

export interface CreatedKey {
  id: string;
  /** The secret: shown once, never stored. */
  key: string;
  prefix: string;
  role: UserRole;
}

/**
 * Creates a key for a user. A key carries the user's role, or `viewer` when asked for less access.
 * `presetKey` lets an operator supply the secret (ADMIN_API_KEY).
 */
export async function createApiKey(
  db: Db,
  input: {
    /** The owner, by id or by e-mail. */
    user: { id: string } | { email: string };
    name: string;
    role?: UserRole;
    presetKey?: string;
    expiresAt?: Date;
  },
): Promise<CreatedKey> {
  const [user] = await db
    .select()
    .from(users)
    .where('id' in input.user ? eq(users.id, input.user.id) : sql`lower(${users.email}) = lower(${input.user.email})`)
    .limit(1);
  if (!user) throw new NotFoundError('User', 'id' in input.user ? input.user.id : input.user.email);
  const role = input.role ?? user.role;
  if (role !== user.role && role !== 'viewer') {
    throw new ValidationError([
      {
        field: 'role',
        message:
          user.role === 'viewer'
            ? `a key for ${user.email} can only carry role viewer, not ${role}`
            : `a key for ${user.email} can carry role ${user.role} or viewer, not ${role}`,
      },
    ]);
  }
  if (!input.name.trim()) throw new ValidationError([{ field: 'name', message: 'a key needs a name' }]);
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw new ValidationError([{ field: 'expiresAt', message: 'the expiry must be in the future' }]);
  }
  let key = input.presetKey ?? generateApiKey();
  if (key.length < MIN_KEY_LENGTH) {
    throw new ValidationError([{ field: 'key', message: `an API key must be at least ${MIN_KEY_LENGTH} characters long` }]);
  }
  // Labels are unique, so that `keys revoke <prefix>` names one key: a taken one is drawn again
  // (for a generated key, with a new key).
  let prefix = keyLabel(key, input.presetKey !== undefined);
  for (let draw = 0; draw < 5; draw++) {
    const [taken] = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.prefix, prefix)).limit(1);
    if (!taken) break;
    if (input.presetKey === undefined) key = generateApiKey();
    prefix = keyLabel(key, input.presetKey !== undefined);
  }
  const [row] = await db
    .insert(apiKeys)
    .values({
      userId: user.id,
      name: input.name.trim(),
      prefix,
      keyHash: hashApiKey(key),
      role,
      expiresAt: input.expiresAt,
    })
    .returning({ id: apiKeys.id });
  return { id: row!.id, key, prefix, role };
}

/** The stored label of a key (see keyLabel), or null for a key that is not registered. */
export async function keyPrefixOf(db: Db, key: string): Promise<string | null> {
  const [row] = await db.select({ prefix: apiKeys.prefix }).from(apiKeys).where(eq(apiKeys.keyHash, hashApiKey(key))).limit(1);
  return row?.prefix ?? null;
}

/**
 * Revokes a key by id or by its displayed prefix; returns how many keys were revoked (0 or 1). A
 * prefix shared by several active keys (made before prefixes were unique) revokes none of them.
 */
export async function revokeApiKey(db: Db, idOrPrefix: string): Promise<number> {
  const isUuid = /^[0-9a-f-]{36}$/i.test(idOrPrefix);
  if (!isUuid) {
    const matches = await db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(isNull(apiKeys.revokedAt), eq(apiKeys.prefix, idOrPrefix)));
    if (matches.length > 1) {
      throw new ConflictError(
        `${matches.length} active keys have the prefix "${idOrPrefix}"; revoke one by its id (npm run keys -- list): ${matches.map((m) => m.id).join(', ')}`,
      );
    }
  }
  const revoked = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(
      and(isNull(apiKeys.revokedAt), isUuid ? eq(apiKeys.id, idOrPrefix) : eq(apiKeys.prefix, idOrPrefix)),
    )
    .returning({ id: apiKeys.id });
  return revoked.length;
}

export const DEFAULT_ADMIN = { email: 'admin@example.com', name: 'Avery Admin' } as const;

/**
 * First start: when no admin can get in (no active admin key), make sure there is an admin user and give it a key, taken from
 * ADMIN_API_KEY when set. Returns the new secret (to print once) or null when nothing was created.
 * A configured ADMIN_API_KEY that is not yet known is also registered, so it always works.
 */
export async function ensureAdminKey(db: Db, configuredKey?: string): Promise<CreatedKey | null> {
  return db.transaction(async (tx) => {
    // Serialise concurrent first starts of several instances.
    await tx.execute(sql`select pg_advisory_xact_lock(815000002)`);
    // Keys of other people (made before the first start, with npm run users / keys) do not count:
    // what matters is whether an admin can get in.
    const [{ count }] = (await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(
        and(
          eq(users.role, 'admin'),
          eq(users.active, true),
          eq(apiKeys.role, 'admin'),
          isNull(apiKeys.revokedAt),
          sql`(${apiKeys.expiresAt} is null or ${apiKeys.expiresAt} > now())`,
        ),
      )) as [{ count: number }];
    // Keys registered from ADMIN_API_KEY before labels were random were listed by their first 10
    // characters (half of a 20-character key): they get a random label instead.
    await tx.execute(sql`update api_keys set prefix = ${PRESET_LABEL} || left(md5(random()::text || id::text), 10)
      where name = 'ADMIN_API_KEY' and left(prefix, ${PRESET_LABEL.length}) <> ${PRESET_LABEL}`);
    if (configuredKey) {
      const [known] = await tx
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(eq(apiKeys.keyHash, hashApiKey(configuredKey)))
        .limit(1);
      if (known) return null;
    } else if (count > 0) {
      return null;
    }
    let [admin] = await tx.select().from(users).where(and(eq(users.role, 'admin'), eq(users.active, true))).orderBy(users.createdAt).limit(1);
    if (!admin) {
      // No active admin (a new install, or every admin deactivated): the default admin, made or
      // switched back on — the operator who starts the server is the way back in.
      [admin] = await rows<typeof users.$inferSelect>(
        tx,
        sql`insert into users (email, name, team, role) values (${DEFAULT_ADMIN.email}, ${DEFAULT_ADMIN.name}, 'admin', 'admin')
          on conflict ((lower(email))) do update set role = 'admin', team = 'admin', active = true, deactivated_at = null
          returning id`,
      );
    }
    return createApiKey(tx as unknown as Db, {
      user: { id: admin!.id },
      name: configuredKey ? 'ADMIN_API_KEY' : 'first-start admin key',
      presetKey: configuredKey,
    });
  });
}
