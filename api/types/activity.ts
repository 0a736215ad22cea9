import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { activities } from '../../db/schema/index';
import { ValidationError } from '../../domain/errors';
import { recordActivities } from '../../domain/leads/ingest';
import { recordDailyTraffic } from '../../domain/leads/traffic';
import DataLoader from 'dataloader';
import { rows } from '../../db/client';
import { builder } from '../builder';
import type { Context } from '../context';
import { openCursorID, sealCursorID } from '../global-ids';
import { bigints, ownLeadsOnly } from '../loaders';
import { keysetConnection } from '../pagination';
import { ActivityTypeEnum } from './enums';
import { leadRecordScope } from './lead';
import { LeadRef } from './refs';
import { connectionComplexity } from '../limits';

type ActivityRow = typeof activities.$inferSelect;

export const ActivityRef = builder.loadableNodeRef('Activity', {
  id: { resolve: (a: ActivityRow) => a.id },
  load: (ids: string[], ctx) =>
    ctx.db.select().from(activities).where(and(inArray(activities.id, bigints(ids)), ownLeadsOnly(ctx.viewer, activities.leadId))),
  sort: (a) => String(a.id),
});

ActivityRef.implement({
  description: 'A behaviour event a marketing tool sent about a lead.',
  authScopes: leadRecordScope,
  fields: (t) => ({
    clientEventId: t.exposeString('clientEventId', { description: 'The sender’s id for the event; it makes retries safe.' }),
    type: t.field({ type: ActivityTypeEnum, resolve: (a) => a.type }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime' }),
    properties: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Free-form properties (may hold personal data: null for viewers).',
      authScopes: { personalData: true },
      unauthorizedResolver: () => null,
      resolve: (a) => a.properties,
    }),
    sourceSystem: t.exposeString('sourceSystem', { nullable: true }),
    lead: t.field({ type: LeadRef, resolve: (a) => a.leadId }),
  }),
});

// Timelines of a page of leads come from one statement: a per-request DataLoader per argument set
// batches the leads and a window function keeps each lead's first rows.
const timelineLoaders = new WeakMap<object, Map<string, DataLoader<string, ActivityRow[]>>>();

function timelineLoader(ctx: Context, types: string[] | null | undefined, after: unknown[] | undefined, limit: number) {
  let byKey = timelineLoaders.get(ctx);
  if (!byKey) timelineLoaders.set(ctx, (byKey = new Map()));
  const key = JSON.stringify([types ?? null, after ?? null, limit]);
  let loader = byKey.get(key);
  if (!loader) {
    loader = new DataLoader<string, ActivityRow[]>(async (leadIds) => {
      const found = await rows<Record<string, unknown>>(
        ctx.db,
        sql`select id, client_event_id, lead_id, type, occurred_at, created_at as received_at, properties, source_system from (
            select a.*, row_number() over (partition by a.lead_id order by a.occurred_at desc, a.id desc) as n
            from activities a
            where a.lead_id = any(${`{${leadIds.join(',')}}`}::uuid[])
              ${types?.length ? sql`and a.type = any(${`{${types.join(',')}}`}::activity_type[])` : sql``}
              ${after ? sql`and (a.occurred_at, a.id) < (${after[0]}::timestamptz, ${after[1]}::bigint)` : sql``}
          ) x where n <= ${limit} order by lead_id, occurred_at desc, id desc`,
      );
      const list: ActivityRow[] = found.map((r) => ({
        id: Number(r.id),
        clientEventId: String(r.client_event_id),
        leadId: String(r.lead_id),
        type: r.type as ActivityRow['type'],
        occurredAt: new Date(r.occurred_at as string),
        receivedAt: new Date(r.received_at as string),
        properties: (typeof r.properties === 'string' ? JSON.parse(r.properties) : r.properties) as Record<string, unknown>,
        sourceSystem: (r.source_system as string | null) ?? null,
      }));
      return leadIds.map((id) => list.filter((a) => a.leadId === id));
    });
    byKey.set(key, loader);
  }
  return loader;
}

builder.objectFields(LeadRef, (t) => ({
  activities: t.connection({
    complexity: connectionComplexity,
    type: ActivityRef,
    description: 'The lead’s activity timeline, newest first (one statement for all the leads of a page).',
    args: { types: t.arg({ type: [ActivityTypeEnum], required: false }) },
    resolve: (lead, args, ctx) =>
      // Cursors carry the activity id sealed (api/global-ids.ts): a plain one would count everyone's activities.
      keysetConnection(args, (a: ActivityRow) => [a.occurredAt.toISOString(), sealCursorID(ctx, 'Activity', a.id)], ['timestamp', 'text'], (page) => {
        const position = (cursor: unknown[] | undefined) => (cursor ? [cursor[0], openCursorID(ctx, 'Activity', cursor[1])] : undefined);
        const { limit, inverted } = page;
        const [before, after] = [position(page.before), position(page.after)];
        if (!before && !inverted) return timelineLoader(ctx, args.types, after, limit).load(lead.id);
        return ctx.db
          .select()
          .from(activities)
          .where(
            and(
              eq(activities.leadId, lead.id),
              args.types?.length ? inArray(activities.type, args.types) : undefined,
              after ? sql`(${activities.occurredAt}, ${activities.id}) < (${after[0]}::timestamptz, ${after[1]}::bigint)` : undefined,
              before ? sql`(${activities.occurredAt}, ${activities.id}) > (${before[0]}::timestamptz, ${before[1]}::bigint)` : undefined,
            ),
          )
          .orderBy(...(inverted ? [activities.occurredAt, activities.id] : [desc(activities.occurredAt), desc(activities.id)]))
          .limit(limit);
      }),
  }),
}));

