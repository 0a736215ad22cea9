import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import RelayPlugin from '@pothos/plugin-relay';
import ErrorsPlugin from '@pothos/plugin-errors';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ValidationPlugin from '@pothos/plugin-validation';
import ComplexityPlugin from '@pothos/plugin-complexity';
import type { Context } from './context';
import { limits } from './limits';
import { ForbiddenGraphQLError, OperationLimitError, UnauthenticatedGraphQLError } from './errors';
import { decodeNodeID, encodeNodeID } from './global-ids';

/** The builder's type parameters: context, scalars and auth scopes. */
export interface PothosTypes {
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    Date: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
    ID: { Input: string; Output: string | number };
  };
  AuthScopes: {
    /** Any valid, unrevoked API key. */
    authenticated: boolean;
    admin: boolean;
    marketing: boolean;
    sales: boolean;
    viewer: boolean;
    /** Roles that may see personal data (names, e-mails, phones): everyone but viewers. */
    personalData: boolean;
  };
}

// Plugin order matters: scope-auth first, errors before dataloader (STACK.md).
export const builder = new SchemaBuilder<PothosTypes>({
  plugins: [
    ScopeAuthPlugin,
    RelayPlugin,
    ErrorsPlugin,
    DataloaderPlugin,
    ValidationPlugin,
    ComplexityPlugin,
  ],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => {
      const role = ctx.viewer?.role;
      return {
        authenticated: !!role,
        admin: role === 'admin',
        marketing: role === 'marketing',
        sales: role === 'sales',
        viewer: role === 'viewer',
        personalData: role === 'admin' || role === 'marketing' || role === 'sales',
      };
    },
    // Every object type is checked once, on the type: default deny for anonymous callers.
    runScopesOnType: true,
    unauthorizedError: (_parent, ctx, _info, result) =>
      ctx.viewer ? new ForbiddenGraphQLError(result.message) : new UnauthenticatedGraphQLError(),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // Sequential row ids travel sealed (api/global-ids.ts); UUID-keyed types as base64("Type:uuid").
    encodeGlobalID: (typename, id, ctx) => encodeNodeID(ctx.database, typename, id),
    decodeGlobalID: (globalID, ctx) => decodeNodeID(ctx.database, globalID),
    nodeQueryOptions: { authScopes: { authenticated: true } },
    nodesQueryOptions: { authScopes: { authenticated: true } },
    // A connection's cost already counts its page size (connectionComplexity), so `edges` adds nothing.
    edgesFieldOptions: { complexity: { field: 0, multiplier: 1 } },
  },
  errors: {
    defaultTypes: [],
    // Mutations return `<Verb>Result = <Verb>Payload | ValidationError | …` (STYLE.md).
    directResult: true,
    defaultUnionOptions: {
      name: ({ fieldName }) => `${fieldName[0]!.toUpperCase()}${fieldName.slice(1)}Result`,
    },
    // Input is validated inside resolvers (domain/validation.ts), after authorization.
    unsafelyHandleInputErrors: false,
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    limit: {
      complexity: limits.maxComplexity,
      depth: limits.maxDepth,
      breadth: limits.maxBreadth,
    },
    complexityError: (kind, result) => {
      const which = String(kind).toLowerCase();
      const [actual, max] =
        which === 'depth'
          ? [result.depth, result.maxDepth]
          : which === 'breadth'
            ? [result.breadth, result.maxBreadth]
            : [result.complexity, result.maxComplexity];
      return new OperationLimitError(`Query ${which} ${actual} exceeds the limit of ${max}`);
    },
  },
});

builder.queryType({ description: 'Read the SLA platform: agreements, leads, accounts, people.' });
builder.mutationType({ description: 'Change the SLA platform.' });
