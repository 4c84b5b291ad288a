// Test pictures of sample-tube barcodes: Code 128 (set B) drawn into grey-scale frames, written as a PGM (for zbarimg)
// or a Y4M video (what Chromium's fake camera plays). The encoder follows the symbology's published width table.
import fs from 'node:fs';

// bar/space widths of the 107 Code 128 symbols (value 0…105, then the stop pattern)
const PATTERNS = (
  '212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 122231 113222 ' +
  '123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 212123 212321 ' +
  '232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 112133 112331 132131 113123 113321 133121 ' +
  '313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 ' +
  '111422 121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 ' +
  '111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 ' +
  '114311 411113 411311 113141 114131 311141 411131 211412 211214 211232 2331112'
).split(' ');
const START_B = 104;
const STOP = 106;

/** The modules (true = bar) of `text` in Code 128 set B (printable ASCII), with its check symbol. */
export function code128(text: string): boolean[] {
  const values = [...text].map((ch) => {
    const v = ch.charCodeAt(0) - 32;
    if (v < 0 || v > 94) throw new RangeError(`not in Code 128 set B: ${JSON.stringify(ch)}`);
    return v;
  });
  const check = (START_B + values.reduce((sum, v, i) => sum + v * (i + 1), 0)) % 103;
  const modules: boolean[] = [];
  for (const symbol of [START_B, ...values, check, STOP]) {
    [...PATTERNS[symbol]!].forEach((w, i) => {
      for (let k = 0; k < Number(w); k++) modules.push(i % 2 === 0);
    });
  }
  return modules;
}

/** A W×H grey frame with the barcode of `text` centred (quiet zones included), 16 = black, 235 = white. */
export function barcodeFrame(text: string, W = 640, H = 480): Buffer {
  const modules = code128(text);
  const scale = Math.max(1, Math.floor((W - 80) / (modules.length + 20)));
  const x0 = Math.floor((W - modules.length * scale) / 2);
  const top = Math.floor(H * 0.25);
  const bottom = Math.floor(H * 0.75);
  const y = Buffer.alloc(W * H, 235);
  for (let row = top; row < bottom; row++)
    modules.forEach((bar, i) => {
      if (bar) y.fill(16, row * W + x0 + i * scale, row * W + x0 + (i + 1) * scale);
    });
  return y;
}

export function writePgm(text: string, file: string, W = 640, H = 480) {
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`P5\n${W} ${H}\n255\n`), barcodeFrame(text, W, H)]));
}

/** A Y4M video (4:2:0, grey) of ten frames showing the barcode of `text`. */
export function writeBarcodeVideo(text: string, file: string, W = 640, H = 480) {
  const frame = Buffer.concat([Buffer.from('FRAME\n'), barcodeFrame(text, W, H), Buffer.alloc((W / 2) * (H / 2) * 2, 128)]);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), ...Array.from({ length: 10 }, () => frame)]));
}
