// Anonymous visitors per source per day. They follow the same calendar and source mix as the
// leads, divided by each source's visitor→lead rate, so visitor→lead comes out near 2 %.
import { leadSources } from '../schema/enums';
import { bulkInsert, type BulkTarget, type CopyValue } from './bulk-insert';
import { HistoryCalendar, isoDay } from './calendar';
import { Random } from './random';
import { monthlySourceShares, visitorToLeadRates } from './sources';

export async function seedTraffic(database: BulkTarget, rng: Random, calendar: HistoryCalendar, leads: number, now: number): Promise<number> {
  const rates = visitorToLeadRates();
  const rows: CopyValue[][] = [];
  const updatedAt = new Date(now).toISOString();
  calendar.days.forEach((day, i) => {
    const expectedLeads = (Math.max(leads, 1) * calendar.weights[i]!) / calendar.totalWeight;
    const shares = monthlySourceShares(new Date(day).getUTCMonth() + 1);
    leadSources.forEach((source, s) => {
      const visitors = Math.round(((expectedLeads * shares[s]!) / rates[source]) * Math.exp(rng.normal(0, 0.12)));
      rows.push([isoDay(day), source, visitors, updatedAt]);
    });
  });
  await bulkInsert(database, 'daily_traffic', ['day', 'source', 'visitors', 'updated_at'], rows);
  return calendar.days.length;
}
