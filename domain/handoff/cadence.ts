import { businessMinutesBetween, addBusinessMinutes, type BusinessCalendar } from '../clocks/business-hours';

export type CadenceFlag = 'too_soon' | 'channel_not_allowed' | 'after_max_span' | 'beyond_max_attempts';

export interface CadenceRules {
  allowedChannels: string[];
  maxAttempts: number;
  minIntervalBusinessMinutes: number;
  maxSpanDays: number;
  /** Outcomes that end the follow-up obligation (and count as progress: no automatic recycle). */
  endingOutcomes: string[];
}

const DAY_MS = 86_400_000;

/** What an attempt breaks of the cadence: flagged, never refused (PRODUCT.md). */
export function cadenceFlags(
  rules: CadenceRules,
  calendar: BusinessCalendar,
  attempt: { channel: string; at: Date; number: number },
  previousAt: Date | null,
  handedOffAt: Date | null,
): CadenceFlag[] {
  const flags: CadenceFlag[] = [];
  if (previousAt && calendar.hours.length && businessMinutesBetween(previousAt, attempt.at, calendar) < rules.minIntervalBusinessMinutes) flags.push('too_soon');
  if (!rules.allowedChannels.includes(attempt.channel)) flags.push('channel_not_allowed');
  if (handedOffAt && attempt.at.getTime() - handedOffAt.getTime() > rules.maxSpanDays * DAY_MS) flags.push('after_max_span');
  if (attempt.number > rules.maxAttempts) flags.push('beyond_max_attempts');
  return flags;
}

/** When the next attempt is due: the minimum interval after the last one, in business time. */
export function nextAttemptDue(rules: CadenceRules, calendar: BusinessCalendar, lastAt: Date, attempts: number): Date | null {
  if (attempts >= rules.maxAttempts || calendar.hours.length === 0) return null;
  return addBusinessMinutes(lastAt, rules.minIntervalBusinessMinutes, calendar);
}

/** The default ending outcomes: the lead is talking to Sales. */
export const PROGRESS_OUTCOMES = new Set(['connected', 'replied', 'meeting_booked']);

/** Whether an attempt's outcome ends the follow-up obligation under these rules. */
export function endsCadence(rules: CadenceRules | null, outcome: string): boolean {
  return rules ? rules.endingOutcomes.includes(outcome) : PROGRESS_OUTCOMES.has(outcome);
}
