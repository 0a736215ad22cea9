// What a lead does over time: the conversion that created it, then web sessions, e-mail
// engagement, downloads and webinars. Buyers come back more, look at pricing and ask for demos.
import type { ActivityType, LeadSource } from '../schema/enums';
import { DAY_MS, HOUR_MS, MINUTE_MS, sampleTimeOfDay, startOfUtcDay, weekdayFactor } from './calendar';
import type { LeadProfile } from './lead-profile';
import { Random, WeightedTable } from './random';
import {
  blogPosts,
  contentAssets,
  customerPages,
  emailCampaigns,
  pricingPages,
  productPages,
  webinars,
} from './vocabulary';

export interface GenActivity {
  at: number;
  type: ActivityType;
  properties: Record<string, unknown>;
  sourceSystem: string;
  /** Set for nurture e-mails, so they can be dropped if the enrolment ends early. */
  enrolmentId?: string;
  /** Part of a planned come-back after a recycle (kept when the lead otherwise cools down). */
  comeback?: boolean;
  /** Assigned once the lead's timeline is final, in time order. */
  id?: number;
}

type Session = 'web' | 'email' | 'content' | 'webinar';
const sessionTable = WeightedTable.of<Session>([
  ['web', 55],
  ['email', 32],
  ['content', 8],
  ['webinar', 5],
]);

const conversionBySource: Record<LeadSource, readonly (readonly [ActivityType, number])[]> = {
  organic_search: [['content_download', 50], ['form_submit', 35], ['webinar_registration', 12], ['demo_request', 3]],
  paid_search: [['content_download', 48], ['form_submit', 34], ['demo_request', 10], ['trial_request', 8]],
  social: [['content_download', 60], ['webinar_registration', 20], ['form_submit', 19], ['trial_request', 1]],
  email: [['webinar_registration', 40], ['content_download', 40], ['form_submit', 18], ['consultation_request', 2]],
  referral: [['form_submit', 55], ['demo_request', 20], ['consultation_request', 10], ['content_download', 15]],
  events: [['form_submit', 80], ['webinar_registration', 10], ['consultation_request', 10]],
  partner: [['form_submit', 50], ['webinar_registration', 30], ['consultation_request', 12], ['demo_request', 8]],
  direct: [['form_submit', 45], ['content_download', 25], ['demo_request', 18], ['trial_request', 12]],
};
const conversionTables = Object.fromEntries(
  Object.entries(conversionBySource).map(([source, entries]) => [source, WeightedTable.of(entries)]),
) as Record<LeadSource, WeightedTable<ActivityType>>;

const formsBySource: Partial<Record<LeadSource, string>> = { events: 'event-badge-scan', partner: 'partner-referral', referral: 'contact-us' };
const triggerTable = WeightedTable.of<ActivityType>([
  ['demo_request', 55],
  ['trial_request', 25],
  ['consultation_request', 20],
]);

/**
 * Gives a moment a working-hours time of day, and moves most weekend moments to a random weekday
 * of the following week (spread out, so Mondays do not pile up).
 */
export function workingMoment(rng: Random, approx: number): number {
  let day = startOfUtcDay(approx);
  if (weekdayFactor(day) < 0.5 && rng.chance(0.7)) {
    const daysToMonday = new Date(day).getUTCDay() === 6 ? 2 : 1;
    day += (daysToMonday + rng.int(0, 4)) * DAY_MS;
  }
  return day + sampleTimeOfDay(rng);
}

function activityOf(type: ActivityType, at: number, properties: Record<string, unknown>): GenActivity {
  const sourceSystem =
    type === 'email_open' || type === 'email_click' || type === 'unsubscribe' || type === 'email_bounce'
      ? 'mautic'
      : type === 'webinar_registration' || type === 'webinar_attendance'
        ? 'zoom'
        : properties.form === 'event-badge-scan'
          ? 'event_app'
          : 'website';
  return { at: Math.floor(at), type, properties, sourceSystem };
}

