import type { Notebook } from '../notebooks/types';

/** The notebook as JSON: cells with their specs and data, as GraphQL returns them. */
export function notebookToJson(notebook: Notebook): string {
  return `${JSON.stringify(notebook, null, 2)}\n`;
}
