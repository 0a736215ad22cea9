import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Notebook } from '../notebooks/types';
import { toCsv } from './csv';
import { renderHtml } from './html';
import { notebookToJson } from './json';
import { renderPng } from './png';
import { renderSvg } from './svg';

export const reportFormats = ['html', 'svg', 'png', 'csv', 'json'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export interface WrittenFile {
  path: string;
  bytes: number;
  /** Rendering time of this file in milliseconds. */
  ms: number;
}

/** Base name of a notebook's output: monthly-review_2026-01-01_2026-01-31. */
export function reportBaseName(notebook: Notebook): string {
  return `${notebook.name}_${notebook.period.from}_${notebook.period.to}`;
}

/** How many files `writeReport` will write (for progress bars). */
export function countOutputs(notebook: Notebook, format: ReportFormat): number {
  const charts = notebook.cells.filter((cell) => cell.kind === 'chart').length;
  const tables = notebook.cells.filter((cell) => cell.kind === 'table').length;
  if (format === 'svg' || format === 'png') return charts;
  if (format === 'csv') return charts + tables;
  return 1;
}

/**
 * Writes a notebook in one format: one HTML or JSON file, or one SVG / PNG per chart, or one CSV per
 * chart's data and per table, in a folder named after the notebook and period.
 */
export async function writeReport(
  notebook: Notebook,
  format: ReportFormat,
  outDir: string,
  onFile?: (file: WrittenFile) => void,
): Promise<WrittenFile[]> {
  mkdirSync(outDir, { recursive: true });
  const base = reportBaseName(notebook);
  const written: WrittenFile[] = [];
  const write = (path: string, content: string | Buffer, started: number) => {
    writeFileSync(path, content);
    const file = { path, bytes: Buffer.byteLength(content), ms: Date.now() - started };
    written.push(file);
    onFile?.(file);
  };
  if (format === 'html' || format === 'json') {
    const started = Date.now();
    write(join(outDir, `${base}.${format}`), format === 'html' ? renderHtml(notebook) : notebookToJson(notebook), started);
    return written;
  }
  const dir = join(outDir, base);
  mkdirSync(dir, { recursive: true });
  let index = 0;
  for (const cell of notebook.cells) {
    if (cell.kind !== 'chart' && cell.kind !== 'table') continue;
    index += 1;
    const prefix = `${String(index).padStart(2, '0')}-${cell.kind === 'chart' ? cell.chart.kpi : cell.table.kpi}`;
    const started = Date.now();
    if (cell.kind === 'table') {
      if (format === 'csv') write(join(dir, `${prefix}-table.csv`), toCsv(cell.table.rows, cell.table.columns.map((c) => c.key)), started);
      continue;
    }
    if (format === 'csv') {
      write(join(dir, `${prefix}-chart.csv`), toCsv(cell.chart.data), started);
    } else {
      const svg = await renderSvg(cell.chart.spec);
      write(join(dir, `${prefix}.${format}`), format === 'svg' ? svg : renderPng(svg), started);
    }
  }
  return written;
}
