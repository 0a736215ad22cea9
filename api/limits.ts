/** Operation limits, configured once. Changing them is a contract change: keep README in step. */
export const limits = {
  /** Largest `first`/`last` a connection accepts. */
  maxPageSize: 100,
  defaultPageSize: 20,
  maxDepth: 12,
  maxBreadth: 200,
  maxComplexity: 50_000,
};
