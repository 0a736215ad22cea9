import { builder } from '../builder';
import {
  loadAccounts,
  loadAgreements,
  loadLeads,
  loadLedger,
  loadRevisions,
  loadSalesTeams,
  loadTransitions,
  loadUsers,
  type AccountRow,
  type AgreementRow,
  type LeadRow,
  type LedgerRow,
  type RevisionRow,
  type SalesTeamRow,
  type TransitionRow,
  type UserRow,
} from '../loaders';

// Refs first, implementations in their own files: this breaks import cycles between types.
// Each ref is a loadable Node: `node(id)` and fields returning an id both go through one
// per-request DataLoader per type. Leads and their records load only when the caller may see them
// (a sales rep: its own leads'), so another rep's read like missing ones (api/loaders.ts).

export const UserRef = builder.loadableNodeRef('User', {
  id: { resolve: (user: UserRow) => user.id },
  load: (ids: string[], ctx) => loadUsers(ctx.db, ids),
  sort: (user) => user.id,
});

export const AccountRef = builder.loadableNodeRef('Account', {
  id: { resolve: (account: AccountRow) => account.id },
  load: (ids: string[], ctx) => loadAccounts(ctx.db, ids),
  sort: (account) => account.id,
});

export const LeadRef = builder.loadableNodeRef('Lead', {
  id: { resolve: (lead: LeadRow) => lead.id },
  load: (ids: string[], ctx) => loadLeads(ctx.db, ids, ctx.viewer),
  sort: (lead) => lead.id,
});

export const SlaAgreementRef = builder.loadableNodeRef('SlaAgreement', {
  id: { resolve: (agreement: AgreementRow) => agreement.id },
  load: (ids: string[], ctx) => loadAgreements(ctx.db, ids),
  sort: (agreement) => agreement.id,
});

export const AgreementRevisionRef = builder.loadableNodeRef('AgreementRevision', {
  id: { resolve: (revision: RevisionRow) => revision.id },
  load: (ids: string[], ctx) => loadRevisions(ctx.db, ids),
  sort: (revision) => revision.id,
});

export const StageTransitionRef = builder.loadableNodeRef('StageTransition', {
  id: { resolve: (transition: TransitionRow) => transition.id },
  load: (ids: string[], ctx) => loadTransitions(ctx.db, ids.map(Number), ctx.viewer),
  sort: (transition) => String(transition.id),
});

export const ScoreLedgerEntryRef = builder.loadableNodeRef('ScoreLedgerEntry', {
  id: { resolve: (entry: LedgerRow) => entry.id },
  load: (ids: string[], ctx) => loadLedger(ctx.db, ids.map(Number), ctx.viewer),
  sort: (entry) => String(entry.id),
});

export const SalesTeamRef = builder.loadableNodeRef('SalesTeam', {
  id: { resolve: (team: SalesTeamRow) => team.id },
  load: (ids: string[], ctx) => loadSalesTeams(ctx.db, ids),
  sort: (team) => team.id,
});
