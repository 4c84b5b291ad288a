/**
 * Printable personal QR cards for people without a smartphone (children, the elderly): 100 × 140 mm cards, four to an A4
 * sheet with cut marks, Vietnamese first. The QR is drawn as vector rectangles so it stays sharp when printed.
 * A household prints on one sheet.
 */
import { drawQr, renderPdf } from '../../platform/i18n/pdf';
import { registerVietnameseFonts } from '../../platform/i18n/fonts';

export interface CardParams {
  fullName: string;
  birthYear: number | null;
  sex: string | null;
  /** "Xã Nghi Phong, Huyện Nghi Lộc, Tỉnh Nghệ An" */
  placeLabel: string | null;
  phoneMasked: string | null;
  /** the signed personal QR token */
  qrText: string;
  /** short reference printed under the QR (first characters of the id) */
  reference: string;
  issuedAt: Date;
  timeZone?: string;
}

const MM = 72 / 25.4;
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const CARD_W = 100 * MM; // a little under A6 so four fit inside the printable area of an A4 sheet
const CARD_H = 140 * MM;
const OFFSET_X = (PAGE_W - 2 * CARD_W) / 2;
const OFFSET_Y = (PAGE_H - 2 * CARD_H) / 2;
const PAD = 16;

const COLOR = {
  primary: '#0B5CAD',
  text: '#16202C',
  muted: '#5A6878',
  border: '#C9D8EA',
  panel: '#EEF4FB',
  white: '#FFFFFF',
  cut: '#9AA7B5',
};

const SEX_VI: Record<string, string> = { male: 'Nam', female: 'Nữ', other: 'Khác' };

function formatDate(d: Date, timeZone: string) {
  return new Intl.DateTimeFormat('vi-VN', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
}

function drawCard(doc: PDFKit.PDFDocument, fonts: ReturnType<typeof registerVietnameseFonts>, c: CardParams, x0: number, y0: number) {
  const w = CARD_W - 2 * PAD;
  // frame
  doc.save().lineWidth(1).strokeColor(COLOR.border).roundedRect(x0 + 6, y0 + 6, CARD_W - 12, CARD_H - 12, 10).stroke().restore();
  // header band
  doc.save().fillColor(COLOR.primary).roundedRect(x0 + 6, y0 + 6, CARD_W - 12, 50, 10).fill().rect(x0 + 6, y0 + 36, CARD_W - 12, 20).fill().restore();
  doc.fillColor(COLOR.white).font(fonts.bold).fontSize(15).text('MÃ QR CÁ NHÂN', x0 + PAD, y0 + 16, { width: w, align: 'center' });
  doc.font(fonts.regular).fontSize(8).text('Personal health QR code', x0 + PAD, y0 + 36, { width: w, align: 'center' });

  // QR on a light panel
  const qrSize = 140;
  const qx = x0 + (CARD_W - qrSize) / 2;
  const qy = y0 + 66;
  doc.save().fillColor(COLOR.white).rect(qx - 8, qy - 8, qrSize + 16, qrSize + 16).fill().restore();
  drawQr(doc, c.qrText, qx, qy, qrSize);
  doc.fillColor(COLOR.muted).font(fonts.regular).fontSize(7.5).text(`Mã tham chiếu: ${c.reference}`, x0 + PAD, qy + qrSize + 9, { width: w, align: 'center' });

  // identity
  let y = qy + qrSize + 22;
  doc.fillColor(COLOR.text).font(fonts.bold).fontSize(14).text(c.fullName.toLocaleUpperCase('vi'), x0 + PAD, y, { width: w, align: 'center', height: 36, ellipsis: true });
  y = doc.y + 4;
  const line = [c.birthYear ? `Năm sinh: ${c.birthYear}` : null, c.sex ? `Giới tính: ${SEX_VI[c.sex] ?? c.sex}` : null].filter(Boolean).join('   ·   ');
  if (line) {
    doc.font(fonts.regular).fontSize(9).fillColor(COLOR.text).text(line, x0 + PAD, y, { width: w, align: 'center' });
    y = doc.y + 2;
  }
  if (c.placeLabel) {
    doc.font(fonts.regular).fontSize(8.5).fillColor(COLOR.text).text(c.placeLabel, x0 + PAD, y, { width: w, align: 'center', height: 24, ellipsis: true });
    y = doc.y + 2;
  }
  if (c.phoneMasked) {
    doc.font(fonts.regular).fontSize(8.5).fillColor(COLOR.muted).text(`Điện thoại: ${c.phoneMasked}`, x0 + PAD, y, { width: w, align: 'center' });
  }

  // instructions at the bottom
  const by = y0 + CARD_H - 70;
  doc.save().fillColor(COLOR.panel).rect(x0 + 6, by, CARD_W - 12, 50).fill().restore();
  doc
    .fillColor(COLOR.text)
    .font(fonts.semibold)
    .fontSize(7.5)
    .text('Xuất trình mã này khi đến địa điểm công cộng, cơ sở y tế, chốt kiểm soát để được quét khai báo.', x0 + PAD, by + 6, {
      width: w,
      align: 'center',
    });
  doc
    .font(fonts.regular)
    .fontSize(6.5)
    .fillColor(COLOR.muted)
    .text('Show this code at venues, health facilities and checkpoints. Keep it safe; do not post it online.', x0 + PAD, doc.y + 2, {
      width: w,
      align: 'center',
    });
  doc
    .font(fonts.regular)
    .fontSize(6.5)
    .fillColor(COLOR.muted)
    .text(`Cấp ngày ${formatDate(c.issuedAt, c.timeZone ?? 'Asia/Ho_Chi_Minh')}`, x0 + PAD, y0 + CARD_H - 16, { width: w, align: 'center' });
}

function drawCutMarks(doc: PDFKit.PDFDocument) {
  doc.save().lineWidth(0.5).strokeColor(COLOR.cut).dash(4, { space: 3 });
  for (const x of [OFFSET_X, OFFSET_X + CARD_W, OFFSET_X + 2 * CARD_W]) doc.moveTo(x, 10).lineTo(x, PAGE_H - 10).stroke();
  for (const y of [OFFSET_Y, OFFSET_Y + CARD_H, OFFSET_Y + 2 * CARD_H]) doc.moveTo(10, y).lineTo(PAGE_W - 10, y).stroke();
  doc.undash().restore();
}

/** A PDF with one A6 card per person, four per A4 page, cut along the dashed lines. */
export function personalCardsPdf(cards: readonly CardParams[]): Promise<Buffer> {
  if (!cards.length) return Promise.reject(new Error('personalCardsPdf: no cards'));
  return renderPdf({ Title: 'Thẻ mã QR cá nhân', Subject: 'Personal QR card' }, (doc) => {
    const fonts = registerVietnameseFonts(doc);
    cards.forEach((card, i) => {
      const slot = i % 4;
      if (slot === 0) {
        doc.addPage();
        drawCutMarks(doc);
      }
      drawCard(doc, fonts, card, OFFSET_X + (slot % 2) * CARD_W, OFFSET_Y + Math.floor(slot / 2) * CARD_H);
    });
  });
}
