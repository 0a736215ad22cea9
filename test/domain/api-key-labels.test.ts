import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { apiKeys, users } from '../../db/schema/index';
import {
  adminKeyProblem,
  authenticate,
  createApiKey,
  ensureAdminKey,
  hashApiKey,
  keyLabel,
  keyPrefixOf,
  revokeApiKey,
} from '../../domain/auth/api-keys';
import { ConflictError } from '../../domain/errors';
import { openTestDatabase } from '../helpers/db';

// issue 13: a key given as ADMIN_API_KEY was stored and listed with its first 10 characters as its
// prefix: half of a 20-character key. What is stored and listed of a key never gives away a
// meaningful part of it, and `keys revoke <prefix>` still names exactly one key.

let database: Awaited<ReturnType<typeof openTestDatabase>>;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.dispose();
});

/** The longest piece of `key` (3 characters or more) that `label` contains. */
function longestShared(key: string, label: string): string {
  let best = '';
  for (let i = 0; i < key.length; i++) {
    for (let j = i + best.length + 1; j <= key.length; j++) {
      if (label.includes(key.slice(i, j))) best = key.slice(i, j);
      else break;
    }
  }
  return best.length >= 3 ? best : '';
}

const stored = async (key: string) =>
  (await database.db.select({ prefix: apiKeys.prefix, name: apiKeys.name }).from(apiKeys).where(eq(apiKeys.keyHash, hashApiKey(key))))[0];

describe('key labels', () => {
  it('shows sla_ and 6 of the 43 random characters of a generated key', () => {
    const label = keyLabel('sla_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ', false);
    expect(label).toBe('sla_abcdef');
  });

  it('gives an operator-chosen key a random label that shows none of it', () => {
    // 20 characters, half of which used to be listed; none of its letters is a hex digit, so that a
    // random label cannot share a piece of it by chance.
    const key = 'sla_ghijklmnopqrstuv';
    const labels = new Set(Array.from({ length: 50 }, () => keyLabel(key, true)));
    expect(labels.size).toBe(50);
    for (const label of labels) {
      expect(label).toMatch(/^cfg_[0-9a-f]{10}$/);
      expect(longestShared(key, label)).toBe('');
    }
  });

  it('stores and lists an ADMIN_API_KEY under such a label, revocable by it', async () => {
    const key = 'Tr0ub4xor&3-horse-bat'; // 21 characters, not random at all (and no run of 3 hex digits)
    const created = await ensureAdminKey(database.db, key);
    expect(created?.key).toBe(key);
    const row = await stored(key);
    expect(row).toMatchObject({ name: 'ADMIN_API_KEY', prefix: created!.prefix });
    expect(row!.prefix).toMatch(/^cfg_[0-9a-f]{10}$/);
    expect(longestShared(key, row!.prefix)).toBe('');
    expect(await keyPrefixOf(database.db, key)).toBe(row!.prefix);
    // Registered once; a restart with the same key keeps its label.
    expect(await ensureAdminKey(database.db, key)).toBeNull();
    expect((await stored(key))!.prefix).toBe(row!.prefix);

    expect(await authenticate(database.db, key)).toMatchObject({ role: 'admin' });
    expect(await revokeApiKey(database.db, row!.prefix)).toBe(1);
    expect(await authenticate(database.db, key)).toBeNull();
  });

  it('relabels an ADMIN_API_KEY registered with its first characters before', async () => {
    const [admin] = await database.db.select({ id: users.id }).from(users).where(eq(users.role, 'admin')).limit(1);
    const key = 'an-old-admin-key-of-twenty-four';
    await database.db.insert(apiKeys).values({ userId: admin!.id, name: 'ADMIN_API_KEY', prefix: key.slice(0, 10), keyHash: hashApiKey(key), role: 'admin' });
    await ensureAdminKey(database.db, 'another-configured-admin-key-0001');
    const row = await stored(key);
    expect(row!.prefix).toMatch(/^cfg_[0-9a-f]{10}$/);
    expect(longestShared(key, row!.prefix)).toBe('');
  });

  it('keeps generated keys revocable by their printed prefix', async () => {
    const [admin] = await database.db.select({ id: users.id }).from(users).where(eq(users.role, 'admin')).limit(1);
    const created = await createApiKey(database.db, { user: { id: admin!.id }, name: 'laptop' });
    expect(created.key).toMatch(/^sla_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 10));
    expect(await revokeApiKey(database.db, created.prefix)).toBe(1);
    expect(await revokeApiKey(database.db, created.prefix)).toBe(0);
  });

  it('revokes none of several active keys that share a prefix, and says to use the id', async () => {
    const [admin] = await database.db.select({ id: users.id }).from(users).where(eq(users.role, 'admin')).limit(1);
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const [row] = await database.db
        .insert(apiKeys)
        .values({ userId: admin!.id, name: `twin ${n}`, prefix: 'sla_twin00', keyHash: hashApiKey(`twin-key-${n}-of-enough-length`), role: 'admin' })
        .returning({ id: apiKeys.id });
      ids.push(row!.id);
    }
    const refusal = await revokeApiKey(database.db, 'sla_twin00').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConflictError);
    expect((refusal as Error).message).toContain('2 active keys have the prefix "sla_twin00"; revoke one by its id');
    const [{ active }] = (await rows<{ active: number }>(database.db, sql`select count(*)::int as active from api_keys where prefix = 'sla_twin00' and revoked_at is null`)) as [{ active: number }];
    expect(active).toBe(2);
    expect(await revokeApiKey(database.db, ids[0]!)).toBe(1);
    expect(await revokeApiKey(database.db, 'sla_twin00')).toBe(1); // one left: the prefix names it
  });
});

describe('ADMIN_API_KEY strength', () => {
  it('refuses a key under 20 characters anywhere, and a short or repetitive one in production', () => {
    expect(adminKeyProblem('short-key-19-chars!', false)).toMatchObject({ level: 'error', message: expect.stringContaining('19 characters long; it must have at least 20') });
    expect(adminKeyProblem('sla_0123456789abcdef', true)).toMatchObject({ level: 'error', message: expect.stringContaining('20 characters long: in production it needs at least 24') });
    expect(adminKeyProblem('sla_0123456789abcdef', false)).toMatchObject({ level: 'warning', message: expect.stringContaining('production refuses a weaker key') });
    expect(adminKeyProblem('a'.repeat(40), true)).toMatchObject({ level: 'error', message: expect.stringContaining('made of only 1 different characters') });
    expect(adminKeyProblem('sla_Qm9vLXJhbmRvbS1rZXktMjQ0NDQ0', true)).toBeUndefined();
  });
});
