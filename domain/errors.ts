// Domain exceptions carry a code; api/errors.ts maps them to GraphQL result types.

export interface FieldProblem {
  /** Dotted path of the offending input field, e.g. `input.temperatureBands[1].minScore`. */
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: 'VALIDATION' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN';
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION' as const;
  constructor(
    readonly problems: FieldProblem[],
    message = problems.length === 1
      ? `Invalid input: ${problems[0]!.message}`
      : `Invalid input: ${problems.length} problems`,
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND' as const;
  constructor(
    readonly entity: string,
    readonly entityId: string,
  ) {
    super(`${entity} ${entityId} was not found`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN' as const;
  constructor(message = 'You are not allowed to do this') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** PostgreSQL's unique violation (23505), as drizzle wraps it (error.cause) or bare. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (e: unknown) => (e && typeof e === 'object' && 'code' in e ? (e as { code: unknown }).code : undefined);
  return code(error) === '23505' || code((error as { cause?: unknown })?.cause) === '23505';
}

/** Runs `work`; a unique violation (a concurrent twin won the race) becomes a ConflictError. */
export async function conflictOnDuplicate<T>(work: () => Promise<T>, message: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(message);
    throw error;
  }
}
