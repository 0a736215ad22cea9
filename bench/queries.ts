// The two ways the benchmark fetches the same leads page: the GraphQL API, and one hand-written SQL
// statement that returns the same rows already nested as JSON (the floor any API could reach).

/** 100 leads, newest first, with account, owner, score ledger, stage transitions and contact attempts. */
export const LEADS_PAGE = /* GraphQL */ `
  query LeadsPage {
    leads(first: 100) {
      edges {
        node {
          id email stage
          score { fit interest total }
          account { id name }
          owner { id name }
          scoreLedger { id dimension reason points occurredAt }
          stageTransitions { id fromStage toStage actorType occurredAt }
          contactAttempts { id channel outcome occurredAt attemptNumber }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }`;

/** The relations a naive resolver would fetch once per lead. */
export const PER_LEAD_RELATIONS = ['account', 'owner', 'scoreLedger', 'stageTransitions', 'contactAttempts'] as const;

export const LEADS_PAGE_SQL = /* SQL */ `
  select coalesce(json_agg(page.lead order by page.created_at desc, page.id desc), '[]'::json) as leads
  from (
    select l.created_at, l.id, json_build_object(
      'id', l.id, 'email', l.email, 'stage', l.stage,
      'score', json_build_object('fit', l.fit_score, 'interest', l.interest_score, 'total', l.fit_score + l.interest_score),
      'account', (select json_build_object('id', a.id, 'name', a.name) from accounts a where a.id = l.account_id),
      'owner', (select json_build_object('id', u.id, 'name', u.name) from users u where u.id = l.owner_id),
      'scoreLedger', coalesce((select json_agg(json_build_object('id', s.id, 'dimension', s.dimension, 'reason', s.reason, 'points', s.points, 'occurredAt', s.occurred_at) order by s.occurred_at, s.id) from score_ledger s where s.lead_id = l.id), '[]'::json),
      'stageTransitions', coalesce((select json_agg(json_build_object('id', t.id, 'fromStage', t.from_stage, 'toStage', t.to_stage, 'actorType', t.actor_type, 'occurredAt', t.occurred_at) order by t.occurred_at, t.id) from stage_transitions t where t.lead_id = l.id), '[]'::json),
      'contactAttempts', coalesce((select json_agg(json_build_object('id', c.id, 'channel', c.channel, 'outcome', c.outcome, 'occurredAt', c.occurred_at, 'attemptNumber', c.attempt_number) order by c.occurred_at, c.id) from contact_attempts c where c.lead_id = l.id), '[]'::json)
    ) as lead
    from leads l
    order by l.created_at desc, l.id desc
    limit 100
  ) page`;

/** The same page from PostGraphile 4 (its naming: allLeads, relations by foreign key). */
export const LEADS_PAGE_POSTGRAPHILE = /* GraphQL */ `
  query LeadsPage {
    allLeads(first: 100, orderBy: [CREATED_AT_DESC, ID_DESC]) {
      nodes {
        id email stage fitScore interestScore
        accountByAccountId { id name }
        userByOwnerId { id name }
        scoreLedgersByLeadId(orderBy: [OCCURRED_AT_ASC, ID_ASC]) { nodes { id dimension reason points occurredAt } }
        stageTransitionsByLeadId(orderBy: [OCCURRED_AT_ASC, ID_ASC]) { nodes { id fromStage toStage actorType occurredAt } }
        contactAttemptsByLeadId(orderBy: [OCCURRED_AT_ASC, ID_ASC]) { nodes { id channel outcome occurredAt attemptNumber } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }`;

/** The API's page by score (highest total first), the ordering that had no index. */
export const LEADS_PAGE_BY_SCORE = LEADS_PAGE.replace('leads(first: 100)', 'leads(first: 100, orderBy: SCORE_DESC)');

/** The one-statement baseline ordered by score, as `orderBy: SCORE_DESC` orders. */
export const LEADS_PAGE_SQL_BY_SCORE = LEADS_PAGE_SQL.replace(
  'json_agg(page.lead order by page.created_at desc, page.id desc)',
  'json_agg(page.lead order by page.total desc, page.id desc)',
)
  .replace('select l.created_at, l.id, json_build_object(', 'select l.created_at, l.fit_score + l.interest_score as total, l.id, json_build_object(')
  .replace('order by l.created_at desc, l.id desc', 'order by l.fit_score + l.interest_score desc, l.id desc');
