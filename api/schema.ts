import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder';
import { answerInputErrorsAsBadUserInput } from './input-errors';
import './types/scalars';
import './types/enums';
import './types/errors';
import './types/refs';
import './types/user';
import './types/people';
import './types/account';
import './types/lead';
import './types/stage-transition';
import './types/score-ledger-entry';
import './types/agreement';
import './types/agreement-rules';
import './types/goal';
import './types/agreement-detail';
import './types/agreement-inputs';
import './types/agreement-mutations';
import './types/api-key';
import './types/activity';
import './types/lead-mutations';
import './types/scoring';
import './types/sales';
import './types/lead-governance';
import './types/report';
import './types/webhook';
import './types/webhook-mutations';

/** The one place that imports every type file and builds the schema. No type file imports this. */
export const schema: GraphQLSchema = answerInputErrorsAsBadUserInput(builder.toSchema());

export function printedSchema(): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
