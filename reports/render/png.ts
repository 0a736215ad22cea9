import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';

// resvg has no fonts of its own, and with `loadSystemFonts` it scans every system font on every
// call. The charts draw in DejaVu Sans (the last family of the theme's stack that a server has;
// fonts-dejavu-core is installed by .ci/run), so its files are found once and only they are loaded:
// the same picture, a third of the font cost, and the same face on every server. Text DejaVu Sans
// cannot draw (CJK, Thai, …: a rep's or a company's name) gets every system font, as before.
const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF', '/Library/Fonts', '/System/Library/Fonts/Supplemental'];
const FACES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf', 'DejaVuSans-BoldOblique.ttf'];

let fonts: ResvgRenderOptions['font'] | undefined;

function fontOptions(): NonNullable<ResvgRenderOptions['font']> {
  if (!fonts) {
    const dir = FONT_DIRS.find((candidate) => existsSync(join(candidate, FACES[0]!)));
    const families = { defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };
    fonts = dir
      ? { ...families, loadSystemFonts: false, fontFiles: FACES.map((face) => join(dir, face)).filter((file) => existsSync(file)) }
      : { ...families, loadSystemFonts: true };
  }
  return fonts!;
}

/** An SVG rasterised at `scale` (2 = crisp on high-density screens and in slides). */
/** Beyond Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic and general punctuation and symbols. */
const BEYOND_DEJAVU = /[\u0700-\u1cff\u2c00-\u2dff\u2e80-\uffef]|[\ud800-\udbff]/;

export function renderPng(svg: string, scale = 2): Buffer {
  const font = BEYOND_DEJAVU.test(svg) ? { ...fontOptions(), loadSystemFonts: true, fontFiles: [] } : fontOptions();
  const resvg = new Resvg(svg, { background: '#ffffff', fitTo: { mode: 'zoom', value: scale }, font });
  return Buffer.from(resvg.render().asPng());
}
