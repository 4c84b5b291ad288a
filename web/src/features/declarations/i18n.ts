// Strings of the health-declaration pages, under `declarations.*`. Merged into the app's catalogues at load time
// (without overwriting keys already present), so the pages work before and after the central merge.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import i18n from '../../app/i18n';

const vi = {
  navWorklist: 'Khai báo y tế',
  navWorklistDescription: 'Danh sách khai báo cần theo dõi, thống kê theo ngày và địa bàn.',
  navDeclare: 'Khai báo y tế',
  navDeclareDescription: 'Khai báo y tế cho bản thân hoặc người phụ thuộc.',
  navMine: 'Mã QR và khai báo của tôi',
  navMineDescription: 'Mã QR cá nhân, người phụ thuộc, các lần khai báo.',
  worklist: {
    title: 'Khai báo cần theo dõi',
    dashboard: 'Thống kê',
    status: 'Trạng thái',
    severity: 'Mức độ',
    unit: 'Địa bàn',
    from: 'Từ ngày',
    to: 'Đến ngày',
    anySeverity: 'Mọi mức độ',
    submittedAt: 'Thời điểm khai',
    person: 'Người khai',
    reasons: 'Lý do cảnh báo',
    lastAction: 'Xử lý gần nhất',
    empty: 'Không có khai báo nào cần theo dõi',
    forDependant: 'khai thay',
    open: 'Mở',
  },
  statuses: { none: 'Bình thường', open: 'Chưa xử lý', called: 'Đã gọi điện', referred: 'Đã chuyển xét nghiệm', cleared: 'Đã kết thúc', active: 'Đang theo dõi', all: 'Tất cả' },
  severities: { low: 'Thấp', medium: 'Trung bình', high: 'Cao' },
  actions: {
    called: 'Đã gọi điện',
    referred: 'Chuyển xét nghiệm',
    cleared: 'Kết thúc theo dõi',
    reopened: 'Mở lại',
    note: 'Ghi chú',
    notePlaceholder: 'Nội dung cuộc gọi, kết quả, hẹn xét nghiệm…',
    submit: 'Lưu',
    history: 'Lịch sử xử lý',
    noHistory: 'Chưa có xử lý nào',
  },
  channels: { citizen: 'Người dân tự khai', public: 'Khai không cần tài khoản', officer: 'Cán bộ nhập' },
  detail: {
    title: 'Tờ khai y tế',
    answers: 'Câu trả lời',
    contact: 'Liên hệ',
    declarant: 'Người khai thay',
    venue: 'Khai tại địa điểm',
    responsible: 'Đơn vị theo dõi',
    back: 'Danh sách',
    call: 'Gọi',
    phone: 'Điện thoại',
    address: 'Địa chỉ',
  },
  dashboard: {
    title: 'Thống kê khai báo y tế',
    total: 'Số tờ khai',
    flagged: 'Có cảnh báo',
    totalToday: 'Tờ khai hôm nay',
    flaggedToday: 'Cảnh báo hôm nay',
    open: 'Đang theo dõi',
    cleared: 'Đã kết thúc',
    byDay: 'Theo ngày',
    byUnit: 'Theo địa bàn',
    day: 'Ngày',
    summary: '{{total}} tờ khai, {{flagged}} có cảnh báo, {{open}} đang theo dõi',
  },
  form: {
    choose: 'Chọn loại tờ khai',
    subject: 'Khai cho',
    myself: 'Bản thân',
    yes: 'Có',
    no: 'Không',
    submit: 'Gửi tờ khai',
    required: 'Bắt buộc',
    selectPlaceholder: 'Chọn…',
    countrySearch: 'Gõ tên quốc gia',
    thanks: 'Cảm ơn bạn đã khai báo y tế.',
    followUp: 'Dựa trên câu trả lời, nhân viên y tế có thể liên hệ với bạn. Nếu có triệu chứng sốt, ho, khó thở, hãy liên hệ ngay trạm y tế gần nhất hoặc gọi đường dây nóng 1900 9095.',
    noFollowUp: 'Bạn không có dấu hiệu cần theo dõi. Hãy thực hiện 5K: Khẩu trang – Khử khuẩn – Khoảng cách – Không tụ tập – Khai báo y tế.',
    another: 'Khai tờ khác',
    fixErrors: 'Vui lòng kiểm tra lại các câu trả lời được đánh dấu.',
    registerFirst: 'Bạn cần khai báo thông tin cá nhân trước khi khai báo y tế.',
    atVenue: 'Khai báo tại: {{name}}',
    invalid: 'Không hợp lệ',
    goRegister: 'Khai báo thông tin cá nhân',
    reference: 'Mã tờ khai: {{id}}',
  },
  mine: {
    title: 'Mã QR và khai báo của tôi',
    declarations: 'Các lần khai báo',
    none: 'Chưa có tờ khai nào',
    declare: 'Khai báo y tế',
    followUp: 'Cần theo dõi',
    ok: 'Bình thường',
    view: 'Xem',
  },
  person: {
    declarations: 'Khai báo y tế',
    none: 'Chưa có khai báo y tế',
  },
};

