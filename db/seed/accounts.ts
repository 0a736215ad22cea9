// Companies the leads work for. A few big target accounts attract many leads (account-based
// marketing); most accounts have a handful; some have none yet.
import { bulkInsert, type BulkTarget, type CopyValue } from './bulk-insert';
import { DAY_MS } from './calendar';
import { Random, WeightedTable, clamp } from './random';
import type { RepProfile } from './users';
import { companySuffixByIndustry, companyWordsA, companyWordsB, countries, industries } from './vocabulary';

export interface SeedAccount {
  id: string;
  name: string;
  domain: string;
  industry: string;
  employeeCount: number;
  country: string;
  isTarget: boolean;
}

export interface SeedAccounts {
  list: SeedAccount[];
  /** Picks the account a new corporate lead works at. */
  forLead: WeightedTable<SeedAccount>;
}

const targetIndustries = new Set(['Software', 'Financial Services', 'Healthcare', 'Manufacturing', 'Professional Services']);

export function accountCountFor(leads: number): number {
  return Math.max(20, Math.round(leads / 10));
}

function slug(text: string): string {
  return text.toLowerCase().replace(/&/g, 'and').replace(/[^a-z0-9]+/g, '');
}

export async function seedAccounts(
  database: BulkTarget,
  rng: Random,
  count: number,
  reps: RepProfile[],
  now: number,
  onProgress?: (done: number, total: number) => void,
): Promise<SeedAccounts> {
  const industryTable = WeightedTable.of(industries);
  const countryTable = WeightedTable.of(countries.map((c) => [c, c.weight] as const));
  const activeReps = reps.filter((rep) => rep.active);
  const usedDomains = new Set<string>();
  const usedNames = new Set<string>();
  const list: SeedAccount[] = [];
  const weights: number[] = [];

  for (let i = 0; i < count; i++) {
    const industry = industryTable.pick(rng);
    const country = countryTable.pick(rng);
    const suffix = rng.pick(companySuffixByIndustry[industry] ?? ['Group']);
    let base = '';
    let name = '';
    for (let attempt = 0; ; attempt++) {
      const first = rng.pick(companyWordsA);
      const second = rng.pick(companyWordsA);
      base = (attempt < 3 && rng.chance(0.6)) || second === first ? first + rng.pick(companyWordsB).toLowerCase() : `${first} ${second}`;
      name = `${base} ${suffix}`;
      if (!usedNames.has(name) || attempt > 20) break;
    }
    usedNames.add(name);
    let domain = `${slug(base)}.${country.tld}`;
    for (let n = 2; usedDomains.has(domain); n++) domain = `${slug(base)}${slug(suffix)}${n > 2 ? n : ''}.${country.tld}`;
    usedDomains.add(domain);

    const employeeCount = Math.round(clamp(rng.logNormal(220, 1.5), 3, 250_000));
    const icp = employeeCount >= 200 && targetIndustries.has(industry);
    const isTarget = rng.chance(icp ? 0.24 : 0.03);
    list.push({ id: rng.uuid(), name, domain, industry, employeeCount, country: country.code, isTarget });
    // Zipf-like lead attraction, bigger for large and targeted companies.
    weights.push((1 / Math.pow(i + 8, 0.35)) * (isTarget ? 2.5 : 1) * Math.pow(employeeCount, 0.15) * rng.logNormal(1, 0.6));
  }
  // Shuffle attraction so the big accounts are not simply the first generated.
  for (let i = weights.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [weights[i], weights[j]] = [weights[j]!, weights[i]!];
  }

  const columns = ['id', 'name', 'domain', 'industry', 'employee_count', 'country', 'is_target', 'owner_id', 'created_at', 'updated_at'];
  const batch = 20_000;
  for (let start = 0; start < list.length; start += batch) {
    const rows: CopyValue[][] = list.slice(start, start + batch).map((account) => {
      const created = new Date(now - rng.int(380, 2000) * DAY_MS).toISOString();
      const owner = account.isTarget && activeReps.length > 0 ? rng.pick(activeReps).id : null;
      return [account.id, account.name, account.domain, account.industry, account.employeeCount, account.country, account.isTarget, owner, created, created];
    });
    await bulkInsert(database, 'accounts', columns, rows);
    onProgress?.(Math.min(start + batch, list.length), list.length);
  }
  return { list, forLead: new WeightedTable(list, weights) };
}
