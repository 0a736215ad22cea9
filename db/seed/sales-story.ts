// What Sales does with a hand-off: routing to a rep, the rep's first look (fast or slow), accept
// or reject with a reason, the follow-up cadence, and — for some — an opportunity that is won or
// lost. SLA clocks and breaches follow from the rep's actual timing.
import { createHash } from 'node:crypto';
import type { ContactChannel, ContactOutcome, LifecycleStage, RecycleTrigger } from '../schema/enums';
import type { SeedAgreement } from './agreement';
import type { BusinessClock } from './business-time';
import { DAY_MS, HOUR_MS, MINUTE_MS, isoTime } from './calendar';
import type { LeadProfile } from './lead-profile';
import { Random, WeightedTable, clamp } from './random';
import type { RowBuffers } from './row-buffers';
import type { RepProfile } from './users';
import { opportunityProducts } from './vocabulary';

export interface StageChange {
  at: number;
  from: LifecycleStage;
  to: LifecycleStage;
  actorUserId: string | null;
  reason: string | null;
  reasonCode: string | null;
  /** Changes of one story share a chain; if one no longer applies, the rest are dropped too. */
  chain: number;
  recycle?: { trigger: RecycleTrigger; reasonCode: string; repId: string | null };
}

export interface HandoffPlay {
  rep: RepProfile;
  changes: StageChange[];
  handoffStatus: 'routed' | 'accepted' | 'rejected';
  decidedAt: number | null;
  firstContactAt: number | null;
}

/** One hand-off as the handoffs table keeps it (domain/handoff/handoff.ts). */
export interface SeedHandoff {
  id: string;
  trigger: string;
  requestedAt: number;
  state: 'held' | 'routed' | 'accepted' | 'rejected' | 'withdrawn';
  missingFields: string[];
  heldAt: number | null;
  releasedAt: number | null;
  ownerId: string | null;
  handedOffAt: number | null;
  decidedAt: number | null;
  firstContactAt: number | null;
}

