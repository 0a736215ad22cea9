import { decodeGlobalID as decodeStandardID, encodeGlobalID as encodeStandardID } from '@pothos/plugin-relay';
import type { Database } from '../db/client';
import { idSealerOf } from '../db/opaque-ids';
import { BadUserInputError } from './errors';

// Global ids. Rows keyed by a UUID keep Relay's usual base64("Type:uuid"). Rows keyed by a
// sequential bigint identity would tell a caller how many records the whole company has (and how
// many another rep made between two of its own), so their global id is base64("Type:<sealed>"):
// the id sealed with the installation's key (db/opaque-ids.ts), 32 hex characters that are stable
// (across restarts and server instances), tied to the type, and open to nothing else. A sealed id
// that does not open (a plain number, a changed character, another type's) decodes to an id no row
// has, so it is answered exactly like a record that does not exist.

/** Node types whose rows have sequential ids. */
export const SEALED_NODE_TYPES: ReadonlySet<string> = new Set(['Activity', 'StageTransition', 'ScoreLedgerEntry', 'WebhookDelivery']);

/** What a sealed id that does not open decodes to: no row has id 0 (loaders drop it), so it reads as missing. */
export const NO_ROW_ID = '0';

/** The global id a decoded value came from (for messages that repeat the caller's id). */
const given = new WeakMap<object, string>();

export function encodeNodeID(database: Database, typename: string, id: string | number | bigint): string {
  return encodeStandardID(typename, SEALED_NODE_TYPES.has(typename) ? idSealerOf(database).seal(typename, id) : String(id));
}

/** Throws Pothos' validation error for text that is no global id at all, as Relay's own decoder does. */
export function decodeNodeID(database: Database, globalID: string): { typename: string; id: string } {
  const decoded = decodeStandardID(globalID);
  if (!SEALED_NODE_TYPES.has(decoded.typename)) return decoded;
  const id = idSealerOf(database).open(decoded.typename, decoded.id);
  const result = { typename: decoded.typename, id: id == null ? NO_ROW_ID : String(id) };
  given.set(result, globalID);
  return result;
}

/** The global id the caller sent for a decoded sealed id (undefined for other values). */
export function givenGlobalID(decoded: object): string | undefined {
  return given.get(decoded);
}

/** A sequential id shown outside a global id (a plain `id` field): sealed for its kind, 32 hex characters. */
export function opaqueID(ctx: { database: Database }, kind: string, id: number | string): string {
  return idSealerOf(ctx.database).seal(kind, id);
}

/** A row id kept in a cursor, sealed (cursors are base64 JSON anyone can read). */
export function sealCursorID(ctx: { database: Database }, kind: string, id: number): string {
  return idSealerOf(ctx.database).seal(`cursor:${kind}`, id);
}

/** The row id of a cursor position made by sealCursorID; BAD_USER_INPUT when it is not one. */
export function openCursorID(ctx: { database: Database }, kind: string, value: unknown): number {
  const id = typeof value === 'string' ? idSealerOf(ctx.database).open(`cursor:${kind}`, value) : null;
  if (id == null) throw new BadUserInputError('Invalid cursor');
  return id;
}
