/**
 * Printable A4 check-in posters for venue entrances: one page per entrance, Vietnamese first.
 *
 * The QR code is drawn as vector rectangles (error correction M) so it stays sharp at any print size and
 * keeps the PDF small. Text uses Be Vietnam Pro (TTF) for correct Vietnamese diacritics.
 */
import archiver from 'archiver';
import { drawQr, renderPdf } from '../../platform/i18n/pdf';
import { registerVietnameseFonts } from '../../platform/i18n/fonts';
import { localParts } from '../../platform/time';

export interface EntrancePosterParams {
  venueName: string;
  venueAddress: string;
  entranceName: string;
  /** The full check-in URL encoded in the QR, e.g. `https://host/c/<token>`. */
  checkinUrl: string;
  /** The address printed for typing, e.g. `https://host/c/40-ZPBMEV-1` (printed without the scheme). */
  shortUrl: string;
  /** The QR address is loopback (VIGIL_PUBLIC_URL unset): the poster says it is for testing only. */
  testOnly?: boolean;
  venueCode: string;
  /** When the QR stops working (printed on the poster); omit or null for no expiry. */
  validUntil?: Date | null;
  lang?: 'vi';
  /** Time zone for printing `validUntil`; defaults to Asia/Ho_Chi_Minh. */
  timeZone?: string;
}

// A4 in PostScript points.
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN = 44;
const CONTENT_W = PAGE_W - 2 * MARGIN;

const COLOR = {
  primary: '#0B5CAD',
  primaryDark: '#083F78',
  accent: '#FFC928',
  text: '#16202C',
  muted: '#5A6878',
  faint: '#8A97A6',
  panel: '#EEF4FB',
  border: '#C9D8EA',
  ok: '#137A4B',
  okBg: '#E3F4EA',
  white: '#FFFFFF',
} as const;

const TEXT = {
  headingVi: 'QUÉT MÃ QR ĐỂ KHAI BÁO',
  headingCheckin: 'CHECK-IN',
  subtitleEn: 'Scan the QR code with your phone camera to check in — no app needed',
  entrance: 'Lối vào',
  venueCode: 'Mã địa điểm',
  manualEntry: 'Không quét được? Gõ địa chỉ này vào trình duyệt:',
  testOnly: 'BẢN THỬ — mã QR trỏ về máy chủ nội bộ (localhost), điện thoại không mở được. Không dán poster này.',
  noApp: 'Không cần\ncài ứng dụng',
  howTo: 'Cách khai báo',
  steps: [
    'Mở camera trên điện thoại (hoặc Zalo, ứng dụng quét mã QR bất kỳ).',
    'Hướng camera vào mã QR và bấm vào đường liên kết hiện ra.',
    'Lần đầu tiên: nhập họ tên và số điện thoại, rồi bấm “Khai báo”.',
    'Khi rời khỏi địa điểm: mở lại trang và bấm “Check-out”.',
  ],
  validUntil: 'Hiệu lực đến',
  footerLeft: 'Vigil — Sở Y tế / CDC',
  footerRight: 'Cùng chung tay phòng, chống dịch',
} as const;

/**
 * Adds one A4 page to `doc` and draws the entrance poster on it.
 * Create the document with `autoFirstPage: false` (as `postersPdf` does) to avoid a blank first page.
 */
