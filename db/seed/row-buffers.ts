// Rows of one chunk of leads, per table, in COPY column order, and the FK-safe order to write them.
import { bulkInsertLines, copyLine, type BulkTarget, type CopyValue } from './bulk-insert';

export const columnsByTable = {
  leads: [
    'id', 'external_id', 'email', 'first_name', 'last_name', 'phone', 'title', 'seniority', 'department',
    'company_name', 'company_size', 'industry', 'country', 'source', 'attributes', 'account_id', 'owner_id',
    'agreement_id', 'revision_id', 'stage', 'stage_changed_at', 'fit_score', 'interest_score', 'scored_at',
    'temperature', 'fit_grade', 'handoff_status', 'handoff_missing_fields', 'handed_off_at', 'last_activity_at',
    'version', 'created_at', 'updated_at',
  ],
  // created_at is when we received the event (schema: receivedAt).
  activities: ['id', 'client_event_id', 'lead_id', 'type', 'occurred_at', 'created_at', 'properties', 'source_system'],
  score_ledger: [
    'lead_id', 'revision_id', 'rule_id', 'activity_id', 'dimension', 'reason', 'points', 'decay_half_life_days',
    'occurred_at', 'created_at',
  ],
  stage_transitions: [
    'lead_id', 'from_stage', 'to_stage', 'revision_id', 'actor_type', 'actor_user_id', 'reason', 'reason_code', 'occurred_at', 'recorded_at',
  ],
  handoffs: [
    'id', 'lead_id', 'agreement_id', 'revision_id', 'trigger', 'requested_at', 'state', 'missing_fields', 'held_at', 'released_at',
    'checked_at', 'owner_id', 'handed_off_at', 'decided_at', 'first_contact_at', 'created_at',
  ],
  contact_attempts: ['lead_id', 'user_id', 'channel', 'outcome', 'occurred_at', 'notes', 'attempt_number', 'cadence_flags', 'created_at'],
  opportunities: [
    'id', 'lead_id', 'account_id', 'owner_id', 'name', 'pipeline_stage_key', 'amount_minor', 'currency', 'status',
    'lost_reason', 'created_at', 'updated_at', 'closed_at',
  ],
  sla_clocks: ['id', 'lead_id', 'rule_id', 'revision_id', 'clock', 'handoff_id', 'stage', 'owner_id', 'status', 'started_at', 'due_at', 'stopped_at'],
  sla_breaches: ['clock_id', 'lead_id', 'rule_id', 'revision_id', 'clock', 'owner_id', 'due_at', 'breached_at', 'resolved_at', 'created_at'],
  nurture_enrolments: [
    // created_at is the enrolment time (schema: enrolledAt).
    'id', 'lead_id', 'workflow_id', 'status', 'source', 'enrolled_by_id', 'next_step_position', 'next_step_due_at',
    'created_at', 'ended_at', 'exit_reason',
  ],
} as const;

export type SeedTable = keyof typeof columnsByTable;
type Lines = Record<SeedTable, string[]>;

/**
 * Rows are encoded to COPY text as they are pushed: a chunk then holds one string per row
 * instead of an array of values, which keeps garbage collection cheap.
 */
export class RowBuffers {
  lines: Lines = RowBuffers.empty();

  private static empty(): Lines {
    return {
      leads: [], activities: [], score_ledger: [], stage_transitions: [], contact_attempts: [],
      opportunities: [], handoffs: [], sla_clocks: [], sla_breaches: [], nurture_enrolments: [],
    };
  }

  push(table: SeedTable, row: CopyValue[]): void {
    this.lines[table].push(copyLine(row));
  }

  /** Hands the buffered rows over and starts empty again. */
  take(): Lines {
    const taken = this.lines;
    this.lines = RowBuffers.empty();
    return taken;
  }
}

/** Writes one chunk, parents before children, one COPY at a time (the session has one connection). */
export async function writeChunk(database: BulkTarget, lines: Lines): Promise<void> {
  const order: SeedTable[] = [
    'leads', 'activities', 'score_ledger', 'handoffs', 'sla_clocks', 'sla_breaches', 'stage_transitions', 'contact_attempts',
    'opportunities', 'nurture_enrolments',
  ];
  for (const table of order) await bulkInsertLines(database, table, columnsByTable[table], lines[table]);
}
