import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { LRUCache } from 'lru-cache';

// Headless rendering: no DOM, no canvas. Warnings go nowhere; errors throw.
const quiet = {
  level(): number {
    return 0;
  },
  error(...args: unknown[]) {
    throw new Error(args.map(String).join(' '));
  },
  warn() {
    return quiet;
  },
  info() {
    return quiet;
  },
  debug() {
    return quiet;
  },
};

/** The name the chart's rows are fed under when its compiled shape is reused (no spec uses it). */
const SOURCE = 'sla_chart_rows__';
/** Views kept per shape for reuse; concurrent renders of one shape beyond this build their own. */
const IDLE_VIEWS_PER_SHAPE = 1;

interface Shape {
  /** null: this shape cannot take its rows by name (its rows are unused, or it names its own datasets). */
  runtime: vega.Runtime | null;
  idle: vega.View[];
}

// Compiling (Vega-Lite → Vega), parsing and building the dataflow depend only on the chart's shape —
// the spec without its rows — and cost about two thirds of a render; a report renders the same
// shapes again and again. Each shape is compiled and parsed once, and its views are reused: the rows
// are swapped in and the dataflow re-run, which draws exactly what a fresh view draws.
const shapes = new LRUCache<string, Shape>({
  max: 64,
  dispose: (shape) => {
    for (const view of shape.idle.splice(0)) view.finalize();
  },
});

function newView(runtime: vega.Runtime): vega.View {
  return new vega.View(runtime, { renderer: 'none', logLevel: vega.Error });
}

/** A Vega-Lite spec as a standalone SVG document, rendered on the server. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { data, ...shapeSpec } = spec as TopLevelSpec & { data?: { values?: unknown }; datasets?: unknown };
  const values = data && typeof data === 'object' && Object.keys(data).length === 1 ? data.values : undefined;
  if (!Array.isArray(values) || shapeSpec.datasets !== undefined) return renderOnce(spec);
  const key = JSON.stringify(shapeSpec);
  let shape = shapes.get(key);
  if (!shape) {
    const compiled = compile({ ...shapeSpec, data: { name: SOURCE } } as TopLevelSpec, { logger: quiet as never }).spec;
    // Vega-Lite drops a source nothing reads: then the rows cannot be fed by name.
    const fed = compiled.data?.some((d) => d.name === SOURCE && !('values' in d) && !('url' in d) && !('source' in d)) ?? false;
    // A reused view lays itself out again for its new rows (Vega lays out once per view otherwise).
    const autosize = typeof compiled.autosize === 'string' ? { type: compiled.autosize } : (compiled.autosize ?? { type: 'pad' });
    compiled.autosize = { ...autosize, resize: true } as typeof compiled.autosize;
    shape = { runtime: fed ? vega.parse(compiled) : null, idle: [] };
    shapes.set(key, shape);
  }
  if (!shape.runtime) return renderOnce(spec);
  const view = shape.idle.pop() ?? newView(shape.runtime);
  let reusable = false;
  try {
    // Vega marks the rows it ingests and derives fields on them: it gets copies, never the caller's.
    view.data(SOURCE, values.map((row) => (row && typeof row === 'object' ? { ...row } : row)));
    const svg = await view.toSVG();
    reusable = true;
    return svg;
  } finally {
    if (reusable && shape.idle.length < IDLE_VIEWS_PER_SHAPE) shape.idle.push(view);
    else view.finalize();
  }
}

/** Specs whose data is not plain inline rows are compiled and drawn from scratch. */
async function renderOnce(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(structuredClone(spec), { logger: quiet as never }).spec;
  const view = newView(vega.parse(compiled));
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** For tests: a render that bypasses the shape cache. */
export const renderSvgUncached = renderOnce;
