import { GraphQLError } from 'graphql';

/** Top-level error when the caller is not allowed to read a field or type. */
export class ForbiddenGraphQLError extends GraphQLError {
  constructor(message = 'Not authorized') {
    super(message, { extensions: { code: 'FORBIDDEN' } });
  }
}

/** Top-level error when no valid API key was sent. */
export class UnauthenticatedGraphQLError extends GraphQLError {
  constructor(message = 'A valid API key is required: send Authorization: Bearer <key>') {
    super(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
}

/** Refusal of an operation that is too deep, too broad, too costly or asks for too large a page. */
export class OperationLimitError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'OPERATION_LIMIT' } });
  }
}

export class BadUserInputError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}
