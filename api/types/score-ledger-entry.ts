import { builder } from '../builder';
import { encodeNodeID } from '../global-ids';
import { leadRecordScope } from './lead';
import { LedgerReasonEnum, ScoreDimensionEnum } from './enums';
import { AgreementRevisionRef, LeadRef, ScoreLedgerEntryRef } from './refs';

ScoreLedgerEntryRef.implement({
  description: 'Points given or taken: which rule, under which revision, for which activity, when.',
  // Sales reps see only the history of their own leads.
  authScopes: leadRecordScope,
  fields: (t) => ({
    lead: t.field({ type: LeadRef, resolve: (row) => row.leadId }),
    dimension: t.field({ type: ScoreDimensionEnum, resolve: (row) => row.dimension }),
    reason: t.field({ type: LedgerReasonEnum, resolve: (row) => row.reason }),
    points: t.exposeInt('points', { description: 'Points when given (before decay); negative when taken.' }),
    decayHalfLifeDays: t.exposeInt('decayHalfLifeDays', {
      nullable: true,
      description: 'The points halve every this many days; null means they never decay.',
    }),
    ruleId: t.exposeID('ruleId', { nullable: true, description: 'The scoring rule that gave the points.' }),
    activityId: t.id({
      nullable: true,
      description: 'Global id of the activity that earned the points (node(id:) reads it).',
      resolve: (row, _args, ctx) => (row.activityId == null ? null : encodeNodeID(ctx.database, 'Activity', row.activityId)),
    }),
    revision: t.field({ type: AgreementRevisionRef, resolve: (row) => row.revisionId }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
  }),
});
