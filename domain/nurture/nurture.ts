import { sql } from 'drizzle-orm';
import { rows, type Db, type DbOrTx } from '../../db/client';
import type { RevisionPolicy } from '../handoff/context';

// Nurture enrolments: one active enrolment per lead, a current step and when it is due. Due steps
// become nurture.step_due events for the automation tool that sends the content; the enrolment
// completes after its last step and ends when the lead is handed off again.

const DAY_MS = 86_400_000;

export async function enrol(
  tx: DbOrTx,
  input: { leadId: string; workflowId: string; source: 'rule' | 'manual'; enrolledById?: string | null; at: Date },
): Promise<string | null> {
  const [first] = await rows<{ delay_days: number }>(tx, sql`select delay_days from nurture_steps where workflow_id = ${input.workflowId}::uuid order by position limit 1`);
  if (!first) return null;
  await tx.execute(sql`update nurture_enrolments set status = 'exited', ended_at = ${input.at.toISOString()}::timestamptz, exit_reason = 'enrolled in another workflow'
    where lead_id = ${input.leadId}::uuid and status = 'active'`);
  const due = new Date(input.at.getTime() + first.delay_days * DAY_MS);
  const [row] = await rows<{ id: string }>(
    tx,
    sql`insert into nurture_enrolments (lead_id, workflow_id, status, source, enrolled_by_id, next_step_position, next_step_due_at, created_at)
      values (${input.leadId}::uuid, ${input.workflowId}::uuid, 'active', ${input.source}, ${input.enrolledById ?? null}::uuid, 1, ${due.toISOString()}::timestamptz, ${input.at.toISOString()}::timestamptz)
      returning id`,
  );
  return row!.id;
}

/** The workflow the agreement assigns to a recycle: the recycle rule's, else an ON_RECYCLE enrolment rule. */
export async function enrolOnRecycle(tx: DbOrTx, policy: RevisionPolicy, leadId: string, trigger: string, reasonCode: string | null, at: Date): Promise<string | null> {
  const rule = policy.recycleRules.find((r) => r.reasonCode === reasonCode && r.trigger === trigger) ?? policy.recycleRules.find((r) => r.reasonCode === reasonCode);
  let workflowId = rule?.nurtureWorkflowId ?? null;
  if (!workflowId) {
    const [byRule] = await rows<{ workflow_id: string }>(
      tx,
      sql`select e.workflow_id from nurture_enrolment_rules e join nurture_workflows w on w.id = e.workflow_id
        where e.revision_id = ${policy.revisionId}::uuid and e.trigger = 'on_recycle' and w.active
          and (e.reason_code is null or e.reason_code = ${reasonCode})
        order by (e.reason_code is null), w.key limit 1`,
    );
    workflowId = byRule?.workflow_id ?? null;
  }
  if (!workflowId) return null;
  return enrol(tx, { leadId, workflowId, source: 'rule', at });
}

/** Emits every due step (claimed with SKIP LOCKED) and moves its enrolment to the next step. */
export async function processDueSteps(db: Db, now = new Date(), limit = 1_000): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await rows<{ id: string; lead_id: string; workflow_id: string; next_step_position: number; next_step_due_at: Date }>(
      tx,
      sql`select id, lead_id, workflow_id, next_step_position, next_step_due_at from nurture_enrolments
        where status = 'active' and next_step_due_at <= ${now.toISOString()}::timestamptz
        order by next_step_due_at limit ${limit} for update skip locked`,
    );
    for (const enrolment of due) {
      const steps = await rows<{ position: number; name: string; content: string; channel: string; delay_days: number; key: string }>(
        tx,
        sql`select s.position, s.name, s.content, s.channel, s.delay_days, w.key from nurture_steps s join nurture_workflows w on w.id = s.workflow_id
          where s.workflow_id = ${enrolment.workflow_id}::uuid and s.position >= ${enrolment.next_step_position} order by s.position limit 2`,
      );
      const [step, next] = steps;
      if (step) {
        await tx.execute(sql`insert into outbox_events (event_type, lead_id, payload) values ('nurture.step_due', ${enrolment.lead_id}::uuid, ${JSON.stringify({
          enrolmentId: enrolment.id,
          leadId: enrolment.lead_id,
          workflow: step.key,
          step: { position: step.position, name: step.name, content: step.content, channel: step.channel },
          dueAt: new Date(enrolment.next_step_due_at).toISOString(),
        })}::jsonb)`);
      }
      if (next) {
        const nextDue = new Date(new Date(enrolment.next_step_due_at).getTime() + next.delay_days * DAY_MS);
        await tx.execute(sql`update nurture_enrolments set next_step_position = ${next.position}, next_step_due_at = ${nextDue.toISOString()}::timestamptz where id = ${enrolment.id}::uuid`);
      } else {
        await tx.execute(sql`update nurture_enrolments set status = 'completed', next_step_due_at = null, ended_at = ${now.toISOString()}::timestamptz where id = ${enrolment.id}::uuid`);
      }
    }
    return due.length;
  });
}

/**
 * Automatic enrolment by the agreement's rules for new leads (NEW_LEAD) or leads entering a stage
 * (STAGE_ENTERED). A lead already in an active workflow stays where it is.
 */
export async function enrolByRule(tx: DbOrTx, revisionId: string, leadIds: readonly string[], trigger: 'new_lead' | 'stage_entered', at: Date, stage?: string): Promise<number> {
  if (leadIds.length === 0) return 0;
  const [rule] = await rows<{ workflow_id: string }>(
    tx,
    sql`select e.workflow_id from nurture_enrolment_rules e join nurture_workflows w on w.id = e.workflow_id
      where e.revision_id = ${revisionId}::uuid and e.trigger = ${trigger} and w.active
        and (${stage ?? null}::lifecycle_stage is null or e.stage = ${stage ?? null}::lifecycle_stage)
      order by w.key limit 1`,
  );
  if (!rule) return 0;
  // One statement for the whole set (as enrol() does for one lead): leads already in an active
  // workflow are left alone, so no enrolment of theirs has to end; a workflow without steps enrols nobody.
  const iso = at.toISOString();
  const enrolled = await rows<{ id: string }>(
    tx,
    sql`with first as (select delay_days from nurture_steps where workflow_id = ${rule.workflow_id}::uuid order by position limit 1)
      insert into nurture_enrolments (lead_id, workflow_id, status, source, enrolled_by_id, next_step_position, next_step_due_at, created_at)
      select l.id, ${rule.workflow_id}::uuid, 'active', 'rule', null, 1, ${iso}::timestamptz + make_interval(secs => f.delay_days * 86400), ${iso}::timestamptz
      from unnest(${`{${[...new Set(leadIds)].join(',')}}`}::uuid[]) with ordinality as l(id, n) cross join first f
      where not exists (select 1 from nurture_enrolments e where e.lead_id = l.id and e.status = 'active')
      order by l.n
      returning id`,
  );
  return enrolled.length;
}
