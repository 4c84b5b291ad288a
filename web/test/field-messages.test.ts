// A form's field errors come from the server in English; in the Vietnamese UI the common ones read in Vietnamese.
import i18next from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../src/app/locales/en.json';
import vi from '../src/app/locales/vi.json';
import { ApiError } from '../src/lib/api';

beforeAll(async () => {
  await i18next.init({ resources: { vi: { translation: vi }, en: { translation: en } }, lng: 'vi', fallbackLng: 'vi', interpolation: { escapeValue: false } });
});
afterAll(() => i18next.changeLanguage('vi'));

const err = () =>
  new ApiError(400, 'VALIDATION', 'body.phone is not a valid Vietnamese phone number', [
    { path: 'body.phone', message: 'is not a valid Vietnamese phone number' },
    { path: 'body.fullName', message: 'must NOT have fewer than 1 characters' },
    { path: 'body.communeCode', message: 'is not a known administrative unit ("99999")' },
    { path: 'body.endsOn', message: 'is before startsOn' },
    { path: 'body.note', message: 'the person has no commune on record: give the commune that follows the case' },
  ]);

describe('field errors', () => {
  it('are in Vietnamese in the Vietnamese UI', async () => {
    await i18next.changeLanguage('vi');
    expect(err().fieldErrors()).toEqual({
      phone: 'không phải số điện thoại hợp lệ (ví dụ 0912 345 678 hoặc +84 912 345 678)',
      fullName: 'cần ít nhất 1 ký tự',
      communeCode: 'không có đơn vị hành chính này',
      endsOn: 'phải sau thời điểm bắt đầu', // a campaign that ends before it starts
      note: 'the person has no commune on record: give the commune that follows the case', // no rule: the server's words
    });
  });

  it('keep the server words in the English UI', async () => {
    await i18next.changeLanguage('en');
    expect(err().fieldErrors().phone).toBe('is not a valid Vietnamese phone number');
  });
});
