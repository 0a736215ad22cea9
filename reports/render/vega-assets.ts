import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// vega packages don't export package.json or build/: resolve the main entry and walk up to the
// package folder to reach the files we inline (STACK.md).

export function packageDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = parent;
  }
  return dir;
}

const cache = new Map<string, string>();

/** A file of an installed package, read once per process. */
export function packageFile(name: string, relative: string): string {
  const key = `${name}/${relative}`;
  let text = cache.get(key);
  if (text === undefined) {
    text = readFileSync(join(packageDir(name), relative), 'utf8');
    cache.set(key, text);
  }
  return text;
}

/** The three browser bundles an offline report needs, in load order. */
export function vegaBundles(): { name: string; source: string }[] {
  const bundles = [
    { name: 'vega', source: packageFile('vega', 'build/vega.min.js') },
    { name: 'vega-lite', source: packageFile('vega-lite', 'build/vega-lite.min.js') },
    { name: 'vega-embed', source: packageFile('vega-embed', 'build/vega-embed.min.js') },
  ];
  // Inlined as <script> text: a closing tag inside would end the element early.
  for (const bundle of bundles) {
    if (/<\/script|<!--/i.test(bundle.source)) throw new Error(`${bundle.name} cannot be inlined: it contains </script or <!--`);
  }
  return bundles;
}

export function vegaLiteSchema(): object {
  return JSON.parse(packageFile('vega-lite', 'build/vega-lite-schema.json')) as object;
}