function pageView(rng: Random, at: number, url: string): GenActivity {
  return activityOf('page_view', at, { url, duration_seconds: Math.round(rng.logNormal(45, 0.9)) });
}

const triggerForms: Partial<Record<ActivityType, string>> = {
  demo_request: 'demo',
  trial_request: 'free-trial',
  consultation_request: 'talk-to-an-expert',
};

function requestActivity(type: ActivityType, at: number, extra: Record<string, unknown> = {}): GenActivity {
  const form = triggerForms[type] ?? 'contact-us';
  return activityOf(type, at, { form, url: `/${form}`, ...extra });
}

export function triggerActivity(rng: Random, at: number): GenActivity {
  return requestActivity(triggerTable.pick(rng), at);
}

function conversion(rng: Random, lead: LeadProfile): GenActivity {
  const at = lead.createdAt;
  const type = conversionTables[lead.source].pick(rng);
  const utm = { utm_source: lead.source };
  switch (type) {
    case 'content_download': {
      const asset = rng.pick(contentAssets);
      return activityOf(type, at, { asset: asset.asset, asset_type: asset.assetType, ...utm });
    }
    case 'webinar_registration':
      return activityOf(type, at, { webinar: rng.pick(webinars), ...utm });
    case 'form_submit':
      return activityOf(type, at, { form: formsBySource[lead.source] ?? rng.pick(['newsletter', 'contact-us', 'newsletter']), ...utm });
    default:
      return requestActivity(type, at, utm);
  }
}

function session(rng: Random, lead: LeadProfile, at: number, out: GenActivity[]): void {
  const kind = sessionTable.pick(rng);
  switch (kind) {
    case 'web': {
      const views = 1 + Math.floor(rng.exponential(lead.buyer ? 1.6 : 0.8));
      let t = at;
      for (let i = 0; i < views; i++) {
        const r = rng.next();
        if (lead.buyer && r < 0.28) out.push(activityOf('pricing_page_view', t, { url: rng.pick(pricingPages) }));
        else if (r < (lead.buyer ? 0.42 : 0.08)) out.push(pageView(rng, t, rng.pick(customerPages)));
        else if (!lead.buyer && r < 0.11) out.push(activityOf('pricing_page_view', t, { url: rng.pick(pricingPages) }));
        else out.push(pageView(rng, t, rng.next() < 0.6 ? rng.pick(blogPosts) : rng.pick(productPages)));
        t += Math.round(rng.float(20, 300) * 1000);
      }
      return;
    }
    case 'email': {
      const campaign = rng.pick(emailCampaigns);
      out.push(activityOf('email_open', at, { campaign }));
      if (rng.chance(lead.buyer ? 0.45 : 0.22)) {
        const url = rng.pick(blogPosts);
        out.push(activityOf('email_click', at + rng.int(10, 600) * 1000, { campaign, url }));
        if (rng.chance(0.7)) out.push(pageView(rng, at + rng.int(620, 900) * 1000, url));
      }
      return;
    }
    case 'content': {
      const asset = rng.pick(contentAssets);
      out.push(pageView(rng, at, '/resources'));
      out.push(activityOf('content_download', at + rng.int(30, 240) * 1000, { asset: asset.asset, asset_type: asset.assetType }));
      return;
    }
    case 'webinar': {
      const webinar = rng.pick(webinars);
      out.push(activityOf('webinar_registration', at, { webinar }));
      if (rng.chance(lead.buyer ? 0.65 : 0.4)) {
        const live = startOfUtcDay(at + rng.int(3, 14) * DAY_MS) + 16 * HOUR_MS; // 11:00 or 12:00 in New York
        out.push(activityOf('webinar_attendance', live + rng.int(0, 10) * MINUTE_MS, { webinar, minutes_watched: rng.int(10, 60) }));
      }
      return;
    }
  }
}

/**
 * The lead's own activity before any nurture, sorted by time, all in [createdAt, now).
 * About 15 a lead on average over a year of history, with a long tail of very active people.
 */
