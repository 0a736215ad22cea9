import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

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

/** A Vega-Lite spec as a standalone SVG document, rendered on the server. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec, { logger: quiet as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
