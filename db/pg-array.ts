/**
 * A PostgreSQL array literal for a parameter (`${pgArray(ids)}::uuid[]`): one parameter for any
 * number of values. Elements are double-quoted with `"` and `\` escaped; null becomes NULL.
 */
export function pgArray(values: readonly (string | number | null | undefined)[]): string {
  return `{${values
    .map((v) => (v === null || v === undefined ? 'NULL' : `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`))
    .join(',')}}`;
}
