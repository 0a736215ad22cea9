// Who a generated lead is: name, e-mail, role, company, source — and two hidden traits that drive
// its behaviour later (buying intent, and whether it is in an active buying cycle at all).
import { fitPoints, type FitRule, type ScorableLead } from '../../domain/scoring/rules';
import type { LeadSource } from '../schema/enums';
import type { SeedAccount, SeedAccounts } from './accounts';
import { Random, WeightedTable, clamp } from './random';
import { sourceProfiles } from './sources';
import {
  companySuffixByIndustry,
  companyWordsA,
  countries,
  crmSystems,
  departments,
  firstNames,
  freeMailDomains,
  industries,
  lastNames,
  nonBuyerTitles,
  seniorities,
  titleFor,
} from './vocabulary';

export interface LeadProfile extends ScorableLead {
  id: string;
  index: number;
  externalId: string | null;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  title: string | null;
  seniority: string | null;
  department: string | null;
  companyName: string | null;
  companySize: number | null;
  industry: string | null;
  country: string | null;
  source: LeadSource;
  attributes: Record<string, unknown>;
  account: SeedAccount | null;
  createdAt: number;
  /** Fit points per matching rule, computed once: fit never changes in the seed. */
  fitAwards: { rule: FitRule & { id: string }; points: number }[];
  fitScore: number;
  /** Hidden: how engaged the person is (1 = average); shapes activity volume. */
  intent: number;
  /** Hidden: in an active buying cycle (looks at pricing, asks for demos, converts). */
  buyer: boolean;
  /** Hidden: students, job seekers — fill forms, never buy. */
  nonBuyer: boolean;
}

/**
 * Unique e-mails without keeping every address: a set of 30-bit hashes. A hash collision only
 * makes us add a number to an address that was in fact free, so uniqueness still holds.
 */
export class EmailRegistry {
  private readonly seen = new Set<number>();

  private static hash(text: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return h & 0x3fffffff;
  }

  claim(local: string, domain: string): string {
    for (let n = 1; ; n++) {
      const email = `${n === 1 ? local : local + n}@${domain}`;
      const key = EmailRegistry.hash(email);
      if (!this.seen.has(key)) {
        this.seen.add(key);
        return email;
      }
    }
  }
}

const emailSafe = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

export class LeadProfileFactory {
  private readonly countryTable = WeightedTable.of(countries.map((c) => [c, c.weight] as const));
  private readonly seniorityTable = WeightedTable.of(seniorities);
  private readonly departmentTable = WeightedTable.of(departments);
  private readonly freeMailTable = WeightedTable.of(freeMailDomains);
  private readonly industryTable = WeightedTable.of(industries);
  private readonly crmTable = WeightedTable.of(crmSystems);
  private readonly emails = new EmailRegistry();

  constructor(
    private readonly rng: Random,
    private readonly accounts: SeedAccounts,
    private readonly fitRules: (FitRule & { id: string })[],
  ) {}

  private phone(country: string): string {
    const dial = countries.find((c) => c.code === country)?.dial ?? '+1';
    const rng = this.rng;
    if (dial === '+1') return `+1 ${rng.int(201, 989)} 555 ${String(rng.int(100, 199)).padStart(4, '0')}`;
    return `${dial} ${rng.int(10, 99)} ${rng.int(1000, 9999)} ${rng.int(1000, 9999)}`;
  }