const LeadIdentityInput = builder.inputType('ActivityLeadInput', {
  description: 'Fields for a lead the event creates when its e-mail is unknown.',
  fields: (t) => ({
    firstName: t.string({ required: false }),
    lastName: t.string({ required: false }),
    phone: t.string({ required: false }),
    title: t.string({ required: false }),
    seniority: t.string({ required: false }),
    department: t.string({ required: false }),
    companyName: t.string({ required: false }),
    companySize: t.int({ required: false }),
    industry: t.string({ required: false }),
    country: t.string({ required: false }),
    source: t.string({ required: false }),
    attributes: t.field({ type: 'JSON', required: false }),
  }),
});

const ActivityEventInput = builder.inputType('ActivityEventInput', {
  description: 'One event. Identify the lead by leadId, email or externalId; an unknown e-mail creates the lead when the agreement allows it.',
  fields: (t) => ({
    clientEventId: t.string({ required: true, description: 'Your unique id for this event: retries with the same id change nothing.' }),
    type: t.field({ type: ActivityTypeEnum, required: true }),
    occurredAt: t.field({ type: 'DateTime', required: true }),
    leadId: t.globalID({ required: false, for: LeadRef }),
    email: t.string({ required: false }),
    externalId: t.string({ required: false }),
    lead: t.field({ type: LeadIdentityInput, required: false }),
    properties: t.field({ type: 'JSON', required: false, description: 'e.g. {"url": "https://…/pricing", "campaign": "q1-launch"}' }),
    sourceSystem: t.string({ required: false, description: 'The sending tool, e.g. mautic, hubspot.' }),
  }),
});

const ActivityResultStatus = builder.enumType('ActivityResultStatus', {
  values: {
    RECORDED: { value: 'recorded', description: 'New: stored and scored.' },
    DUPLICATE: { value: 'duplicate', description: 'Seen before (same clientEventId): nothing changed.' },
  } as const,
});

const EventResultRef = builder
  .objectRef<{ clientEventId: string; status: 'recorded' | 'duplicate'; leadId: string; activityId: number | null; leadCreated: boolean }>('ActivityEventResult')
  .implement({
    fields: (t) => ({
      clientEventId: t.exposeString('clientEventId'),
      status: t.field({ type: ActivityResultStatus, resolve: (r) => r.status }),
      lead: t.field({ type: LeadRef, resolve: (r) => r.leadId }),
      activity: t.field({ type: ActivityRef, nullable: true, resolve: (r) => (r.activityId == null ? null : String(r.activityId)) }),
      leadCreated: t.exposeBoolean('leadCreated'),
    }),
  });

const RecordActivitiesPayload = builder
  .objectRef<{ results: { clientEventId: string; status: 'recorded' | 'duplicate'; leadId: string; activityId: number | null; leadCreated: boolean }[]; recorded: number; duplicates: number; leadsCreated: number; newMqls: string[] }>('RecordActivitiesPayload')
  .implement({
    description: 'What the batch did, event by event.',
    fields: (t) => ({
      recorded: t.exposeInt('recorded'),
      duplicates: t.exposeInt('duplicates'),
      leadsCreated: t.exposeInt('leadsCreated'),
      results: t.field({ type: [EventResultRef], resolve: (p) => p.results }),
      newMqls: t.field({ type: [LeadRef], description: 'Leads these events made MQL.', resolve: (p) => p.newMqls }),
    }),
  });

const TrafficInput = builder.inputType('DailyTrafficInput', {
  fields: (t) => ({
    day: t.field({ type: 'Date', required: true }),
    source: t.string({ required: true }),
    visitors: t.int({ required: true }),
  }),
});

const RecordDailyTrafficPayload = builder.objectRef<{ days: number }>('RecordDailyTrafficPayload').implement({
  fields: (t) => ({ days: t.exposeInt('days', { description: 'Rows written (a day and source sent again replaces its count).' }) }),
});

builder.mutationFields((t) => ({
  recordActivities: t.field({
    type: RecordActivitiesPayload,
    description: 'Ingest up to 1,000 activity events at once, exactly once each; scores, temperature and MQL transitions follow in the same transaction.',
    authScopes: { admin: true, marketing: true },
    args: { input: t.arg({ type: builder.inputType('RecordActivitiesInput', { fields: (f) => ({ events: f.field({ type: [ActivityEventInput], required: true }) }) }), required: true }) },
    errors: { types: [ValidationError] },
    resolve: (_root, { input }, ctx) =>
      recordActivities(
        ctx.db,
        input.events.map((e) => ({ ...e, leadId: e.leadId?.id ?? null, properties: (e.properties as Record<string, unknown> | null) ?? undefined })),
      ),
  }),
  recordDailyTraffic: t.field({
    type: RecordDailyTrafficPayload,
    description: 'Visitors per source and day (anonymous traffic, for visitor → lead rates). Idempotent.',
    authScopes: { admin: true, marketing: true },
    args: { input: t.arg({ type: builder.inputType('RecordDailyTrafficInput', { fields: (f) => ({ days: f.field({ type: [TrafficInput], required: true }) }) }), required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_root, { input }, ctx) => ({ days: await recordDailyTraffic(ctx.db, input.days) }),
  }),
}));
