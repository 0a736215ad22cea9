import { ValidationError } from '../errors';

// Working hours written the way people say them, for the command line:
// "Mon-Fri 09:00-17:00", "Mon,Wed 08:00-12:00; Tue-Thu 13:00-17:30", "weekdays 9-17".

const DAYS: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

function day(token: string, text: string): number {
  const d = DAYS[token.slice(0, 3).toLowerCase()];
  if (!d) throw new ValidationError([{ field: 'hours', message: `"${token}" is not a weekday in "${text}" (Mon, Tue, … Sun)` }]);
  return d;
}

function time(token: string, text: string): string {
  const m = /^(\d{1,2})(?::(\d{2}))?$/.exec(token);
  const hours = m ? Number(m[1]) : NaN;
  const minutes = m?.[2] ? Number(m[2]) : 0;
  if (!m || hours > 24 || minutes > 59 || (hours === 24 && minutes > 0)) throw new ValidationError([{ field: 'hours', message: `"${token}" is not a time in "${text}" (HH:MM)` }]);
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

export function parseWorkingHours(text: string): { weekday: number; start: string; end: string }[] {
  const out: { weekday: number; start: string; end: string }[] = [];
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\S+)\s+(\S+)-(\S+)$/.exec(part);
    if (!m) throw new ValidationError([{ field: 'hours', message: `"${part}" should read like "Mon-Fri 09:00-17:00"` }]);
    const [, days, from, to] = m as unknown as [string, string, string, string];
    const weekdays = new Set<number>();
    const spec = days.toLowerCase() === 'weekdays' ? 'mon-fri' : days.toLowerCase() === 'daily' ? 'mon-sun' : days;
    for (const piece of spec.split(',')) {
      const [a, b] = piece.split('-');
      const first = day(a!, text);
      const last = b ? day(b, text) : first;
      if (last < first) throw new ValidationError([{ field: 'hours', message: `"${piece}" runs backwards in "${text}"` }]);
      for (let d = first; d <= last; d++) weekdays.add(d);
    }
    for (const weekday of [...weekdays].sort()) out.push({ weekday, start: time(from, text), end: time(to, text) });
  }
  return out;
}