  make(index: number, id: string, createdAt: number, source: LeadSource): LeadProfile {
    const rng = this.rng;
    const freeMail = rng.chance(0.18);
    const account = freeMail ? null : this.accounts.forLead.pick(rng);
    const country = account && rng.chance(0.9) ? account.country : this.countryTable.pick(rng).code;
    const firstName = rng.pick(firstNames);
    const lastName = rng.pick(lastNames);
    const nonBuyer = rng.chance(freeMail ? 0.14 : 0.015);

    let title: string | null = null;
    let seniority: string | null = null;
    let department: string | null = null;
    if (nonBuyer) {
      title = rng.pick(nonBuyerTitles);
    } else if (!rng.chance(0.07)) {
      department = this.departmentTable.pick(rng);
      seniority = this.seniorityTable.pick(rng);
      // Small companies have fewer layers: more founders and managers, fewer VPs of anything.
      if (account && account.employeeCount < 50 && (seniority === 'vp' || seniority === 'director')) seniority = 'manager';
      title = rng.pick(titleFor(department, seniority));
    }

    const first = emailSafe(firstName);
    const last = emailSafe(lastName);
    let email: string;
    if (account) {
      const style = rng.next();
      const local = style < 0.8 ? `${first}.${last}` : style < 0.95 ? `${first[0]}${last}` : first;
      email = this.emails.claim(local, account.domain);
    } else {
      const style = rng.next();
      const local =
        style < 0.45 ? `${first}.${last}` : style < 0.7 ? `${first}${last}${rng.int(1, 99)}` : style < 0.85 ? `${first[0]}${last}` : `${first}_${last}`;
      email = this.emails.claim(local, this.freeMailTable.pick(rng));
    }

    let companyName: string | null = account?.name ?? null;
    let companySize: number | null = account && rng.chance(0.92) ? account.employeeCount : null;
    let industry: string | null = account && rng.chance(0.95) ? account.industry : null;
    if (!account && !nonBuyer && rng.chance(0.6)) {
      // Free-mail leads often still type a company into the form; we just cannot match a domain.
      const industryName = this.industryTable.pick(rng);
      companyName = `${rng.pick(companyWordsA)} ${rng.pick(companySuffixByIndustry[industryName] ?? ['Group'])}`;
      if (rng.chance(0.4)) companySize = rng.int(2, 120);
      if (rng.chance(0.5)) industry = industryName;
    }

    // Demo leads say so: the demo agreement's scope is attributes.dataset = demo, so an admin's own
    // agreement governs every other lead beside it.
    const attributes: Record<string, unknown> = { dataset: 'demo' };
    if (!nonBuyer && rng.chance(account ? 0.62 : 0.25)) attributes.crm = this.crmTable.pick(rng);
    if (rng.chance(0.3)) attributes.marketing_automation = rng.pick(['mautic', 'hubspot', 'marketo', 'pardot']);
    if (rng.chance(0.2)) attributes.team_size = rng.pick(['1-5', '6-20', '21-50', '51+']);

    const phone = rng.chance(account ? 0.74 : 0.45) ? this.phone(country) : null;
    const profile: LeadProfile = {
      id,
      index,
      externalId: rng.chance(0.6) ? `mautic-${index + 1}` : null,
      email,
      firstName,
      lastName,
      phone,
      title,
      seniority,
      department,
      companyName,
      companySize,
      industry,
      country,
      source,
      attributes,
      account,
      createdAt,
      fitAwards: [],
      fitScore: 0,
      intent: 1,
      buyer: false,
      nonBuyer,
    };
    for (const rule of this.fitRules) {
      const points = fitPoints(rule, profile);
      if (points !== 0) {
        profile.fitAwards.push({ rule, points });
        profile.fitScore += points;
      }
    }
    // Better-fitting people and better sources are likelier to be real buyers.
    const quality = sourceProfiles[source].quality;
    profile.intent = quality * rng.logNormal(1, 0.45) * (nonBuyer ? 0.4 : 1);
    const fitLift = profile.fitScore >= 60 ? 1.6 : profile.fitScore >= 40 ? 1.25 : profile.fitScore >= 20 ? 0.75 : 0.45;
    profile.buyer = !nonBuyer && rng.chance(clamp(0.1 * profile.intent * fitLift, 0, 0.6));
    return profile;
  }

  /** A phone number found later by enrichment (a held hand-off becomes complete). */
  enrichPhone(profile: LeadProfile): string {
    return this.phone(profile.country ?? 'US');
  }
}
