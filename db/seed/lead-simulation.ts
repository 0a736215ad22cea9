// One lead's life, replayed in time order: activities earn interest points through the real
// rules; the lead becomes MQL when fit and interest reach the thresholds (or on a demo/trial/
// consultation request); Sales plays the hand-off; recycled leads are nurtured and some come back.
// Every stored score is the sum of the ledger rows written here.
import { interestMatches, repeatAllows, type InterestRule } from '../../domain/scoring/rules';
import type { LeadSource, LifecycleStage } from '../schema/enums';
import { planActivities, planNurtureEngagement, planReengagement, type GenActivity } from './activity-plan';
import type { SeedAgreement, SeedWorkflow } from './agreement';
import type { BusinessClock } from './business-time';
import { DAY_MS, HOUR_MS, MINUTE_MS, isoTime } from './calendar';
import { writeLeadRows, type Enrolment } from './lead-rows';
import type { LeadProfile, LeadProfileFactory } from './lead-profile';
import { Random } from './random';
import type { RowBuffers } from './row-buffers';
import { seedUuid, type IdCounters, type SalesFloor, type SeedHandoff, type StageChange } from './sales-story';
import { sourceProfiles } from './sources';

export interface SimulationContext {
  rng: Random;
  now: number;
  agreement: SeedAgreement;
  clock: BusinessClock;
  floor: SalesFloor;
  profiles: LeadProfileFactory;
  marketerIds: string[];
  out: RowBuffers;
  ids: IdCounters;
}

type Rule = InterestRule & { id: string };

// How likely a recycled lead comes back, by the reason it was returned.
const comebackChance: Record<string, number> = {
  bad_timing: 0.18,
  no_decision: 0.12,
  insufficient_interest: 0.1,
  no_budget: 0.08,
  no_response: 0.06,
  not_decision_maker: 0.05,
  competitor: 0.04,
};

/** Indexes the agreement once for the hot loop. */
export class LeadSimulator {
  private readonly rulesByType = new Map<string, Rule[]>();
  private readonly triggers: Set<string>;
  private readonly recycleRules = new Map<string, SeedAgreement['recycleRules'][number]>();
  private readonly workflowsById = new Map<string, SeedWorkflow>();

  constructor(private readonly ctx: SimulationContext) {
    for (const rule of ctx.agreement.interestRules) {
      const list = this.rulesByType.get(rule.activityType) ?? [];
      list.push(rule);
      this.rulesByType.set(rule.activityType, list);
    }
    this.triggers = new Set(ctx.agreement.triggerActivityTypes);
    for (const rule of ctx.agreement.recycleRules) this.recycleRules.set(`${rule.trigger}:${rule.reasonCode}`, rule);
    for (const workflow of ctx.agreement.workflows) this.workflowsById.set(workflow.id, workflow);
  }

  simulate(index: number, leadId: string, createdAt: number, source: LeadSource): void {
    new LeadRun(this.ctx, this, this.ctx.profiles.make(index, leadId, createdAt, source)).run();
  }

  rulesFor(type: string): Rule[] {
    return this.rulesByType.get(type) ?? [];
  }

  isTrigger(type: string): boolean {
    return this.triggers.has(type);
  }

  recycleRule(trigger: string, code: string) {
    return this.recycleRules.get(`${trigger}:${code}`);
  }

  workflow(id: string | null | undefined): SeedWorkflow | undefined {
    return id ? this.workflowsById.get(id) : undefined;
  }

  workflowByKey(key: string): SeedWorkflow | undefined {
    return this.ctx.agreement.workflows.find((w) => w.key === key);
  }
}

