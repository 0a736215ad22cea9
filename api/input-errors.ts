import { decodeGlobalID } from '@pothos/plugin-relay';
import {
  defaultFieldResolver,
  getNullableType,
  GraphQLError,
  isInputObjectType,
  isListType,
  isObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { BadUserInputError } from './errors';

// Two kinds of bad input fail below the resolvers, where they used to surface as
// INTERNAL_SERVER_ERROR:
//  - a malformed Relay global id, or one of another type: Pothos decodes id arguments before the
//    field's auth scopes and its resolver run, and throws a PothosValidationError;
//  - text with a NUL character (U+0000), which PostgreSQL cannot store in text or jsonb (22021, 22P05).
// Both are the caller's input: when a resolver fails that way, the failure is answered as
// BAD_USER_INPUT naming the argument, like a variable GraphQL itself cannot coerce. Only failures
// are looked at: calls that succeed, or fail for another reason, are answered as before.

interface IdExtensions {
  isRelayGlobalID?: boolean;
  relayGlobalIDFor?: readonly { typename: string }[] | null;
}

type Kind = 'id' | 'nul';

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).some(([key, v]) => key.includes('\u0000') || hasNul(v));
  }
  return false;
}

/** The first offending value of that kind under `path`, as `path: problem`. */
function problemIn(kind: Kind, type: GraphQLInputType, value: unknown, path: string, ext: IdExtensions | null | undefined): string | undefined {
  if (value == null) return undefined;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items: unknown[] = Array.isArray(value) ? value : [value];
    for (const [i, item] of items.entries()) {
      const problem = problemIn(kind, nullable.ofType, item, `${path}[${i}]`, ext);
      if (problem) return problem;
    }
    return undefined;
  }
  if (ext?.isRelayGlobalID) {
    if (kind !== 'id') return undefined;
    let typename: string;
    try {
      typename = decodeGlobalID(String(value)).typename;
    } catch {
      return `${path}: not a valid id`;
    }
    const expected = ext.relayGlobalIDFor?.map((f) => f.typename) ?? [];
    return expected.length && !expected.includes(typename) ? `${path}: not an id of a ${expected.join(' or ')}` : undefined;
  }
  if (isInputObjectType(nullable)) {
    for (const field of Object.values(nullable.getFields())) {
      const problem = problemIn(kind, field.type, (value as Record<string, unknown>)[field.name], `${path}.${field.name}`, field.extensions as IdExtensions);
      if (problem) return problem;
    }
    return undefined;
  }
  return kind === 'nul' && hasNul(value) ? `${path}: text may not contain the NUL character (U+0000)` : undefined;
}

function failureKind(error: unknown): Kind | undefined {
  if (error instanceof GraphQLError && error.name === 'PothosValidationError') return 'id';
  for (let link = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; link && depth < 5; link = link.cause as typeof link, depth++) {
    if (link.code === '22021' || link.code === '22P05') return 'nul';
  }
  return undefined;
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  !!value && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';

/** Wraps every field with arguments so that the failures above become BAD_USER_INPUT. */
export function answerInputErrorsAsBadUserInput(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.length) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const explain = (error: unknown, args: Record<string, unknown>): never => {
        const kind = failureKind(error);
        if (kind) {
          for (const arg of field.args) {
            const problem = problemIn(kind, arg.type, args[arg.name], arg.name, arg.extensions as IdExtensions);
            if (problem) throw new BadUserInputError(`Invalid ${problem}`);
          }
        }
        throw error;
      };
      field.resolve = (source, args, context, info) => {
        try {
          const result = resolve(source, args, context, info);
          return isPromiseLike(result) ? Promise.resolve(result).catch((error: unknown) => explain(error, args)) : result;
        } catch (error) {
          return explain(error, args);
        }
      };
    }
  }
  return schema;
}
