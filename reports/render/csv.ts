type Value = string | number | boolean | null | undefined;

function cell(value: Value): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // A spreadsheet would run a cell starting with = + - @ as a formula; names from the database must not.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header row; columns default to the keys of the first row. */
export function toCsv(rows: Record<string, Value>[], columns?: string[]): string {
  const keys = columns ?? Object.keys(rows[0] ?? {});
  const lines = [keys.map(cell).join(','), ...rows.map((row) => keys.map((key) => cell(row[key])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
