import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { slaAgreements } from '../../db/schema/index';
import { builder } from '../builder';
import { groupByKey, isUuid, loadRevisionsByAgreement, type AgreementRow } from '../loaders';
import { keysetConnection } from '../pagination';
import { AgreementStatusEnum, RevisionStatusEnum } from './enums';
import { AgreementRevisionRef, SlaAgreementRef, UserRef } from './refs';
import { connectionComplexity } from '../limits';

SlaAgreementRef.implement({
  description:
    'A named contract between Marketing and Sales. Its rules live in revisions; leads are scored and timed under the active one.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    status: t.field({ type: AgreementStatusEnum, resolve: (a) => a.status }),
    segment: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The segment of leads the agreement covers; null for all leads.',
      resolve: (a) => a.segment ?? null,
    }),
    activeRevision: t.field({
      type: AgreementRevisionRef,
      nullable: true,
      description: 'The revision in force; null while the agreement is a draft.',
      resolve: (a) => a.activeRevisionId,
    }),
    revisions: t.loadableList({
      type: AgreementRevisionRef,
      description: 'All revisions, oldest first.',
      load: async (ids: string[], ctx) =>
        groupByKey(ids, await loadRevisionsByAgreement(ctx.db, ids), (row) => row.agreementId),
      resolve: (a) => a.id,
    }),
    createdBy: t.field({ type: UserRef, nullable: true, resolve: (a) => a.createdById }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true }),
  }),
});

AgreementRevisionRef.implement({
  description: 'One version of an agreement’s rules: draft → active → retired.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    agreement: t.field({ type: SlaAgreementRef, resolve: (r) => r.agreementId }),
    number: t.exposeInt('number', { description: '1 for the first revision, then 2, 3…' }),
    status: t.field({ type: RevisionStatusEnum, resolve: (r) => r.status }),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone of the business hours, e.g. Europe/Paris.' }),
    notes: t.exposeString('notes'),
    basedOn: t.field({
      type: AgreementRevisionRef,
      nullable: true,
      description: 'The revision this one was copied from.',
      resolve: (r) => r.basedOnRevisionId,
    }),
    createdBy: t.field({ type: UserRef, nullable: true, resolve: (r) => r.createdById }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    activatedAt: t.expose('activatedAt', { type: 'DateTime', nullable: true }),
    activatedBy: t.field({ type: UserRef, nullable: true, resolve: (r) => r.activatedById }),
    retiredAt: t.expose('retiredAt', { type: 'DateTime', nullable: true }),
  }),
});

const SlaAgreementFilter = builder.inputType('SlaAgreementFilter', {
  description: 'Narrows the agreement list.',
  fields: (t) => ({
    status: t.field({ type: AgreementStatusEnum, required: false }),
  }),
});

builder.queryFields((t) => ({
  slaAgreements: t.connection({
    complexity: connectionComplexity,
    type: SlaAgreementRef,
    description: 'SLA agreements, newest first.',
    authScopes: { authenticated: true },
    args: { filter: t.arg({ type: SlaAgreementFilter, required: false }) },
    resolve: (_root, args, ctx) =>
      keysetConnection(
        args,
        (a: AgreementRow) => [a.createdAt.toISOString(), a.id],
        ['timestamp', 'uuid'],
        ({ before, after, limit, inverted }) => {
          const conditions: (SQL | undefined)[] = [
            args.filter?.status ? eq(slaAgreements.status, args.filter.status) : undefined,
            after
              ? sql`(${slaAgreements.createdAt}, ${slaAgreements.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`
              : undefined,
            before
              ? sql`(${slaAgreements.createdAt}, ${slaAgreements.id}) > (${before[0]}::timestamptz, ${before[1]}::uuid)`
              : undefined,
          ];
          return ctx.db
            .select()
            .from(slaAgreements)
            .where(and(...conditions))
            .orderBy(
              ...(inverted
                ? [asc(slaAgreements.createdAt), asc(slaAgreements.id)]
                : [desc(slaAgreements.createdAt), desc(slaAgreements.id)]),
            )
            .limit(limit);
        },
      ),
  }),
  slaAgreement: t.field({
    type: SlaAgreementRef,
    nullable: true,
    description: 'One agreement by its global id.',
    authScopes: { authenticated: true },
    args: { id: t.arg.globalID({ required: true, for: SlaAgreementRef }) },
    resolve: (_root, args) => (isUuid(args.id.id) ? args.id.id : null),
  }),
}));