const en: typeof vi = {
  navWorklist: 'Health declarations',
  navWorklistDescription: 'Declarations to follow up, counts by day and area.',
  navDeclare: 'Health declaration',
  navDeclareDescription: 'Declare your health, or a dependant’s.',
  navMine: 'My QR code and declarations',
  navMineDescription: 'Personal QR code, dependants, past declarations.',
  worklist: {
    title: 'Declarations to follow up',
    dashboard: 'Dashboard',
    status: 'Status',
    severity: 'Severity',
    unit: 'Area',
    from: 'From',
    to: 'To',
    anySeverity: 'Any severity',
    submittedAt: 'Submitted',
    person: 'Person',
    reasons: 'Why flagged',
    lastAction: 'Last action',
    empty: 'Nothing to follow up',
    forDependant: 'for a dependant',
    open: 'Open',
  },
  statuses: { none: 'Normal', open: 'Not handled', called: 'Called', referred: 'Referred for a test', cleared: 'Closed', active: 'Being followed up', all: 'All' },
  severities: { low: 'Low', medium: 'Medium', high: 'High' },
  actions: {
    called: 'Called',
    referred: 'Refer for a test',
    cleared: 'Close',
    reopened: 'Reopen',
    note: 'Note',
    notePlaceholder: 'What was said, the outcome, the test appointment…',
    submit: 'Save',
    history: 'Follow-up history',
    noHistory: 'No follow-up yet',
  },
  channels: { citizen: 'Citizen (signed in)', public: 'Without an account', officer: 'Entered by an officer' },
  detail: {
    title: 'Health declaration',
    answers: 'Answers',
    contact: 'Contact',
    declarant: 'Declared by',
    venue: 'Declared at a venue',
    responsible: 'Followed up by',
    back: 'List',
    call: 'Call',
    phone: 'Phone',
    address: 'Address',
  },
  dashboard: {
    title: 'Health declaration dashboard',
    total: 'Declarations',
    flagged: 'Flagged',
    totalToday: 'Declarations today',
    flaggedToday: 'Flagged today',
    open: 'Being followed up',
    cleared: 'Closed',
    byDay: 'By day',
    byUnit: 'By area',
    day: 'Day',
    summary: '{{total}} declarations, {{flagged}} flagged, {{open}} being followed up',
  },
  form: {
    choose: 'Choose a declaration',
    subject: 'Declaring for',
    myself: 'Myself',
    yes: 'Yes',
    no: 'No',
    submit: 'Submit',
    required: 'Required',
    selectPlaceholder: 'Choose…',
    countrySearch: 'Type a country name',
    thanks: 'Thank you for your health declaration.',
    followUp: 'Based on your answers, health staff may contact you. If you have fever, cough or shortness of breath, contact the nearest health station at once or call the hotline 1900 9095.',
    noFollowUp: 'You show no signs that need follow-up. Keep to the 5K: masks, disinfection, distance, no gatherings, health declarations.',
    another: 'Declare again',
    fixErrors: 'Please check the answers marked below.',
    registerFirst: 'Register your personal details before declaring.',
    atVenue: 'Declaring at: {{name}}',
    invalid: 'Not valid',
    goRegister: 'Register my details',
    reference: 'Declaration reference: {{id}}',
  },
  mine: {
    title: 'My QR code and declarations',
    declarations: 'My declarations',
    none: 'No declarations yet',
    declare: 'Declare',
    followUp: 'Follow-up',
    ok: 'Normal',
    view: 'View',
  },
  person: {
    declarations: 'Health declarations',
    none: 'No health declarations',
  },
};

/** Resources to merge into the central catalogues: { vi: { declarations: … }, en: { declarations: … } }. */
export const declarationsResources = { vi: { declarations: vi }, en: { declarations: en } };

for (const [lng, res] of Object.entries(declarationsResources)) i18n.addResourceBundle(lng, 'translation', res, true, false);

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];
export type DeclarationsKey = Leaves<typeof vi>;

/** t() for declarations.* keys (typed against this file's catalogue). */
export function useDeclT() {
  const { t } = useTranslation();
  return useCallback((key: DeclarationsKey, vars?: Record<string, string | number>) => t(`declarations.${key}` as never, vars as never) as unknown as string, [t]);
}

/** 'vi' | 'en' for picking a form's localized texts. */
export function useLang(): 'vi' | 'en' {
  const { i18n: inst } = useTranslation();
  return inst.resolvedLanguage === 'en' ? 'en' : 'vi';
}
