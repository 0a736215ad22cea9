/** Operation limits, configured once. Changing them is a contract change: keep README in step. */
export const limits = {
  /** Largest `first`/`last` a connection accepts. */
  maxPageSize: 100,
  defaultPageSize: 20,
  /** Nesting depth of a selection (Pothos complexity plugin, checked before any resolver runs). */
  maxDepth: 12,
  /** Fields selected in one operation, counted over the whole document. */
  maxBreadth: 200,
  /**
   * Estimated cost: each field costs 1; a connection multiplies its selection by its page size and
   * a plain list by 10. A 100-lead page with account, owner, ledger, transitions and attempts costs
   * 11,701; 100 leads × 100 activities each costs 40,201 and is refused (test/api/limits.test.ts).
   */
  maxComplexity: 25_000,
  /** Aliases in one operation (graphql-armor): stops "the same field 1,000 times" amplification. */
  maxAliases: 20,
  /** Directives in one operation (graphql-armor). */
  maxDirectives: 20,
  /** Lexical tokens in one document (graphql-js counts them while parsing, and stops). */
  maxTokens: 5_000,
};

/**
 * Cost of a connection field: its selection counts once per requested item (`first` or `last`,
 * else the default page size). The relay plugin's `edges` list is then counted once, not ×10.
 */
export const connectionComplexity = (args: { first?: number | null; last?: number | null }) => ({
  field: 1,
  multiplier: Math.max(1, args.first ?? args.last ?? limits.defaultPageSize),
});
