import * as e from '../../db/schema/enums';
import { builder } from '../builder';

/** A GraphQL enum over a database enum: SCREAMING_SNAKE_CASE names, database values. */
function dbEnum<const T extends readonly string[]>(name: string, values: T, description: string) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(
      values.map((value) => [value.toUpperCase(), { value }]),
    ) as { [K in T[number] as Uppercase<K>]: { value: K } },
  });
}

export const UserRoleEnum = dbEnum('UserRole', e.userRoles, 'What an API key may do: admin, marketing, sales or viewer.');
export const TeamEnum = dbEnum('Team', e.teams, 'The department a user works in.');
export const AgreementStatusEnum = dbEnum('AgreementStatus', e.agreementStatuses, 'Life of an agreement: draft → active → archived.');
export const RevisionStatusEnum = dbEnum('RevisionStatus', e.revisionStatuses, 'Life of a revision: draft → active → retired.');
export const LifecycleStageEnum = dbEnum(
  'LifecycleStage',
  e.lifecycleStages,
  'Where a lead is: LEAD → MQL → SQL → OPPORTUNITY → CUSTOMER, or the detours RECYCLED and DISQUALIFIED.',
);
export const ScoreDimensionEnum = dbEnum('ScoreDimension', e.scoreDimensions, 'FIT (who the lead is) or INTEREST (what the lead does).');
export const TemperatureEnum = dbEnum('Temperature', e.temperatures, 'Cold, warm or hot, from the total score and the temperature bands.');
export const FitGradeEnum = dbEnum('FitGrade', e.fitGradeValues, 'A (best fit) to D, from the fit score.');
export const HandoffStatusEnum = dbEnum('HandoffStatus', e.handoffStatuses, 'Where the hand-off to Sales stands.');
export const ActorTypeEnum = dbEnum('ActorType', e.actorTypes, 'Who made a change: the system (rules) or a user.');
export const LedgerReasonEnum = dbEnum('LedgerReason', e.ledgerReasons, 'Why points were given or taken.');
export const ActivityTypeEnum = dbEnum('ActivityType', e.activityTypes, 'Kinds of behaviour events marketing tools send.');
export const ContactChannelEnum = dbEnum('ContactChannel', e.contactChannels, 'How Sales reaches a lead.');
export const ContactOutcomeEnum = dbEnum('ContactOutcome', e.contactOutcomes, 'What came of a contact attempt.');
