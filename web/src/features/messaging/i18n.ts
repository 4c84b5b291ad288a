// Strings of the messaging pages (officers' notifications and campaigns, citizens' sign-up by phone), under
// `messaging.*`, merged into the app's catalogues at load time like the declarations pages.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import i18n from '../../app/i18n';

const vi = {
  nav: 'Tin nhắn SMS',
  navDescription: 'Chiến dịch tin nhắn, trạng thái gửi, từ chối nhận, số liệu theo ngày.',
  tabs: { campaigns: 'Chiến dịch', notifications: 'Tin nhắn', figures: 'Số liệu', optOuts: 'Từ chối nhận' },
  campaign: {
    new: 'Chiến dịch mới',
    name: 'Tên chiến dịch',
    textVi: 'Nội dung (tiếng Việt)',
    textEn: 'Nội dung (tiếng Anh, không bắt buộc)',
    textHint: 'Có thể dùng {name} (họ tên người nhận).',
    unit: 'Đơn vị',
    source: 'Người nhận',
    sourceList: 'Danh sách (Excel/CSV: cột phone, name, lang)',
    sourceVenue: 'Người đã đến một địa điểm trong khoảng thời gian',
    sourceCommune: 'Người dân một xã/phường',
    file: 'Tệp danh sách',
    rowsRead: '{{count}} số hợp lệ',
    rowErrors: 'Dòng lỗi',
    venueId: 'Mã địa điểm (UUID)',
    from: 'Từ',
    to: 'Đến',
    commune: 'Mã xã/phường',
    scheduledAt: 'Gửi lúc (để trống: gửi ngay)',
    dryRun: 'Chạy thử',
    send: 'Gửi',
    dryResult: 'Sẽ gửi {{count}} tin; {{optedOut}} số đã từ chối nhận; {{invalid}} dòng lỗi.',
    sample: 'Mẫu tin',
    parts: '{{count}} phần',
    created: 'Đã tạo chiến dịch',
    status: 'Trạng thái',
    recipients: 'Người nhận',
    progress: 'Tiến độ',
    cancel: 'Huỷ chiến dịch',
    empty: 'Chưa có chiến dịch',
  },
  statuses: { scheduled: 'Đã hẹn giờ', running: 'Đang gửi', done: 'Xong', cancelled: 'Đã huỷ', queued: 'Chờ gửi', sending: 'Đang gửi', accepted: 'Đã gửi', delivered: 'Đã nhận', failed: 'Lỗi', opted_out: 'Từ chối nhận' },
  list: { phone: 'Số điện thoại', purpose: 'Mục đích', text: 'Nội dung', status: 'Trạng thái', error: 'Lỗi', createdAt: 'Thời điểm', empty: 'Không có tin nhắn' },
  figures: { day: 'Ngày', unit: 'Địa bàn', purpose: 'Mục đích', sent: 'Đã gửi', delivered: 'Đã nhận', failed: 'Lỗi', optedOut: 'Từ chối', from: 'Từ ngày', to: 'Đến ngày', show: 'Xem' },
  optOut: { phone: 'Số điện thoại', reason: 'Lý do', add: 'Thêm số từ chối nhận', source: 'Nguồn', sms: 'Trả lời STOP', officer: 'Cán bộ nhập', remove: 'Xoá' },
  signup: {
    title: 'Đăng ký bằng số điện thoại',
    phone: 'Số điện thoại',
    sendCode: 'Gửi mã xác nhận',
    codeSent: 'Đã gửi mã 6 số đến {{phone}}. Mã có hiệu lực 10 phút.',
    code: 'Mã xác nhận',
    name: 'Họ và tên',
    password: 'Mật khẩu (ít nhất 10 ký tự)',
    submit: 'Tạo tài khoản',
    resend: 'Gửi lại mã',
    done: 'Đã tạo tài khoản. Tên đăng nhập của bạn là số điện thoại {{username}}.',
    open: 'Vào ứng dụng',
    haveAccount: 'Đã có tài khoản? Đăng nhập',
    required: 'Bắt buộc',
  },
  signupLink: 'Chưa có tài khoản? Đăng ký bằng số điện thoại',
};

const en: typeof vi = {
  nav: 'SMS',
  navDescription: 'SMS campaigns, delivery status, opt-outs, daily figures.',
  tabs: { campaigns: 'Campaigns', notifications: 'Messages', figures: 'Figures', optOuts: 'Opt-outs' },
  campaign: {
    new: 'New campaign',
    name: 'Campaign name',
    textVi: 'Text (Vietnamese)',
    textEn: 'Text (English, optional)',
    textHint: 'You may use {name} (the recipient’s name).',
    unit: 'Unit',
    source: 'Recipients',
    sourceList: 'A list (Excel/CSV: columns phone, name, lang)',
    sourceVenue: 'People at a venue in a time window',
    sourceCommune: 'Residents of a commune',
    file: 'List file',
    rowsRead: '{{count}} valid numbers',
    rowErrors: 'Rows with errors',
    venueId: 'Venue id (UUID)',
    from: 'From',
    to: 'To',
    commune: 'Commune code',
    scheduledAt: 'Send at (empty: now)',
    dryRun: 'Dry run',
    send: 'Send',
    dryResult: 'Would send {{count}} texts; {{optedOut}} numbers opted out; {{invalid}} rows with errors.',
    sample: 'Sample',
    parts: '{{count}} part(s)',
    created: 'Campaign created',
    status: 'Status',
    recipients: 'Recipients',
    progress: 'Progress',
    cancel: 'Cancel campaign',
    empty: 'No campaigns yet',
  },
  statuses: { scheduled: 'Scheduled', running: 'Sending', done: 'Done', cancelled: 'Cancelled', queued: 'Queued', sending: 'Sending', accepted: 'Sent', delivered: 'Delivered', failed: 'Failed', opted_out: 'Opted out' },
  list: { phone: 'Phone', purpose: 'Purpose', text: 'Text', status: 'Status', error: 'Error', createdAt: 'Time', empty: 'No messages' },
  figures: { day: 'Day', unit: 'Area', purpose: 'Purpose', sent: 'Sent', delivered: 'Delivered', failed: 'Failed', optedOut: 'Opted out', from: 'From', to: 'To', show: 'Show' },
  optOut: { phone: 'Phone', reason: 'Reason', add: 'Add an opt-out', source: 'Source', sms: 'STOP reply', officer: 'Officer', remove: 'Remove' },
  signup: {
    title: 'Sign up with your phone number',
    phone: 'Phone number',
    sendCode: 'Send the code',
    codeSent: 'A 6-digit code was sent to {{phone}}. It is valid for 10 minutes.',
    code: 'Code',
    name: 'Full name',
    password: 'Password (at least 10 characters)',
    submit: 'Create the account',
    resend: 'Send a new code',
    done: 'Your account is ready. Your username is your phone number {{username}}.',
    open: 'Open the app',
    haveAccount: 'Have an account? Sign in',
    required: 'Required',
  },
  signupLink: 'No account yet? Sign up with your phone',
};

export const messagingResources = { vi: { messaging: vi }, en: { messaging: en } };
for (const [lng, res] of Object.entries(messagingResources)) i18n.addResourceBundle(lng, 'translation', res, true, false);

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];
export type MessagingKey = Leaves<typeof vi>;

/** t() for messaging.* keys. */
export function useMsgT() {
  const { t } = useTranslation();
  return useCallback((key: MessagingKey, vars?: Record<string, string | number>) => t(`messaging.${key}` as never, vars as never) as unknown as string, [t]);
}
