import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldProblem } from '../../domain/errors';
import { builder } from '../builder';

// Typed errors a mutation can return in its result union; clients switch on __typename.

export const ErrorInterface = builder.interfaceRef<Error & { code: string }>('Error').implement({
  description: 'Something a mutation refused to do, and why.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'A sentence for people.' }),
    code: t.exposeString('code', { description: 'VALIDATION, NOT_FOUND, CONFLICT or FORBIDDEN.' }),
  }),
});

const FieldProblemRef = builder.objectRef<FieldProblem>('FieldProblem').implement({
  description: 'One problem with one input field.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'Dotted path of the field, e.g. input.bands[1].minScore.' }),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input was refused; nothing was written. One problem per offending field.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    problems: t.field({ type: [FieldProblemRef], resolve: (error) => error.problems }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'A referenced record does not exist (or is not yours to see).',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({
    entity: t.exposeString('entity'),
    entityId: t.exposeString('entityId'),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The change conflicts with the current state (e.g. someone changed it first); nothing was written.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ConflictError,
  fields: () => ({}),
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'Your role may not do this to this record.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ForbiddenError,
  fields: () => ({}),
});

export const commonErrors = [ValidationError, NotFoundError, ConflictError, ForbiddenError];
