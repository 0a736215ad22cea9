import type { z } from 'zod';
import { ValidationError, type FieldProblem } from './errors';

/** Parses input with a zod schema; every issue becomes a field problem of one ValidationError. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, root = 'input'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems: FieldProblem[] = result.error.issues.map((issue) => ({
    field: [root, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))]
      .join('.')
      .replace(/\.\[/g, '['),
    message: issue.message,
  }));
  throw new ValidationError(problems);
}
