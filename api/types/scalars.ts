import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string') throw new GraphQLError('DateTime must be an ISO-8601 string');
  const date = new Date(value);
  // An offset is required: without one, the server's own time zone would silently apply.
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    throw new GraphQLError(`Invalid DateTime "${value}": use ISO-8601 with Z or an offset, e.g. 2026-01-31T09:00:00Z`);
  }
  // In UTC it must stay within years 0001–9999 (0001-01-01T00:00+01:00 is year 0 in UTC, which
  // PostgreSQL refuses; beyond 9999 the ISO form it is sent in has six digits).
  if (date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) {
    throw new GraphQLError(`Invalid DateTime "${value}": must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z`);
  }
  return date;
}

builder.scalarType('DateTime', {
  description: 'A point in time, ISO-8601 in UTC on the wire (e.g. 2026-01-31T09:00:00.000Z).',
  serialize: (value) => (value instanceof Date ? value : new Date(value)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});

function parseDate(value: unknown): string {
  const parsed = typeof value === 'string' ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  // Round-trip: JavaScript rolls 2026-02-30 over to March; a calendar day must exist. Year 0000
  // exists for JavaScript but not for PostgreSQL (1 BC is followed by AD 1).
  if (typeof value !== 'string' || !ISO_DATE.test(value) || value.startsWith('0000') || Number.isNaN(parsed) || !new Date(parsed).toISOString().startsWith(value)) {
    throw new GraphQLError(`Invalid Date "${String(value)}": use YYYY-MM-DD`);
  }
  return value;
}

builder.scalarType('Date', {
  description: 'A calendar day, YYYY-MM-DD.',
  serialize: (value) => String(value),
  parseValue: parseDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Date must be a string');
    return parseDate(ast.value);
  },
});

function literalToValue(ast: import('graphql').ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map(literalToValue);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToValue(f.value)]));
    default:
      throw new GraphQLError('JSON literals cannot contain variables');
  }
}

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalToValue,
});
