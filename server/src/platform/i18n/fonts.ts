/**
 * Fonts for server-rendered documents (PDF posters, reports, certificates).
 *
 * Be Vietnam Pro covers the full Vietnamese alphabet (precomposed letters with stacked diacritics such as
 * "ỗ", "ệ", "ữ"). We use the TrueType files from `@expo-google-fonts/be-vietnam-pro`: pdfkit embeds TTF
 * correctly, whereas WOFF2 builds (e.g. @fontsource) render blank.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PKG = '@expo-google-fonts/be-vietnam-pro';

export interface VietnameseFontPaths {
  regular: string;
  semibold: string;
  bold: string;
}

/** Font names under which `registerVietnameseFonts` registers the faces on a pdfkit document. */
export const PDF_FONTS = {
  regular: 'BeVietnamPro',
  semibold: 'BeVietnamPro-SemiBold',
  bold: 'BeVietnamPro-Bold',
} as const;

let cached: VietnameseFontPaths | null = null;

/** Absolute paths of the Be Vietnam Pro TTF files (regular, semibold, bold). */
export function vietnameseFontPaths(): VietnameseFontPaths {
  if (cached) return cached;
  const resolve = (weightDir: string, file: string): string => {
    const p = require.resolve(`${PKG}/${weightDir}/${file}`);
    if (!existsSync(p)) throw new Error(`font file missing: ${p}`);
    return p;
  };
  cached = {
    regular: resolve('400Regular', 'BeVietnamPro_400Regular.ttf'),
    semibold: resolve('600SemiBold', 'BeVietnamPro_600SemiBold.ttf'),
    bold: resolve('700Bold', 'BeVietnamPro_700Bold.ttf'),
  };
  return cached;
}

/** Minimal structural view of a pdfkit document, so this module needs no pdfkit import. */
interface FontRegistry {
  registerFont(name: string, src: string): unknown;
}

/** Registers the Vietnamese faces on a pdfkit document under the names in `PDF_FONTS`. Idempotent. */
export function registerVietnameseFonts(doc: FontRegistry): typeof PDF_FONTS {
  const paths = vietnameseFontPaths();
  doc.registerFont(PDF_FONTS.regular, paths.regular);
  doc.registerFont(PDF_FONTS.semibold, paths.semibold);
  doc.registerFont(PDF_FONTS.bold, paths.bold);
  return PDF_FONTS;
}
