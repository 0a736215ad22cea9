import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { BadUserInputError, OperationLimitError } from './errors';
import { limits } from './limits';

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  before?: string | null;
  after?: string | null;
}

/** Refuses a page larger than the cap instead of silently truncating it. */
export function checkPageSize(args: ConnectionArgs): void {
  for (const key of ['first', 'last'] as const) {
    const value = args[key];
    if (value == null) continue;
    if (value < 0) throw new BadUserInputError(`${key} must not be negative`);
    if (value > limits.maxPageSize) {
      throw new OperationLimitError(`${key} is ${value}, above the maximum page size of ${limits.maxPageSize}`);
    }
  }
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What each position of a cursor holds; a value of the wrong kind never reaches SQL. */
export type CursorKind = 'timestamp' | 'uuid' | 'int' | 'text';

const valid: Record<CursorKind, (value: unknown) => boolean> = {
  timestamp: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(v) && !Number.isNaN(Date.parse(v)),
  uuid: (v) => typeof v === 'string' && UUID.test(v),
  int: (v) => typeof v === 'number' && Number.isSafeInteger(v),
  text: (v) => typeof v === 'string' && v.length <= 1_000,
};

export function decodeCursor(cursor: string, kinds: readonly CursorKind[]): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === kinds.length && values.every((v, i) => valid[kinds[i]!](v))) return values;
  } catch {
    // fall through
  }
  throw new BadUserInputError(`Invalid cursor "${cursor}"`);
}

/**
 * Keyset pagination: `fetch` receives decoded before/after keys, the row limit (one extra to know
 * whether another page exists) and whether the order is inverted (for `last`/`before`).
 */
export async function keysetConnection<T>(
  args: ConnectionArgs,
  keyOf: (row: T) => unknown[],
  kinds: readonly CursorKind[],
  fetch: (page: { before?: unknown[]; after?: unknown[]; limit: number; inverted: boolean }) => Promise<T[]>,
) {
  checkPageSize(args);
  return resolveCursorConnection(
    {
      args,
      toCursor: (row: T) => encodeCursor(keyOf(row)),
      defaultSize: limits.defaultPageSize,
      maxSize: limits.maxPageSize,
    },
    ({ before, after, limit, inverted }: ResolveCursorConnectionArgs) =>
      fetch({
        before: before ? decodeCursor(before, kinds) : undefined,
        after: after ? decodeCursor(after, kinds) : undefined,
        limit,
        inverted,
      }),
  );
}