class LeadRun {
  private stage: LifecycleStage = 'lead';
  private lastTransitionAt: number;
  private version = 1;
  private ownerId: string | null = null;
  private handoffStatus: 'none' | 'held' | 'routed' | 'accepted' | 'rejected' = 'none';
  private missingFields: string[] = [];
  private handedOffAt: number | null = null;
  /** This lead's hand-offs, written with the lead (the handoffs table). */
  private readonly handoffRecords: SeedHandoff[] = [];
  private requalifyAt = Infinity;
  private handoffs = 0;
  private chains = 0;
  private readonly dropped = new Set<number>();
  private readonly pending: StageChange[] = [];
  private readonly routes: { at: number; chain: number; quality: number }[] = [];
  private queue: GenActivity[];
  private cursor = 0;
  private readonly awards = new Map<string, Date[]>();
  private readonly interestRows: { rule: Rule; activity: GenActivity }[] = [];
  private readonly decay = new Map<number, { value: number; asOf: number }>();
  private readonly enrolments: Enrolment[] = [];
  private active: Enrolment | null = null;

  constructor(
    private readonly ctx: SimulationContext,
    private readonly sim: LeadSimulator,
    private readonly lead: LeadProfile,
  ) {
    this.lastTransitionAt = lead.createdAt;
    this.queue = planActivities(ctx.rng, lead, ctx.now);
  }

  run(): void {
    const { lead, ctx } = this;
    const first = this.queue[0];
    this.transition(null, 'lead', null, `Created from ${first?.type ?? 'import'}`, null, lead.createdAt);
    this.scheduleMarketingCleanup();

    for (;;) {
      const activity = this.queue[this.cursor];
      const change = this.pending[0];
      const route = this.routes[0];
      const nextEventAt = Math.min(change?.at ?? Infinity, route?.at ?? Infinity);
      if (nextEventAt !== Infinity && (!activity || nextEventAt <= activity.at)) {
        if (nextEventAt >= ctx.now) break;
        if (route && route.at === nextEventAt) this.route(this.routes.shift()!);
        else this.apply(this.pending.shift()!);
        continue;
      }
      if (!activity) break;
      this.process(activity);
      this.cursor++;
    }
    this.write();
  }

  // ---- scoring -------------------------------------------------------------------------------

  private interestAt(at: number): number {
    let total = 0;
    for (const [halfLife, group] of this.decay) {
      total += halfLife === 0 ? group.value : group.value * Math.pow(0.5, (at - group.asOf) / (halfLife * DAY_MS));
    }
    return total;
  }

  private addInterest(points: number, halfLife: number | null | undefined, at: number): void {
    const key = halfLife ?? 0;
    const group = this.decay.get(key);
    if (!group) this.decay.set(key, { value: points, asOf: at });
    else {
      // Bring the running sum to `at` and add: equal to decaying every award on its own.
      group.value = (key === 0 ? group.value : group.value * Math.pow(0.5, (at - group.asOf) / (key * DAY_MS))) + points;
      group.asOf = at;
    }
  }

  private process(activity: GenActivity): void {
    const { ctx, lead } = this;
    const at = activity.at;
    for (const rule of this.sim.rulesFor(activity.type)) {
      if (!interestMatches(rule, activity)) continue;
      const history = this.awards.get(rule.id) ?? [];
      const when = new Date(at);
      if (!repeatAllows(rule, history, when)) continue;
      history.push(when);
      this.awards.set(rule.id, history);
      this.interestRows.push({ rule, activity });
      this.addInterest(rule.points, rule.decayHalfLifeDays, at);
    }

    if (this.stage === 'lead' || this.stage === 'recycled') {
      const { mqlFitThreshold, mqlInterestThreshold } = ctx.agreement;
      if (this.sim.isTrigger(activity.type)) {
        this.handoff(at + ctx.rng.int(5, 90) * 1000, `Hand-off trigger: ${activity.type}`, activity.type);
      } else if (
        (this.stage === 'lead' || at >= this.requalifyAt) &&
        lead.fitScore >= mqlFitThreshold &&
        this.interestAt(at) >= mqlInterestThreshold
      ) {
        const interest = Math.round(this.interestAt(at));
        this.handoff(at + ctx.rng.int(30, 600) * 1000, `Score reached MQL: fit ${lead.fitScore}, interest ${interest}`, null);
      }
    }
    if (
      activity.type === 'email_bounce' &&
      activity.properties.bounce_type === 'hard' &&
      (this.stage === 'lead' || this.stage === 'recycled')
    ) {
      this.schedule({
        at: ctx.clock.addBusinessMinutes(at, ctx.rng.int(60, 2400)),
        from: this.stage,
        to: 'disqualified',
        actorUserId: ctx.rng.pick(ctx.marketerIds),
        reason: 'E-mail address bounced',
        reasonCode: 'bad_data',
        chain: ++this.chains,
      });
    }
  }

