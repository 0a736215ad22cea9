import { Resvg } from '@resvg/resvg-js';

/**
 * An SVG rasterised at `scale` (2 = crisp on high-density screens and in slides). resvg has no fonts
 * of its own: it loads the system's (DejaVu Sans on Debian; fonts-dejavu-core is installed by .ci/run).
 */
export function renderPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return Buffer.from(resvg.render().asPng());
}
