// The daily report as files: Excel (figures + one row per commune) and a one-page A4 PDF in Vietnamese (Be Vietnam
// Pro embedded, as the venue posters do).
import ExcelJS from 'exceljs';
import { registerVietnameseFonts } from '../../platform/i18n/fonts';
import { renderPdf } from '../../platform/i18n/pdf';
import type { DailyFigures } from './report';

export const LINES: [keyof DailyFigures, string][] = [
  ['planned', 'Người trong danh sách gọi'],
  ['callsMade', 'Cuộc gọi tự động đã thực hiện'],
  ['reached', 'Người đã liên lạc được'],
  ['symptomatic', 'Người có triệu chứng'],
  ['nonReporting', 'Người không báo cáo'],
  ['wrongNumbers', 'Số điện thoại sai'],
  ['smsLinks', 'Gửi khảo sát qua SMS'],
  ['manualCalls', 'Cuộc gọi thủ công của điều tra viên'],
];

export async function reportXlsx(f: DailyFigures, unitName: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Vigil';
  const ws = wb.addWorksheet('Báo cáo');
  ws.columns = [{ width: 42 }, { width: 14 }];
  ws.addRow([`Báo cáo gọi tự động — ${unitName}`]).font = { bold: true, size: 14 };
  ws.addRow([`Ngày ${f.day}`]);
  ws.addRow([]);
  for (const [k, label] of LINES) ws.addRow([label, f[k] as number]);
  const by = wb.addWorksheet('Theo đơn vị');
  by.columns = [
    { header: 'Mã đơn vị', key: 'unitCode', width: 14 },
    { header: 'Trong danh sách', key: 'planned', width: 16 },
    { header: 'Cuộc gọi', key: 'callsMade', width: 12 },
    { header: 'Liên lạc được', key: 'reached', width: 14 },
    { header: 'Có triệu chứng', key: 'symptomatic', width: 15 },
  ];
  by.getRow(1).font = { bold: true };
  for (const u of f.byUnit) by.addRow(u);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function reportPdf(f: DailyFigures, unitName: string, unitNames: Map<string, string>): Promise<Buffer> {
  return renderPdf({ Title: `Báo cáo gọi tự động ${unitName} ${f.day}` }, (doc) => {
    const fonts = registerVietnameseFonts(doc);
    doc.addPage({ size: 'A4', margin: 56 });
    doc.font(fonts.bold).fontSize(18).text('BÁO CÁO GỌI TỰ ĐỘNG HẰNG NGÀY');
    doc.font(fonts.regular).fontSize(12).text(`${unitName} — ngày ${f.day}`).moveDown(1);
    for (const [k, label] of LINES) {
      const y = doc.y;
      doc.font(fonts.regular).fontSize(12).text(label, 56, y, { width: 340 });
      doc.font(fonts.bold).text(String(f[k]), 400, y, { width: 120, align: 'right' });
      doc.moveDown(0.4);
    }
    doc.moveDown(1).font(fonts.semibold).fontSize(13).text('Theo đơn vị', 56).moveDown(0.3);
    const header = ['Đơn vị', 'Danh sách', 'Cuộc gọi', 'Liên lạc', 'Triệu chứng'];
    const xs = [56, 260, 330, 400, 470];
    const row = (cells: string[], bold: boolean) => {
      const y = doc.y;
      cells.forEach((c, i) => doc.font(bold ? fonts.semibold : fonts.regular).fontSize(10).text(c, xs[i]!, y, { width: i === 0 ? 200 : 65, align: i === 0 ? 'left' : 'right', lineBreak: false }));
      doc.y = y + 16;
    };
    row(header, true);
    for (const u of f.byUnit.slice(0, 35)) row([unitNames.get(u.unitCode) ?? u.unitCode, String(u.planned), String(u.callsMade), String(u.reached), String(u.symptomatic)], false);
    if (f.byUnit.length > 35) doc.font(fonts.regular).fontSize(10).text(`… và ${f.byUnit.length - 35} đơn vị khác (xem tệp Excel)`, 56);
  });
}
