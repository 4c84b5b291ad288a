// A certificate as a QR picture (PNG) and as a printable A4 PDF (Be Vietnam Pro, vector QR).
import QRCode from 'qrcode';
import { renderPdf, drawQr } from '../../platform/i18n/pdf';
import { registerVietnameseFonts } from '../../platform/i18n/fonts';
import type { CertificateView } from './schema';
import { productName } from './products';
import { CERTIFICATE_ISSUER } from './payload';

const ISSUER_NAME = { vi: 'Bộ Y tế Việt Nam', en: CERTIFICATE_ISSUER } as const;
import { TR_DETECTED, TT_RAT } from './tests';

/** Error correction Q, as the EU DCC guidelines recommend; 4 px modules read well off a phone screen. */
export const qrPng = (hc1: string): Promise<Buffer> => QRCode.toBuffer(hc1, { errorCorrectionLevel: 'Q', margin: 4, scale: 6 });

type Lang = 'vi' | 'en';
const T = {
  title: { vi: 'CHỨNG NHẬN TIÊM CHỦNG COVID-19', en: 'COVID-19 VACCINATION CERTIFICATE' },
  titleR: { vi: 'CHỨNG NHẬN KHỎI BỆNH COVID-19', en: 'COVID-19 RECOVERY CERTIFICATE' },
  titleT: { vi: 'CHỨNG NHẬN XÉT NGHIỆM COVID-19', en: 'COVID-19 TEST CERTIFICATE' },
  testType: { vi: 'Loại xét nghiệm', en: 'Type of test' },
  testName: { vi: 'Tên xét nghiệm / bộ kit', en: 'Test name / device' },
  sampled: { vi: 'Thời điểm lấy mẫu', en: 'Sample collected' },
  result: { vi: 'Kết quả', en: 'Result' },
  centre: { vi: 'Nơi xét nghiệm', en: 'Testing centre' },
  naat: { vi: 'Xét nghiệm axit nucleic (RT-PCR)', en: 'Nucleic acid amplification (NAAT)' },
  rat: { vi: 'Test nhanh kháng nguyên', en: 'Rapid antigen test' },
  negative: { vi: 'ÂM TÍNH (không phát hiện)', en: 'NEGATIVE (not detected)' },
  positive: { vi: 'DƯƠNG TÍNH (phát hiện)', en: 'POSITIVE (detected)' },
  firstPositive: { vi: 'Ngày xét nghiệm dương tính đầu tiên', en: 'First positive test' },
  validFrom: { vi: 'Có giá trị từ', en: 'Valid from' },
  sub: { vi: 'Định dạng Chứng nhận COVID số của EU (EU DCC)', en: 'EU Digital COVID Certificate format (EU DCC)' },
  name: { vi: 'Họ và tên', en: 'Name' },
  dob: { vi: 'Ngày sinh', en: 'Date of birth' },
  dose: { vi: 'Mũi tiêm', en: 'Dose' },
  date: { vi: 'Ngày tiêm', en: 'Date of vaccination' },
  vaccine: { vi: 'Vắc xin', en: 'Vaccine' },
  country: { vi: 'Quốc gia', en: 'Country' },
  issuer: { vi: 'Cơ quan cấp', en: 'Issuer' },
  uvci: { vi: 'Mã chứng nhận (UVCI)', en: 'Certificate identifier (UVCI)' },
  valid: { vi: 'Hiệu lực đến', en: 'Valid until' },
  revoked: { vi: 'ĐÃ THU HỒI', en: 'REVOKED' },
  scan: { vi: 'Quét mã QR để kiểm tra chữ ký số của chứng nhận.', en: 'Scan the QR code to check the certificate\'s digital signature.' },
} as const;

/** dd/mm/yyyy in Vietnamese (as Vietnamese papers write dates), ISO in English; a partial date as it is */
const showDate = (iso: string, lang: Lang) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m && lang === 'vi' ? `${m[3]}/${m[2]}/${m[1]}` : iso.slice(0, 10);
};
const COUNTRY: Record<string, { vi: string; en: string }> = { VN: { vi: 'Việt Nam', en: 'Viet Nam' } };