export function renderEntrancePoster(doc: PDFKit.PDFDocument, p: EntrancePosterParams): void {
  const fonts = registerVietnameseFonts(doc);
  const venueName = nfc(p.venueName);
  const venueAddress = nfc(p.venueAddress);
  const entranceName = nfc(p.entranceName);
  const venueCode = nfc(p.venueCode);

  doc.addPage({ size: 'A4', margin: 0 });
  doc.save();

  // ── header band ────────────────────────────────────────────────────────
  const headerH = 158;
  doc.rect(0, 0, PAGE_W, headerH).fill(COLOR.primary);
  doc.rect(0, headerH, PAGE_W, 5).fill(COLOR.accent);

  let y = 34;
  const h1 = fitSize(doc, fonts.bold, TEXT.headingVi, CONTENT_W, 38, 24);
  doc.font(fonts.bold).fontSize(h1).fillColor(COLOR.white);
  doc.text(TEXT.headingVi, MARGIN, y, { width: CONTENT_W, align: 'center', lineBreak: false });
  y += h1 * 1.22;
  doc.font(fonts.bold).fontSize(h1 * 0.78).fillColor(COLOR.accent);
  doc.text(`/ ${TEXT.headingCheckin}`, MARGIN, y, { width: CONTENT_W, align: 'center', lineBreak: false });
  y += h1 * 0.78 * 1.3 + 4;
  doc.font(fonts.regular).fontSize(10.5).fillColor('#D6E6F7');
  doc.text(TEXT.subtitleEn, MARGIN, y, { width: CONTENT_W, align: 'center', lineBreak: false });

  // ── venue ──────────────────────────────────────────────────────────────
  y = headerH + 26;
  const nameSize = fitSize(doc, fonts.bold, venueName, CONTENT_W, 26, 17);
  doc.font(fonts.bold).fontSize(nameSize).fillColor(COLOR.text);
  const nameH = doc.heightOfString(venueName, { width: CONTENT_W, align: 'center' });
  doc.text(venueName, MARGIN, y, { width: CONTENT_W, align: 'center', height: nameSize * 2.6, ellipsis: true });
  y += Math.min(nameH, nameSize * 2.6) + 4;
  if (venueAddress) {
    doc.font(fonts.regular).fontSize(11).fillColor(COLOR.muted);
    const addrOpts = { width: CONTENT_W, align: 'center' as const, height: 30, ellipsis: true };
    const addrH = Math.min(doc.heightOfString(venueAddress, addrOpts), 30);
    doc.text(venueAddress, MARGIN, y, addrOpts);
    y += addrH + 10;
  } else {
    y += 6;
  }

  // Entrance pill: "Lối vào: Cổng chính"
  {
    const label = `${TEXT.entrance}: `;
    doc.font(fonts.semibold).fontSize(13);
    const labelW = doc.widthOfString(label);
    const maxNameW = CONTENT_W - 40 - labelW;
    doc.font(fonts.bold).fontSize(13);
    const shownName = truncateToWidth(doc, entranceName, maxNameW);
    const nameW = doc.widthOfString(shownName);
    const pillW = labelW + nameW + 36;
    const pillH = 28;
    const pillX = (PAGE_W - pillW) / 2;
    doc.roundedRect(pillX, y, pillW, pillH, pillH / 2).fill(COLOR.panel);
    doc.roundedRect(pillX, y, pillW, pillH, pillH / 2).lineWidth(1).stroke(COLOR.border);
    const ty = y + (pillH - 13 * 1.2) / 2 + 1;
    doc.font(fonts.semibold).fontSize(13).fillColor(COLOR.muted);
    doc.text(label, pillX + 18, ty, { lineBreak: false });
    doc.font(fonts.bold).fontSize(13).fillColor(COLOR.primaryDark);
    doc.text(shownName, pillX + 18 + labelW, ty, { lineBreak: false });
    y += pillH + 16;
  }

  // ── instructions panel (measured first: it is anchored above the footer) ──
  const footerH = 34;
  const footerY = PAGE_H - footerH;
  const stepSize = 11.5;
  const numR = 10;
  const textX = MARGIN + 20 + numR * 2 + 12;
  const textW = PAGE_W - MARGIN - 20 - textX;
  doc.font(fonts.regular).fontSize(stepSize);
  const stepHeights = TEXT.steps.map((s) => Math.max(doc.heightOfString(s, { width: textW }), numR * 2));
  const panelH = 15 + 24 + stepHeights.reduce((a, h) => a + h + 9, 0) + 6;
  const panelY = footerY - 18 - panelH;

  // ── QR card: as large as the space between the entrance pill and the panel allows ──
  const cardPad = 16;
  const urlFont = 7.5;
  const typed = p.shortUrl.replace(/^https?:\/\//, '');
  const gapAbove = 12; // room for the corner marks
  const gapBelow = 22;
  const typedFont = fitSize(doc, fonts.bold, typed, 190 + 2 * cardPad - 24, 15, 8); // fits the smallest card
  const textBelow = 8 + 11 + typedFont * 1.3 + 10;
  const qrSize = Math.max(190, Math.min(262, panelY - gapBelow - (y + gapAbove) - cardPad - textBelow));
  const cardW = qrSize + 2 * cardPad;
  const cardH = cardPad + qrSize + textBelow;
  const cardX = (PAGE_W - cardW) / 2;
  const cardY = y + gapAbove + Math.max(0, (panelY - gapBelow - (y + gapAbove) - cardH) / 2);
  doc.roundedRect(cardX, cardY, cardW, cardH, 14).fill(COLOR.white);
  doc.roundedRect(cardX, cardY, cardW, cardH, 14).lineWidth(1.5).stroke(COLOR.border);
  drawCornerMarks(doc, cardX - 8, cardY - 8, cardW + 16, cardH + 16, 22, COLOR.primary);
  drawQr(doc, p.checkinUrl, cardX + cardPad, cardY + cardPad, qrSize, COLOR.text);

  let cy = cardY + cardPad + qrSize + 8;
  doc.font(fonts.semibold).fontSize(urlFont).fillColor(COLOR.faint);
  doc.text(TEXT.manualEntry, cardX + 12, cy, { width: cardW - 24, align: 'center', lineBreak: false });
  cy += 11;
  doc.font(fonts.bold).fontSize(typedFont).fillColor(COLOR.text);
  doc.text(typed, cardX + 12, cy, { width: cardW - 24, align: 'center', lineBreak: false });
  if (p.testOnly) {
    doc.font(fonts.bold).fontSize(9).fillColor('#B42318');
    doc.text(TEXT.testOnly, MARGIN, cardY - 30, { width: CONTENT_W, align: 'center' });
  }

  // Side columns: venue code (+ validity) on the left, "no app needed" on the right
  const sideW = cardX - MARGIN - 16;
  const qrMid = cardY + cardPad + qrSize / 2;
  {
    const sx = MARGIN;
    const validity = p.validUntil ? formatDateTime(p.validUntil, p.timeZone) : null;
    const labelOpts = { width: sideW, align: 'center' as const, characterSpacing: 0.4 };
    const codeSize = fitSize(doc, fonts.bold, venueCode, sideW, 20, 12);
    doc.font(fonts.bold).fontSize(codeSize);
    const codeOpts = { width: sideW, align: 'center' as const, height: doc.currentLineHeight(true) * 3 + 1, ellipsis: true };
    const codeH = Math.min(doc.heightOfString(venueCode, codeOpts), codeOpts.height);
    const validLabel = TEXT.validUntil.toUpperCase();
    doc.font(fonts.semibold).fontSize(8.5);
    const labelH = doc.heightOfString(validLabel, labelOpts);
    doc.font(fonts.bold).fontSize(11);
    const validH = validity ? doc.heightOfString(validity, { width: sideW }) : 0;
    const blockH = 15 + codeH + (validity ? 18 + labelH + 3 + validH : 0);

    let sy = qrMid - blockH / 2;
    doc.font(fonts.semibold).fontSize(8.5).fillColor(COLOR.muted);
    doc.text(TEXT.venueCode.toUpperCase(), sx, sy, { ...labelOpts, lineBreak: false });
    doc.font(fonts.bold).fontSize(codeSize).fillColor(COLOR.primaryDark);
    doc.text(venueCode, sx, sy + 15, codeOpts);
    if (validity) {
      sy += 15 + codeH + 18;
      doc.moveTo(sx + sideW / 2 - 18, sy - 9).lineTo(sx + sideW / 2 + 18, sy - 9).lineWidth(1).stroke(COLOR.border);
      doc.font(fonts.semibold).fontSize(8.5).fillColor(COLOR.muted);
      doc.text(validLabel, sx, sy, labelOpts);
      sy += labelH + 3;
      doc.font(fonts.bold).fontSize(11).fillColor(COLOR.text);
      doc.text(validity, sx, sy, { width: sideW, align: 'center' });
    }
  }
  {
    const bw = sideW;
    const bh = 70;
    const sx = PAGE_W - MARGIN - bw;
    const sy = qrMid - bh / 2;
    doc.roundedRect(sx, sy, bw, bh, 10).fill(COLOR.okBg);
    drawCheck(doc, sx + bw / 2 - 8, sy + 11, 16, COLOR.ok);
    doc.font(fonts.semibold).fontSize(10).fillColor(COLOR.ok);
    doc.text(TEXT.noApp, sx + 8, sy + 35, { width: bw - 16, align: 'center' });
  }

  // ── instructions ───────────────────────────────────────────────────────
  doc.roundedRect(MARGIN, panelY, CONTENT_W, panelH, 12).fill(COLOR.panel);
  doc.rect(MARGIN, panelY + 12, 4, panelH - 24).fill(COLOR.primary);
  let iy = panelY + 15;
  doc.font(fonts.bold).fontSize(12).fillColor(COLOR.primaryDark);
  doc.text(TEXT.howTo.toUpperCase(), MARGIN + 20, iy, { lineBreak: false, characterSpacing: 0.6 });
  iy += 24;
  TEXT.steps.forEach((step, i) => {
    const h = stepHeights[i] ?? numR * 2;
    const cx = MARGIN + 20 + numR;
    doc.circle(cx, iy + numR - 1, numR).fill(COLOR.primary);
    doc.font(fonts.bold).fontSize(11).fillColor(COLOR.white);
    doc.text(String(i + 1), cx - numR, iy + numR - 1 - 11 * 0.62, { width: numR * 2, align: 'center', lineBreak: false });
    doc.font(fonts.regular).fontSize(stepSize).fillColor(COLOR.text);
    doc.text(step, textX, iy + (numR * 2 - stepSize * 1.25) / 2 - 1, { width: textW });
    iy += h + 9;
  });

  // ── footer ─────────────────────────────────────────────────────────────
  const fy = footerY;
  doc.rect(0, fy, PAGE_W, footerH).fill(COLOR.primaryDark);
  doc.font(fonts.semibold).fontSize(9.5).fillColor(COLOR.white);
  doc.text(TEXT.footerLeft, MARGIN, fy + 11, { lineBreak: false });
  doc.font(fonts.regular).fontSize(9).fillColor('#C7D8EC');
  doc.text(TEXT.footerRight, MARGIN, fy + 11.5, { width: CONTENT_W, align: 'right', lineBreak: false });

  doc.restore();
}

/** One PDF with one page per entrance. */
export function postersPdf(entrances: readonly EntrancePosterParams[]): Promise<Buffer> {
  return renderPdf({ Title: 'Vigil — QR check-in posters', Author: 'Vigil' }, (doc) => {
    for (const e of entrances) renderEntrancePoster(doc, e);
  });
}

/** A ZIP with one PDF per entrance (`<entrance-slug>-<code-slug>.pdf`) plus `all.pdf` with every page. */
export async function postersZip(entrances: readonly EntrancePosterParams[]): Promise<Buffer> {
  const files: Array<{ name: string; data: Buffer }> = [];
  const used = new Set<string>(['all.pdf']);
  for (const e of entrances) {
    files.push({ name: uniqueName(used, posterFileStem(e)), data: await postersPdf([e]) });
  }
  files.push({ name: 'all.pdf', data: await postersPdf(entrances) });

  return new Promise<Buffer>((resolve, reject) => {
    // PDFs are already compressed; a light level keeps this fast.
    const zip = archiver('zip', { zlib: { level: 1 } });
    const chunks: Buffer[] = [];
    zip.on('data', (c: Buffer) => chunks.push(c));
    zip.on('end', () => resolve(Buffer.concat(chunks)));
    zip.on('warning', reject);
    zip.on('error', reject);
    for (const f of files) zip.append(f.data, { name: f.name });
    void zip.finalize();
  });
}

/** `Cổng chính (Lê Lợi)`, `HN-0042` → `cong-chinh-le-loi-hn-0042`. */
export function posterFileStem(e: Pick<EntrancePosterParams, 'entranceName' | 'venueCode'>): string {
  const stem = [slug(e.entranceName), slug(e.venueCode)].filter(Boolean).join('-');
  return stem || 'poster';
}

export function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
}

