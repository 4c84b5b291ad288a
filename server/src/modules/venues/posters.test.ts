import { describe, expect, it } from 'vitest';
import { posterFileStem, postersPdf, postersZip, slug, type EntrancePosterParams } from './posters';

const ENTRANCES: EntrancePosterParams[] = [
  {
    venueName: 'Chợ Bến Thành — Khu ẩm thực',
    venueAddress: 'Số 1 Lê Lợi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh',
    entranceName: 'Cổng chính (Lê Lợi)',
    checkinUrl:
      'https://vigil.example.vn/c/QnZlIWU_HCqee01OKpxRDY5vehss.0HlSDz.UiHOzsJCNC5RKy9_xJrTRGCyIADJeJNUTOsIcPjte4rPeJL1Gct9vXkH5Aqx1mvNwalXB-6FeRQm3nIh56FfCA',
    shortUrl: 'https://vigil.example.vn/c/79-ZPBMEV-1',
    venueCode: 'HCM-Q1-00042',
    validUntil: new Date('2021-12-31T16:59:00Z'),
  },
  {
    venueName: 'Bệnh viện Đa khoa tỉnh Quảng Ngãi',
    venueAddress: 'Đường Lê Hữu Trác, Phường Nghĩa Lộ, TP. Quảng Ngãi',
    entranceName: 'Lối vào phía sau — Bãi giữ xe',
    checkinUrl: 'https://vigil.example.vn/c/abc',
    shortUrl: 'https://vigil.example.vn/c/51-K7QW2X-12',
    venueCode: 'QNG-0007',
    validUntil: null,
  },
];

function pageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
}

/** Entry names from a ZIP's central directory (no zip64; fine for a few posters). */
function zipEntryNames(zip: Buffer): string[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd).toBeGreaterThan(0);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(p)).toBe(0x02014b50);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    names.push(zip.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

describe('entrance posters', () => {
  it('renders one A4 page per entrance with the Vietnamese font embedded', async () => {
    const pdf = await postersPdf(ENTRANCES);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(pageCount(pdf)).toBe(2);
    const text = pdf.toString('latin1');
    expect(text).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+BeVietnamPro-Bold/);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+BeVietnamPro-Regular/);
    // subsetted fonts and vector QR keep it small
    expect(pdf.length).toBeGreaterThan(10_000);
    expect(pdf.length).toBeLessThan(400_000);
  });

  it('renders a single poster and an empty list', async () => {
    expect(pageCount(await postersPdf([ENTRANCES[1]!]))).toBe(1);
    expect(pageCount(await postersPdf([]))).toBe(0);
  });

  it('zips one PDF per entrance plus all.pdf', async () => {
    const zip = await postersZip([...ENTRANCES, { ...ENTRANCES[0]!, checkinUrl: 'https://vigil.example.vn/c/other' }]);
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zipEntryNames(zip)).toEqual([
      'cong-chinh-le-loi-hcm-q1-00042.pdf',
      'loi-vao-phia-sau-bai-giu-xe-qng-0007.pdf',
      'cong-chinh-le-loi-hcm-q1-00042-2.pdf',
      'all.pdf',
    ]);
  });

  it('makes safe ASCII slugs from Vietnamese names', () => {
    expect(slug('Đường Nguyễn Thị Minh Khai / Cổng số 2')).toBe('duong-nguyen-thi-minh-khai-cong-so-2');
    expect(slug('  ***  ')).toBe('');
    expect(slug('a'.repeat(100))).toHaveLength(60);
    expect(posterFileStem({ entranceName: '../../etc', venueCode: '' })).toBe('etc');
    expect(posterFileStem({ entranceName: '', venueCode: '' })).toBe('poster');
  });
});