  // ---- stage machine -------------------------------------------------------------------------

  private transition(
    from: LifecycleStage | null,
    to: LifecycleStage,
    actorUserId: string | null,
    reason: string | null,
    reasonCode: string | null,
    at: number,
  ): void {
    const { ctx, lead } = this;
    ctx.out.push('stage_transitions', [
      lead.id, from, to, ctx.agreement.revisionId, actorUserId ? 'user' : 'system', actorUserId, reason, reasonCode, isoTime(at), isoTime(at),
    ]);
    if (from !== null) this.version++;
    this.stage = to;
    this.lastTransitionAt = at;
  }

  private schedule(change: StageChange): void {
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.at > change.at) i--;
    this.pending.splice(i, 0, change);
  }

  /** Marketing weeds out students and duplicates within days of creation. */
  private scheduleMarketingCleanup(): void {
    const { ctx, lead } = this;
    let code: string | null = null;
    if (lead.nonBuyer && lead.title && /student|job seeker/i.test(lead.title) && ctx.rng.chance(0.55)) code = 'student_or_job_seeker';
    else if (ctx.rng.chance(0.01)) code = 'duplicate';
    else if (ctx.rng.chance(0.003)) code = 'competitor';
    if (!code) return;
    this.schedule({
      at: ctx.clock.addBusinessMinutes(lead.createdAt, ctx.rng.int(120, 4800)),
      from: 'lead',
      to: 'disqualified',
      actorUserId: ctx.rng.pick(ctx.marketerIds),
      reason: code === 'duplicate' ? 'Duplicate of an existing lead' : code === 'competitor' ? 'Works for a competitor' : 'Student or job seeker',
      reasonCode: code,
      chain: ++this.chains,
    });
  }

  private apply(change: StageChange): void {
    if (this.dropped.has(change.chain)) return;
    if (change.from !== this.stage) {
      this.dropped.add(change.chain); // the world moved on: the rest of that story cannot happen
      return;
    }
    const at = Math.max(change.at, this.lastTransitionAt + 1000);
    if (at >= this.ctx.now) return;
    this.transition(change.from, change.to, change.actorUserId, change.reason, change.reasonCode, at);
    if (change.to === 'recycled' && change.recycle) this.recycled(at, change.recycle);
    if (change.to === 'disqualified') this.endEnrolment(at, 'disqualified');
  }

  private handoff(requestedAt: number, reason: string, trigger: string | null): void {
    const { ctx, lead } = this;
    const at = Math.max(requestedAt, this.lastTransitionAt + 1000);
    if (at >= ctx.now) return;
    this.transition(this.stage, 'mql', null, reason, null, at);
    const previous = this.handoffRecords.at(-1);
    if (previous && (previous.state === 'held' || previous.state === 'routed')) {
      previous.state = 'withdrawn';
      previous.decidedAt = at;
    }
    this.handoffRecords.push({
      id: seedUuid(lead.id, this.handoffRecords.length), trigger: trigger ?? 'mql', requestedAt: at, state: 'held', missingFields: [],
      heldAt: null, releasedAt: null, ownerId: null, handedOffAt: null, decidedAt: null, firstContactAt: null,
    });
    this.endEnrolment(at, 'handed_off');
    this.handoffs++;

    const gradeFactor = lead.fitScore >= 60 ? 1.35 : lead.fitScore >= 40 ? 1.05 : lead.fitScore >= 20 ? 0.6 : 0.35;
    const quality =
      gradeFactor *
      Math.sqrt(sourceProfiles[lead.source].quality) *
      (trigger ? 1.3 : 1) *
      (lead.buyer ? 1.35 : 0.8) *
      (lead.nonBuyer ? 0.15 : 1) *
      (this.handoffs > 1 ? 1.1 : 1);
    const chain = ++this.chains;

    const missing = this.missing();
    if (missing.length > 0) {
      // Held until someone completes the record; recent ones may still be waiting.
      this.handoffStatus = 'held';
      this.missingFields = missing;
      const record = this.handoffRecords.at(-1)!;
      record.heldAt = at;
      record.missingFields = missing;
      if (at < ctx.now - 21 * DAY_MS || ctx.rng.chance(0.7)) {
        this.routes.push({ at: at + ctx.rng.int(2, 72) * HOUR_MS, chain, quality });
      }
      return;
    }
    this.route({ at: at + ctx.rng.int(1, 30) * 1000, chain, quality });
  }

  private missing(): string[] {
    const { lead } = this;
    const missing: string[] = [];
    for (const field of this.ctx.agreement.requiredFields) {
      const value = field === 'email' ? lead.email : field === 'phone' ? lead.phone : field === 'company_name' ? lead.companyName : field === 'title' ? lead.title : 'present';
      if (!value) missing.push(field);
    }
    return missing;
  }

  private route(route: { at: number; chain: number; quality: number }): void {
    const { ctx, lead } = this;
    if (this.stage !== 'mql' || route.at >= ctx.now) return;
    // Enrichment fills the gaps with values no fit rule looks at, so the fit score stays valid.
    if (!lead.phone) lead.phone = ctx.profiles.enrichPhone(lead);
    if (!lead.companyName) lead.companyName = `${lead.lastName} ${ctx.rng.pick(['Consulting', 'Studio', 'Group', 'Ventures'])}`;
    if (!lead.title) lead.title = ctx.rng.pick(['Consultant', 'Project Lead', 'Specialist', 'Owner']);
    this.missingFields = [];
    const record = this.handoffRecords.at(-1)!;
    const play = ctx.floor.play(lead, route.at, route.chain, route.quality, record);
    if (this.ownerId !== play.rep.id) this.version++;
    this.ownerId = play.rep.id;
    this.handedOffAt = route.at;
    this.handoffStatus = play.handoffStatus;
    Object.assign(record, {
      state: play.handoffStatus, ownerId: play.rep.id, handedOffAt: route.at, releasedAt: record.heldAt === null ? null : route.at,
      decidedAt: play.decidedAt, firstContactAt: play.firstContactAt,
    });
    for (const change of play.changes) this.schedule(change);
  }

  // ---- recycle and nurture -------------------------------------------------------------------

  private recycled(at: number, recycle: NonNullable<StageChange['recycle']>): void {
    const { ctx } = this;
    const rule = this.sim.recycleRule(recycle.trigger, recycle.reasonCode);
    this.requalifyAt = at + (rule?.requalifyAfterDays ?? 30) * DAY_MS;
    // Sent back by Sales, most people go quiet: keep only part of their own future activity.
    this.queue = this.queue.filter((a, i) => i < this.cursor || a.enrolmentId !== undefined || a.comeback || ctx.rng.chance(0.15));
    let workflow = this.sim.workflow(rule?.workflowId);
    let source: Enrolment['source'] = 'rule';
    if (recycle.repId && ctx.rng.chance(0.12)) {
      // Sales sometimes picks the workflow by hand for a lead it knows well.
      workflow = this.sim.workflowByKey(recycle.reasonCode === 'bad_timing' ? 'decision' : 'consideration') ?? workflow;
      source = 'manual';
    }
    if (workflow) this.enrol(at + ctx.rng.int(1, 10) * MINUTE_MS, workflow, source, source === 'manual' ? recycle.repId : null);
    if (ctx.rng.chance(comebackChance[recycle.reasonCode] ?? 0.03)) {
      const start = this.requalifyAt + ctx.rng.exponential(25 * DAY_MS);
      this.inject(planReengagement(ctx.rng, start, ctx.now, workflow?.key ?? 'newsletter'));
    }
  }

  private enrol(at: number, workflow: SeedWorkflow, source: Enrolment['source'], enrolledById: string | null): void {
    const { ctx } = this;
    if (at >= ctx.now) return;
    this.endEnrolment(at, 'replaced');
    const sendTimes: number[] = [];
    let t = at;
    for (const step of workflow.steps) {
      t += step.delayDays * DAY_MS;
      sendTimes.push(t);
    }
    const enrolment: Enrolment = { id: ctx.rng.uuid(), workflow, enrolledAt: at, source, enrolledById, sendTimes };
    this.enrolments.push(enrolment);
    this.active = enrolment;
    const engaged: GenActivity[] = [];
    workflow.steps.forEach((step, i) => {
      const sentAt = sendTimes[i]!;
      if (step.channel !== 'email' || sentAt >= ctx.now) return;
      for (const activity of planNurtureEngagement(ctx.rng, sentAt, workflow.key, step.name, 0.3)) {
        activity.enrolmentId = enrolment.id;
        engaged.push(activity);
      }
    });
    this.inject(engaged);
  }

  private endEnrolment(at: number, reason: string): void {
    const enrolment = this.active;
    if (!enrolment) return;
    this.active = null;
    const lastSend = enrolment.sendTimes[enrolment.sendTimes.length - 1] ?? enrolment.enrolledAt;
    if (lastSend <= at) return; // it had already completed
    enrolment.endedAt = at;
    enrolment.exitReason = reason;
    // Steps after the exit are never sent, so nobody opens them (processed activities stay).
    this.queue = this.queue.filter((a, i) => i < this.cursor || a.enrolmentId !== enrolment.id || a.at <= at);
  }

  /**
   * Adds future activities to the time-ordered queue among those not processed yet. Only stage
   * changes inject (between activities), and always later than everything already processed.
   */
  private inject(activities: GenActivity[]): void {
    for (const activity of activities) {
      if (activity.at >= this.ctx.now) continue;
      let i = this.queue.length;
      while (i > this.cursor && this.queue[i - 1]!.at > activity.at) i--;
      this.queue.splice(i, 0, activity);
    }
  }

  // ---- output --------------------------------------------------------------------------------

  private write(): void {
    const { ctx } = this;
    for (const h of this.handoffRecords) {
      // A hand-off still held when its lead left MQL was withdrawn.
      if (h.state === 'held' && this.stage !== 'mql') h.state = 'withdrawn';
      const t = (v: number | null) => (v === null ? null : isoTime(v));
      ctx.out.push('handoffs', [
        h.id, this.lead.id, ctx.agreement.agreementId, ctx.agreement.revisionId, h.trigger, isoTime(h.requestedAt), h.state, h.missingFields,
        t(h.heldAt), t(h.releasedAt), t(h.releasedAt ?? h.heldAt ?? h.handedOffAt), h.ownerId, t(h.handedOffAt),
        t(h.decidedAt), t(h.firstContactAt), isoTime(h.requestedAt),
      ]);
    }
    writeLeadRows(this.ctx, {
      lead: this.lead,
      stage: this.stage,
      stageChangedAt: this.lastTransitionAt,
      version: this.version,
      ownerId: this.ownerId,
      handoffStatus: this.handoffStatus,
      missingFields: this.missingFields,
      handedOffAt: this.handedOffAt,
      activities: this.queue.slice(0, this.cursor),
      interestAwards: this.interestRows,
      enrolments: this.enrolments,
    });
  }
}