// ── drawing helpers ────────────────────────────────────────────────────────

function nfc(s: string): string {
  return (s ?? '').normalize('NFC').trim();
}

function uniqueName(used: Set<string>, stem: string): string {
  let name = `${stem}.pdf`;
  for (let i = 2; used.has(name); i++) name = `${stem}-${i}.pdf`;
  used.add(name);
  return name;
}

/** Largest font size in [min, max] at which `text` fits on one line of `width`. */
function fitSize(doc: PDFKit.PDFDocument, font: string, text: string, width: number, max: number, min: number): number {
  doc.font(font).fontSize(max);
  const w = doc.widthOfString(text);
  if (w <= width) return max;
  return Math.max(min, Math.floor(((max * width) / w) * 4) / 4);
}

function truncateToWidth(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  const chars = [...text];
  while (chars.length > 1 && doc.widthOfString(`${chars.join('')}…`) > width) chars.pop();
  return `${chars.join('').trimEnd()}…`;
}

/** Four L-shaped corner brackets around a rectangle ("scan here" framing). */
function drawCornerMarks(
  doc: PDFKit.PDFDocument,
  x: number,
  y: number,
  w: number,
  h: number,
  len: number,
  color: string,
): void {
  doc.save();
  doc.lineWidth(3.5).lineCap('round').strokeColor(color);
  doc.moveTo(x, y + len).lineTo(x, y).lineTo(x + len, y).stroke();
  doc.moveTo(x + w - len, y).lineTo(x + w, y).lineTo(x + w, y + len).stroke();
  doc.moveTo(x + w, y + h - len).lineTo(x + w, y + h).lineTo(x + w - len, y + h).stroke();
  doc.moveTo(x + len, y + h).lineTo(x, y + h).lineTo(x, y + h - len).stroke();
  doc.restore();
}

function drawCheck(doc: PDFKit.PDFDocument, x: number, y: number, size: number, color: string): void {
  doc.save();
  doc.circle(x + size / 2, y + size / 2, size / 2 + 2).fill(color);
  doc
    .lineWidth(1.8)
    .lineCap('round')
    .lineJoin('round')
    .strokeColor(COLOR.white)
    .moveTo(x + size * 0.24, y + size * 0.52)
    .lineTo(x + size * 0.43, y + size * 0.7)
    .lineTo(x + size * 0.78, y + size * 0.3)
    .stroke();
  doc.restore();
}

function formatDateTime(d: Date, timeZone = 'Asia/Ho_Chi_Minh'): string {
  const p = localParts(d, timeZone);
  return `${p.hour}:${p.minute}\n${p.day}/${p.month}/${p.year}`;
}