export function planActivities(rng: Random, lead: LeadProfile, now: number): GenActivity[] {
  const out: GenActivity[] = [conversion(rng, lead)];
  const created = lead.createdAt;
  const firstViews = rng.int(0, 3);
  for (let i = 1; i <= firstViews; i++) out.push(pageView(rng, created + i * rng.int(20, 240) * 1000, rng.pick([...productPages, ...blogPosts])));

  const engagement = lead.intent * (lead.buyer ? 1.6 : 1);
  const sessions = Math.round(rng.logNormal(6.6 * engagement, 0.75));
  for (let i = 0; i < sessions; i++) {
    // Buyers' visits bunch in a buying window; everyone else drifts, and e-mails arrive all year.
    const offset = lead.buyer && rng.chance(0.6) ? rng.exponential(12 * DAY_MS) : rng.exponential(45 * DAY_MS);
    const at = workingMoment(rng, created + offset);
    if (at <= created || at >= now) continue;
    session(rng, lead, at, out);
  }
  if (lead.buyer && rng.chance(0.32)) {
    const at = workingMoment(rng, created + rng.exponential(15 * DAY_MS));
    if (at > created && at < now) {
      out.push(activityOf('pricing_page_view', at - rng.int(60, 900) * 1000, { url: '/pricing' }));
      out.push(triggerActivity(rng, at));
    }
  }

  // Hard bounces and unsubscribes end e-mail engagement.
  let emailStops = Infinity;
  if (rng.chance(0.022)) {
    const at = created + rng.int(1, 72) * HOUR_MS;
    const hard = rng.chance(0.7);
    out.push(activityOf('email_bounce', at, { bounce_type: hard ? 'hard' : 'soft', campaign: 'Welcome' }));
    if (hard) emailStops = at;
  } else if (rng.chance(0.04)) {
    const at = workingMoment(rng, created + rng.exponential(60 * DAY_MS));
    if (at > created) {
      out.push(activityOf('unsubscribe', at, { list: 'newsletter' }));
      emailStops = at;
    }
  }
  const kept = out.filter(
    (a) => a.at < now && a.at >= created && !((a.type === 'email_open' || a.type === 'email_click') && a.at > emailStops),
  );
  kept.sort((a, b) => a.at - b.at);
  return kept;
}

/** A recycled lead that comes back: nurture clicks, pricing, customer stories, maybe a demo request. */
export function planReengagement(rng: Random, start: number, now: number, campaign: string): GenActivity[] {
  const out: GenActivity[] = [];
  let t = workingMoment(rng, start);
  out.push(activityOf('email_click', t, { campaign, url: '/pricing', nurture: true }));
  const visits = rng.int(2, 5);
  for (let i = 0; i < visits; i++) {
    t = workingMoment(rng, t + rng.exponential(3 * DAY_MS));
    out.push(activityOf('pricing_page_view', t, { url: rng.pick(pricingPages) }));
    if (rng.chance(0.6)) out.push(pageView(rng, t + rng.int(30, 300) * 1000, rng.pick(customerPages)));
  }
  if (rng.chance(0.35)) out.push(triggerActivity(rng, t + rng.int(1, 48) * HOUR_MS));
  for (const activity of out) activity.comeback = true;
  return out.filter((a) => a.at < now).sort((a, b) => a.at - b.at);
}

/** Opens and clicks on one nurture step e-mail. */
export function planNurtureEngagement(rng: Random, sentAt: number, campaign: string, step: string, openRate: number): GenActivity[] {
  const out: GenActivity[] = [];
  if (!rng.chance(openRate)) return out;
  const openAt = sentAt + Math.round(rng.exponential(6 * HOUR_MS));
  out.push(activityOf('email_open', openAt, { campaign, step, nurture: true }));
  if (rng.chance(0.2)) out.push(activityOf('email_click', openAt + rng.int(5, 300) * 1000, { campaign, step, nurture: true }));
  return out;
}
