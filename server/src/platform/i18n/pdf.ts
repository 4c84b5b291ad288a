// Render a pdfkit document into a Buffer: the one place that wires pdfkit's stream events to a promise.
import QRCode from 'qrcode';
import PDFDocument from 'pdfkit';

/** A4, no margins, pages added by `draw` (autoFirstPage off). */
export function renderPdf(info: PDFKit.DocumentInfo, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, info: { Creator: 'Vigil', ...info } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      draw(doc);
      doc.end();
    } catch (err) {
      reject(err);
    }
  });
}

/**
 * Draws a QR code as vector modules (one filled path, horizontal runs merged, no quiet zone), so it prints sharp
 * at any size. `qrcode` computes the matrix; pdfkit has no QR support of its own.
 */
export function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number, color = '#000000'): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const cell = size / n;
  doc.save();
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!qr.modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && qr.modules.get(row, col)) col++;
      // a hair of overlap so no hairline gaps show between adjacent runs in some viewers
      doc.rect(x + start * cell, y + row * cell, (col - start) * cell + 0.01, cell + 0.01);
    }
  }
  doc.fill(color).restore();
}