/** the sample time as a local wall-clock reading with its offset (files people read carry local times) */
const showTime = (iso: string, lang: Lang, timeZone: string) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset' }).formatToParts(d).map((x) => [x.type, x.value]));
  const day = lang === 'vi' ? `${p.day}/${p.month}/${p.year}` : `${p.year}-${p.month}-${p.day}`;
  return `${day} ${p.hour}:${p.minute} (${p.timeZoneName})`;
};

export function certificatePdf(c: CertificateView, lang: Lang, timeZone = 'Asia/Ho_Chi_Minh'): Promise<Buffer> {
  const e = c.entry as Record<string, string | number>;
  const t = (k: keyof typeof T) => T[k][lang];
  const title = c.kind === 'r' ? T.titleR[lang] : c.kind === 't' ? T.titleT[lang] : T.title[lang];
  const entryRows: [string, string][] =
    c.kind === 't'
      ? [
          [t('testType'), e.tt === TT_RAT ? t('rat') : t('naat')],
          [t('testName'), String(e.nm ?? e.ma ?? '')],
          [t('sampled'), showTime(String(e.sc), lang, timeZone)],
          [t('result'), e.tr === TR_DETECTED ? t('positive') : t('negative')],
          [t('centre'), String(e.tc ?? '')],
        ]
      : c.kind === 'r'
      ? [
          [t('firstPositive'), showDate(String(e.fr), lang)],
          [t('validFrom'), showDate(String(e.df), lang)],
        ]
      : [
          [t('dose'), `${e.dn} / ${e.sd}`],
          [t('date'), showDate(String(e.dt), lang)],
          [t('vaccine'), productName(String(e.mp))],
        ];
  return renderPdf({ Title: `${title} ${c.uvci}` }, (doc) => {
    const f = registerVietnameseFonts(doc);
    doc.addPage();
    const W = doc.page.width;
    doc.rect(0, 0, W, 110).fill('#0B5CAD');
    doc.font(f.bold).fontSize(22).fillColor('#FFFFFF').text(title, 40, 36, { width: W - 80, align: 'center' });
    doc.font(f.regular).fontSize(11).fillColor('#D6E6F7').text(t('sub'), 40, 70, { width: W - 80, align: 'center' });
    const qrSize = 260;
    drawQr(doc, c.hc1, (W - qrSize) / 2, 140, qrSize);
    doc.font(f.regular).fontSize(9).fillColor('#555555').text(t('scan'), 40, 140 + qrSize + 10, { width: W - 80, align: 'center' });
    const rows: [string, string][] = [
      [t('name'), c.holder.fullName],
      [t('dob'), showDate(c.holder.birthDate, lang)],
      ...entryRows,
      [t('country'), COUNTRY[String(e.co)]?.[lang] ?? String(e.co)],
      // the payload's issuer is English (the EU DCC's `is`); our own reads in the paper's language
      [t('issuer'), e.is === CERTIFICATE_ISSUER ? ISSUER_NAME[lang] : String(e.is)],
      // a test counts for so many hours after the sample (the verifier's rule), not until the signature expires
      ...(c.kind === 't' ? [] : [[t('valid'), showDate(c.expiresAt, lang)] as [string, string]]),
      [t('uvci'), c.uvci],
    ];
    let y = 440;
    for (const [label, value] of rows) {
      doc.font(f.semibold).fontSize(10).fillColor('#555555').text(label, 70, y, { width: 170 });
      doc.font(f.bold).fontSize(12).fillColor('#111111').text(value, 240, y - 1, { width: W - 310 });
      y += 30;
    }
    if (c.revoked) {
      doc.save().rotate(-30, { origin: [W / 2, 400] });
      doc.font(f.bold).fontSize(72).fillColor('#B42318').opacity(0.35).text(t('revoked'), 0, 360, { width: W, align: 'center' });
      doc.restore();
    }
  });
}