/** A deterministic UUID (v4 layout) from a lead id and a counter: no draw from the seed's random streams. */
export function seedUuid(leadId: string, n: number): string {
  const hex = createHash('sha1').update(`${leadId}:${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A contact attempt while it is planned; gap = business minutes since the previous one. */
interface Attempt {
  at: number;
  channel: ContactChannel;
  outcome: ContactOutcome;
  gap: number;
}

export interface IdCounters {
  activity: number;
  clock: number;
}

type SqlOutcome = 'opportunity' | 'no_response' | 'bad_timing' | 'not_interested' | 'wrong_contact';
const sqlOutcomes = WeightedTable.of<Exclude<SqlOutcome, 'opportunity'>>([
  ['no_response', 45],
  ['bad_timing', 25],
  ['not_interested', 18],
  ['wrong_contact', 12],
]);
const lostReasons = WeightedTable.of<string>([
  ['competitor', 35],
  ['no_budget', 25],
  ['no_decision', 25],
  ['bad_timing', 15],
]);
const iso = isoTime;

export class SalesFloor {
  private readonly swrr = new Map<string, number>();
  private readonly labels = new Map<string, string>();
  private readonly allowedChannels: Set<string>;

  constructor(
    private readonly rng: Random,
    private readonly agreement: SeedAgreement,
    private readonly clock: BusinessClock,
    private readonly reps: RepProfile[],
    private readonly now: number,
    private readonly out: RowBuffers,
    private readonly ids: IdCounters,
  ) {
    for (const [kind, reasons] of Object.entries(agreement.reasonCodes)) {
      for (const reason of reasons) this.labels.set(`${kind}:${reason.code}`, reason.label);
    }
    this.allowedChannels = new Set(agreement.cadence.allowedChannels);
  }

  private label(kind: string, code: string): string {
    return this.labels.get(`${kind}:${code}`) ?? code;
  }

  /** Smooth weighted round-robin over the reps employed at `at` (as the routing settings say). */
  route(at: number): RepProfile {
    let pool = this.reps.filter((rep) => rep.joinedAt <= at && (rep.leftAt === null || at < rep.leftAt));
    if (pool.length === 0) pool = this.reps.filter((rep) => rep.active);
    let best: RepProfile | null = null;
    let bestWeight = -Infinity;
    let total = 0;
    for (const rep of pool) {
      const current = (this.swrr.get(rep.id) ?? 0) + rep.weight;
      this.swrr.set(rep.id, current);
      total += rep.weight;
      if (current > bestWeight) {
        bestWeight = current;
        best = rep;
      }
    }
    this.swrr.set(best!.id, bestWeight - total);
    return best!;
  }

  /**
   * Plays one hand-off routed at `handoffAt`. Writes attempts, the opportunity and SLA clocks;
   * returns the stage changes for the caller to apply in time order. Nothing happens after `now`.
   */
  play(lead: LeadProfile, handoffAt: number, chain: number, quality: number, handoff: SeedHandoff): HandoffPlay {
    const { rng, clock, now, agreement } = this;
    const rep = this.route(handoffAt);
    const work = clock.addBusinessMinutes(handoffAt, rng.logNormal(rep.responseMedianMinutes, 0.7));
    const decided = work + rng.int(2, 25) * MINUTE_MS;
    const changes: StageChange[] = [];
    const attempts: Attempt[] = [];
    let status: HandoffPlay['handoffStatus'] = 'routed';
    let sqlExit: number | null = null;
    if (decided < now) {
      const accept = rng.chance(clamp(0.31 * quality * rep.acceptBias, 0.04, 0.9));
      if (accept) {
        status = 'accepted';
        changes.push({ at: decided, from: 'mql', to: 'sql', actorUserId: rep.id, reason: 'Accepted by Sales', reasonCode: null, chain });
        sqlExit = this.followUp(lead, rep, work, decided, quality, attempts, changes, chain);
      } else {
        status = 'rejected';
        this.reject(lead, rep, work, decided, attempts, changes, chain);
      }
    }

    this.writeAttempts(lead, rep, attempts);
    const firstAttempt = attempts[0]?.at ?? null;
    const decidedAt = decided < now ? decided : null;
    const { acceptance, response, timeInStage } = agreement.clocks;
    this.writeClock(lead, rep, acceptance.id, 'acceptance', handoffAt, acceptance.businessMinutes, decidedAt, handoff.id);
    this.writeClock(lead, rep, response.id, 'response', handoffAt, response.businessMinutes, firstAttempt ?? decidedAt, handoff.id, firstAttempt === null);
    // The stage's stuck-lead clock runs from the move to MQL, whether the hand-off was held or not.
    if (timeInStage.mql) this.writeClock(lead, rep, timeInStage.mql.id, 'time_in_stage', handoff.requestedAt, timeInStage.mql.businessMinutes, decidedAt, null, false, 'mql');
    if (timeInStage.sql && status === 'accepted') {
      this.writeClock(lead, rep, timeInStage.sql.id, 'time_in_stage', decided, timeInStage.sql.businessMinutes, sqlExit, null, false, 'sql');
    }
    return { rep, changes, handoffStatus: status, decidedAt, firstContactAt: firstAttempt };
  }

  private reject(
    lead: LeadProfile,
    rep: RepProfile,
    work: number,
    decided: number,
    attempts: Attempt[],
    changes: StageChange[],
    chain: number,
  ): void {
    const rng = this.rng;
    const junior = lead.seniority === 'entry' || lead.seniority === 'senior' || lead.seniority === null;
    const code = rng.weighted<string>([
      ['not_a_fit', lead.fitScore < 40 ? 40 : 12],
      ['not_decision_maker', junior ? 30 : 6],
      ['insufficient_interest', 22],
      ['bad_timing', 12],
      ['no_budget', 8],
      ['bad_data', lead.phone ? 2 : 8],
      ['duplicate', 3],
    ]);
    if (code !== 'duplicate' && rng.chance(0.3)) {
      const outcome: ContactOutcome =
        code === 'bad_data' ? 'wrong_contact' : code === 'bad_timing' ? 'bad_timing' : code === 'no_budget' ? 'not_interested' : code === 'insufficient_interest' ? rng.pick(['no_answer', 'voicemail'] as const) : 'connected';
      attempts.push({ at: work, channel: 'phone', outcome, gap: Infinity });
    }
    const disqualify = code === 'bad_data' || code === 'duplicate' || (code === 'not_a_fit' && rng.chance(0.4));
    if (disqualify) {
      changes.push({ at: decided, from: 'mql', to: 'disqualified', actorUserId: rep.id, reason: this.label('disqualify', code), reasonCode: code, chain });
    } else {
      changes.push({
        at: decided,
        from: 'mql',
        to: 'recycled',
        actorUserId: rep.id,
        reason: `Rejected: ${this.label('reject', code)}`,
        reasonCode: code,
        chain,
        recycle: { trigger: 'rejected', reasonCode: code, repId: rep.id },
      });
    }
  }

  /** The cadence after acceptance; returns when the lead left SQL (or null if it is still there). */
  private followUp(
    lead: LeadProfile,
    rep: RepProfile,
    work: number,
    decided: number,
    quality: number,
    attempts: Attempt[],
    changes: StageChange[],
    chain: number,
  ): number | null {
    const { rng, clock, now } = this;
    const { maxAttempts, minIntervalBusinessMinutes } = this.agreement.cadence;
    const outcome: SqlOutcome = rng.chance(clamp(0.42 * Math.pow(quality, 0.8), 0.08, 0.85)) ? 'opportunity' : sqlOutcomes.pick(rng);
    const planned =
      outcome === 'opportunity'
        ? Math.min(maxAttempts, 1 + Math.floor(rng.exponential(1.3)))
        : outcome === 'no_response'
          ? rng.chance(rep.persistence) ? maxAttempts : rng.int(3, maxAttempts - 1)
          : outcome === 'bad_timing' ? rng.int(1, 4) : rng.int(1, 3);

    let at = work;
    let gap = Infinity;
    for (let n = 1; n <= planned; n++) {
      if (at >= now) return null; // the story continues after today
      const last = n === planned;
      let channel: ContactChannel = rep.channels.pick(rng);
      if (rep.offChannelRate > 0 && rng.chance(rep.offChannelRate)) channel = rng.pick(['social', 'sms'] as const);
      const result: ContactOutcome = last
        ? outcome === 'opportunity' ? 'meeting_booked' : outcome === 'no_response' ? this.silence(channel) : outcome
        : outcome === 'opportunity' && rng.chance(0.25) ? (channel === 'email' ? 'replied' : 'connected') : this.silence(channel);
      attempts.push({ at, channel, outcome: result, gap });
      if (!last) {
        gap = rng.chance(rep.tooSoonRate) ? rng.int(30, minIntervalBusinessMinutes - 10) : minIntervalBusinessMinutes + rng.logNormal(420, 0.7);
        at = clock.addBusinessMinutes(at, gap);
      }
    }
    const afterDecision = (t: number) => Math.max(t, decided + rng.int(5, 30) * MINUTE_MS);
    const lastAt = at;

    switch (outcome) {
      case 'opportunity': {
        const opened = afterDecision(lastAt + rng.int(1, 6) * DAY_MS + rng.int(0, 8) * HOUR_MS);
        if (opened >= now) return null;
        changes.push({ at: opened, from: 'sql', to: 'opportunity', actorUserId: rep.id, reason: 'Discovery meeting held', reasonCode: null, chain });
        this.opportunity(lead, rep, opened, quality, changes, chain);
        return opened;
      }
      case 'no_response': {
        const automatic = planned === maxAttempts;
        const exit = afterDecision(lastAt + (automatic ? rng.int(30, 240) * MINUTE_MS : rng.int(1, 3) * DAY_MS));
        if (exit >= now) return null;
        changes.push({
          at: exit,
          from: 'sql',
          to: 'recycled',
          actorUserId: automatic ? null : rep.id,
          reason: automatic ? `No response after ${maxAttempts} attempts` : this.label('recycle', 'no_response'),
          reasonCode: 'no_response',
          chain,
          recycle: { trigger: automatic ? 'max_attempts' : 'manual', reasonCode: 'no_response', repId: automatic ? null : rep.id },
        });
        return exit;
      }
      default: {
        const exit = afterDecision(lastAt + rng.int(5, 90) * MINUTE_MS);
        if (exit >= now) return null;
        let to: LifecycleStage = 'recycled';
        let code = 'bad_timing';
        if (outcome === 'not_interested') {
          if (rng.chance(0.55)) [to, code] = ['disqualified', rng.pick(['no_budget', 'not_a_fit'])];
          else code = rng.pick(['no_budget', 'no_decision']);
        } else if (outcome === 'wrong_contact') {
          if (rng.chance(0.5)) [to, code] = ['disqualified', 'bad_data'];
          else code = 'not_decision_maker';
        }
        const kind = to === 'disqualified' ? 'disqualify' : 'recycle';
        changes.push({
          at: exit,
          from: 'sql',
          to,
          actorUserId: rep.id,
          reason: this.label(kind, code),
          reasonCode: code,
          chain,
          ...(to === 'recycled' ? { recycle: { trigger: 'manual' as const, reasonCode: code, repId: rep.id } } : {}),
        });
        return exit;
      }
    }
  }

  private silence(channel: ContactChannel): ContactOutcome {
    if (channel === 'email') return 'email_sent';
    if (channel === 'phone') return this.rng.chance(0.5) ? 'voicemail' : 'no_answer';
    return 'no_answer';
  }

  private opportunity(lead: LeadProfile, rep: RepProfile, opened: number, quality: number, changes: StageChange[], chain: number): void {
    const { rng, now } = this;
    // Deal size grows gently with company size; the mean lands near the agreed $20,000.
    const sizeFactor = clamp(Math.pow((lead.companySize ?? 150) / 300, 0.12), 0.7, 1.6);
    const amount = Math.max(200_000, Math.round((rng.logNormal(1_650_000, 0.55) * sizeFactor) / 50_000) * 50_000);
    const won = rng.chance(clamp(0.2 * Math.pow(quality, 0.6) * rep.winSkill, 0.05, 0.6));
    const closeAt = opened + Math.round((won ? rng.logNormal(48, 0.45) : rng.logNormal(38, 0.6)) * DAY_MS);
    const company = lead.companyName ?? `${lead.firstName} ${lead.lastName}`;
    const id = rng.uuid();
    let stageKey: string;
    let status: 'open' | 'won' | 'lost' = 'open';
    let lostReason: string | null = null;
    let closedAt: number | null = null;
    let updatedAt: number;
    if (closeAt < now) {
      status = won ? 'won' : 'lost';
      stageKey = status;
      closedAt = closeAt;
      updatedAt = closeAt;
      if (won) {
        changes.push({ at: closeAt, from: 'opportunity', to: 'customer', actorUserId: rep.id, reason: 'Closed won', reasonCode: null, chain });
      } else {
        const code = lostReasons.pick(rng);
        lostReason = this.label('recycle', code);
        // Recycled right after the loss (never after today, so lead and deal agree).
        const recycledAt = closeAt + rng.int(5, 120) * MINUTE_MS;
        changes.push({
          at: recycledAt < now ? recycledAt : closeAt + 1000,
          from: 'opportunity',
          to: 'recycled',
          actorUserId: rep.id,
          reason: `Closed lost: ${lostReason}`,
          reasonCode: code,
          chain,
          recycle: { trigger: 'manual', reasonCode: code, repId: rep.id },
        });
      }
    } else {
      const progress = (now - opened) / (closeAt - opened);
      stageKey = progress < 0.35 ? 'discovery' : progress < 0.7 ? 'proposal' : 'negotiation';
      updatedAt = opened + Math.round((now - opened) * rng.float(0.3, 1));
    }
    this.out.push('opportunities', [
      id, lead.id, lead.account?.id ?? null, rep.id, `${company} – ${rng.pick(opportunityProducts)}`, stageKey, amount, 'USD',
      status, lostReason, iso(opened), iso(Math.min(updatedAt, now)), closedAt === null ? null : iso(closedAt),
    ]);
  }

  private writeAttempts(lead: LeadProfile, rep: RepProfile, attempts: Attempt[]): void {
    const { maxSpanDays, minIntervalBusinessMinutes } = this.agreement.cadence;
    const first = attempts[0]?.at ?? 0;
    attempts.forEach((attempt, index) => {
      if (attempt.at >= this.now) return;
      const flags: string[] = [];
      if (attempt.gap < minIntervalBusinessMinutes) flags.push('too_soon');
      if (!this.allowedChannels.has(attempt.channel)) flags.push('channel_not_allowed');
      if (attempt.at - first > maxSpanDays * DAY_MS) flags.push('after_max_span');
      const notes =
        attempt.outcome === 'bad_timing' ? 'Asked us to come back next quarter'
        : attempt.outcome === 'meeting_booked' ? 'Discovery call booked'
        : attempt.outcome === 'wrong_contact' ? 'Number belongs to someone else'
        : attempt.outcome === 'voicemail' && this.rng.chance(0.3) ? 'Left voicemail'
        : null;
      this.out.push('contact_attempts', [
        lead.id, rep.id, attempt.channel, attempt.outcome, iso(attempt.at), notes, index + 1, flags, iso(attempt.at + 1000),
      ]);
    });
  }

  /**
   * One clock and, if it ran out, its breach. `stop` is when the awaited action happened. For the
   * response clock a decision without any attempt cancels it (nothing to respond to any more).
   */
  private writeClock(
    lead: LeadProfile,
    rep: RepProfile,
    ruleId: string,
    kind: 'acceptance' | 'response' | 'time_in_stage',
    startedAt: number,
    businessMinutes: number,
    stop: number | null,
    handoffId: string | null,
    cancelledByDecision = false,
    stage: LifecycleStage | null = null,
  ): void {
    const { now, rng, agreement } = this;
    const due = this.clock.addBusinessMinutes(startedAt, businessMinutes);
    const id = ++this.ids.clock;
    let status: 'running' | 'met' | 'breached' | 'cancelled';
    if (stop !== null) status = stop <= due ? (cancelledByDecision && stop !== null ? 'cancelled' : 'met') : 'breached';
    else status = now > due ? 'breached' : 'running';
    this.out.push('sla_clocks', [
      id, lead.id, ruleId, agreement.revisionId, kind, handoffId, stage, rep.id, status, iso(startedAt), iso(due), stop === null ? null : iso(stop),
    ]);
    if (status === 'breached') {
      const breachedAt = Math.min(due + rng.int(1, 5) * MINUTE_MS, stop ?? now, now);
      this.out.push('sla_breaches', [
        id, lead.id, ruleId, agreement.revisionId, kind, rep.id, iso(due), iso(breachedAt), stop === null ? null : iso(stop), iso(breachedAt),
      ]);
    }
  }
}
