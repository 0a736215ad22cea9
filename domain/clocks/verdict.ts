import { sql, type SQL } from 'drizzle-orm';

// One verdict per clock, read by the KPIs, the work queue, stuck leads and Lead.slaClocks alike.
// A running clock past its due time counts as breached at once: the scheduler records the breach at
// its next pass, but no reader waits for it.

export const clockVerdicts = ['pending', 'within', 'breached', 'cancelled'] as const;
export type ClockVerdict = (typeof clockVerdicts)[number];

const col = (alias: string, name: string) => sql.raw(`${alias}.${name}`);

/** 'within' (met in time), 'breached' (ran out, recorded or not yet), 'cancelled', or 'pending' (time left) as of `now`. */
export function clockVerdictSql(alias: string, now: SQL = sql`now()`): SQL {
  return sql`(case ${col(alias, 'status')}
      when 'met' then 'within' when 'cancelled' then 'cancelled' when 'breached' then 'breached'
      else case when ${col(alias, 'due_at')} < ${now} then 'breached' else 'pending' end end)`;
}

/** An obligation still open and past its due time: the top of its rep's queue. */
export function clockOverdueSql(alias: string, now: SQL = sql`now()`): SQL {
  return sql`((${col(alias, 'status')} = 'breached' and ${col(alias, 'stopped_at')} is null)
      or (${col(alias, 'status')} = 'running' and ${col(alias, 'due_at')} < ${now}))`;
}

/** Open: running, or breached and not yet resolved. */
export function clockOpenSql(alias: string): SQL {
  return sql`(${col(alias, 'status')} = 'running' or (${col(alias, 'status')} = 'breached' and ${col(alias, 'stopped_at')} is null))`;
}
