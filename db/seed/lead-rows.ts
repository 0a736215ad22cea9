// The rows one simulated lead leaves behind: its activities (ids assigned in time order), the
// score ledger, nurture enrolments and the lead itself, whose scores are computed from exactly
// the ledger rows written here.
import { decayedPoints, fitGradeFor, roundScore, temperatureFor, type InterestRule } from '../../domain/scoring/rules';
import type { LifecycleStage } from '../schema/enums';
import type { GenActivity } from './activity-plan';
import type { SeedAgreement, SeedWorkflow } from './agreement';
import { isoTime as iso } from './calendar';
import type { LeadProfile } from './lead-profile';
import type { RowBuffers } from './row-buffers';
import type { IdCounters } from './sales-story';

export interface Enrolment {
  id: string;
  workflow: SeedWorkflow;
  enrolledAt: number;
  source: 'rule' | 'manual';
  enrolledById: string | null;
  /** When each step is (or would be) sent. */
  sendTimes: number[];
  endedAt?: number;
  exitReason?: string;
}

export interface FinishedLead {
  lead: LeadProfile;
  stage: LifecycleStage;
  stageChangedAt: number;
  version: number;
  ownerId: string | null;
  handoffStatus: 'none' | 'held' | 'routed' | 'accepted' | 'rejected';
  missingFields: string[];
  handedOffAt: number | null;
  /** In time order, all before `now`. */
  activities: GenActivity[];
  interestAwards: { rule: InterestRule & { id: string }; activity: GenActivity }[];
  enrolments: Enrolment[];
}

export function writeLeadRows(
  ctx: { agreement: SeedAgreement; now: number; out: RowBuffers; ids: IdCounters },
  finished: FinishedLead,
): void {
  const { agreement, now, out, ids } = ctx;
  const { lead } = finished;
  let lastActivityAt: number | null = null;
  for (const activity of finished.activities) {
    activity.id = ++ids.activity;
    lastActivityAt = activity.at;
    out.push('activities', [
      activity.id, `seed-${activity.id}`, lead.id, activity.type, iso(activity.at),
      iso(Math.min(now, activity.at + 1000 + (activity.id % 90) * 1000)), activity.properties, activity.sourceSystem,
    ]);
  }

  const created = iso(lead.createdAt);
  for (const award of lead.fitAwards) {
    out.push('score_ledger', [lead.id, agreement.revisionId, award.rule.id, null, 'fit', 'fit_rule', award.points, null, created, created]);
  }
  const nowDate = new Date(now);
  let interest = 0;
  for (const { rule, activity } of finished.interestAwards) {
    const halfLife = rule.decayHalfLifeDays ?? null;
    interest += decayedPoints(rule.points, halfLife, new Date(activity.at), nowDate);
    out.push('score_ledger', [
      lead.id, agreement.revisionId, rule.id, activity.id!, 'interest', 'interest_rule', rule.points, halfLife,
      iso(activity.at), iso(Math.min(now, activity.at + 2000)),
    ]);
  }
  const interestScore = roundScore(interest);

  for (const enrolment of finished.enrolments) writeEnrolment(out, lead.id, enrolment, now);

  const updatedAt = Math.max(finished.stageChangedAt, lastActivityAt ?? lead.createdAt);
  out.push('leads', [
    lead.id, lead.externalId, lead.email, lead.firstName, lead.lastName, lead.phone, lead.title, lead.seniority,
    lead.department, lead.companyName, lead.companySize, lead.industry, lead.country, lead.source, lead.attributes,
    lead.account?.id ?? null, finished.ownerId, agreement.agreementId, agreement.revisionId, finished.stage,
    iso(finished.stageChangedAt), lead.fitScore, interestScore, iso(now),
    temperatureFor(agreement.temperatureBands, lead.fitScore + interestScore), fitGradeFor(agreement.fitGrades, lead.fitScore),
    finished.handoffStatus, finished.missingFields, finished.handedOffAt === null ? null : iso(finished.handedOffAt),
    lastActivityAt === null ? null : iso(lastActivityAt), finished.version, created, iso(updatedAt),
  ]);
}

/** An enrolment ended early is exited; one whose last step went out is completed; else active. */
function writeEnrolment(out: RowBuffers, leadId: string, enrolment: Enrolment, now: number): void {
  const ended = enrolment.endedAt;
  const sends = enrolment.sendTimes;
  const lastSend = sends[sends.length - 1] ?? enrolment.enrolledAt;
  let status: 'active' | 'completed' | 'exited';
  let endedAt: number | null = null;
  let nextPosition: number;
  let nextDue: number | null = null;
  if (ended !== undefined) {
    status = 'exited';
    endedAt = ended;
    nextPosition = sends.filter((t) => t <= ended).length + 1;
  } else if (lastSend < now) {
    status = 'completed';
    endedAt = lastSend;
    nextPosition = sends.length + 1;
  } else {
    status = 'active';
    nextPosition = sends.filter((t) => t < now).length + 1;
    nextDue = sends[nextPosition - 1] ?? null;
  }
  out.push('nurture_enrolments', [
    enrolment.id, leadId, enrolment.workflow.id, status, enrolment.source, enrolment.enrolledById, nextPosition,
    nextDue === null ? null : iso(nextDue), iso(enrolment.enrolledAt), endedAt === null ? null : iso(endedAt),
    enrolment.exitReason ?? null,
  ]);
}
