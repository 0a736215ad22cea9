import { builder } from '../builder';
import { leadRecordScope } from './lead';
import { ActorTypeEnum, LifecycleStageEnum } from './enums';
import { AgreementRevisionRef, LeadRef, StageTransitionRef, UserRef } from './refs';

StageTransitionRef.implement({
  description: 'One move of a lead between lifecycle stages: who made it, why, and under which revision.',
  // Sales reps see only the history of their own leads.
  authScopes: leadRecordScope,
  fields: (t) => ({
    lead: t.field({ type: LeadRef, resolve: (row) => row.leadId }),
    fromStage: t.field({
      type: LifecycleStageEnum,
      nullable: true,
      description: 'Null for the lead’s creation.',
      resolve: (row) => row.fromStage,
    }),
    toStage: t.field({ type: LifecycleStageEnum, resolve: (row) => row.toStage }),
    actorType: t.field({ type: ActorTypeEnum, resolve: (row) => row.actorType }),
    actor: t.field({
      type: UserRef,
      nullable: true,
      description: 'The user who made the move; null when the system did.',
      resolve: (row) => row.actorUserId,
    }),
    reason: t.exposeString('reason', { nullable: true, description: 'Free text: null for viewers (reasonCode stays).', authScopes: { personalData: true }, unauthorizedResolver: () => null }),
    reasonCode: t.exposeString('reasonCode', { nullable: true, description: 'Agreed reason code, e.g. no_response.' }),
    revision: t.field({ type: AgreementRevisionRef, nullable: true, resolve: (row) => row.revisionId }),
    occurredAt: t.expose('occurredAt', {
      type: 'DateTime',
      description: 'When the move took effect. A hand-off trigger that reached us late moves the lead at the trigger’s time; recordedAt says when it was written.',
    }),
    recordedAt: t.field({
      type: 'DateTime',
      description: 'When the move was written (equals occurredAt for moves written before this was kept).',
      resolve: (row) => row.recordedAt ?? row.occurredAt,
    }),
  }),
});

