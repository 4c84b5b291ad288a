// Strings of the cases pages, under `cases.*`, merged into the app's catalogues at load time.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import i18n from '../../app/i18n';

const vi = {
  picker: { hint: 'Tìm theo họ tên, số điện thoại hoặc CCCD/CMND', results: 'Người tìm thấy', none: 'Không tìm thấy ai', more: 'và {{n}} người khác: gõ thêm để thu hẹp', change: 'Đổi người' },
  list: { title: 'Ca bệnh (F0)', new: 'Thêm ca bệnh', empty: 'Chưa có ca bệnh nào', clusters: 'Chùm ca bệnh', contacts: 'Danh sách F1/F2', search: 'Mã ca' },
  fields: {
    code: 'Mã ca', person: 'Người bệnh', personId: 'Mã hồ sơ người dân', commune: 'Xã/phường', confirmedAt: 'Ngày khẳng định', onset: 'Khởi phát triệu chứng', test: 'Ngày lấy mẫu',
    isolatedAt: 'Cách ly từ', source: 'Nguồn lây', status: 'Tình trạng', isolation: 'Nơi cách ly/điều trị', place: 'Cơ sở', window: 'Thời kỳ lây nhiễm', notes: 'Ghi chú',
    level: 'Mức', phone: 'Điện thoại', lastExposure: 'Tiếp xúc cuối', order: 'Cách ly/theo dõi', orderEnd: 'Đến ngày', daysLeft: 'Còn (ngày)', venues: 'Địa điểm / lý do', viaPerson: 'Qua',
    relation: 'Quan hệ', lastExposureDate: 'Ngày tiếp xúc cuối', fullName: 'Họ tên', nationalId: 'CCCD/CMND', unit: 'Địa bàn', all: 'Tất cả',
  },
  sources: { community: 'Cộng đồng', imported: 'Nhập cảnh', quarantine: 'Trong khu cách ly' },
  statuses: { active: 'Đang điều trị', recovered: 'Khỏi bệnh', died: 'Tử vong' },
  isolations: { home: 'Tại nhà', facility: 'Cơ sở cách ly', hospital: 'Bệnh viện' },
  contactStatuses: { monitoring: 'Đang theo dõi', completed: 'Hoàn thành', became_case: 'Đã thành ca bệnh', lost: 'Mất liên lạc' },
  relations: { household: 'Cùng hộ gia đình', workplace: 'Nơi làm việc', travel: 'Đi lại cùng', other: 'Khác' },
  vias: { checkin: 'Check-in', declaration: 'Khai báo y tế', household: 'Hộ gia đình', manual: 'Điều tra', import: 'Nhập từ tệp' },
  orders: { quarantine: 'Cách ly', monitoring: 'Theo dõi' },
  trace: {
    title: 'Truy vết tự động', pending: 'Đang chờ truy vết…', running: 'Đang truy vết…', done: 'Đã truy vết', failed: 'Truy vết lỗi', again: 'Truy vết lại',
    counts: '{{f1}} F1 · {{f2}} F2 · {{ms}} ms',
  },
  tabs: { timeline: 'Diễn biến', contacts: 'Người tiếp xúc', graph: 'Sơ đồ lây nhiễm', add: 'Thêm người tiếp xúc' },
  timeline: { checkin: 'Check-in', declaration: 'Khai báo', window: 'Bắt đầu thời kỳ lây nhiễm', onset: 'Khởi phát triệu chứng', test: 'Lấy mẫu', confirmed: 'Khẳng định dương tính', isolated: 'Cách ly', contacts: 'Người tiếp xúc', followup: 'Theo dõi sức khoẻ' },
  graph: { case: 'Ca bệnh', f1: 'F1', f2: 'F2', deeper: 'F3+', venue: 'Địa điểm', truncated: 'Sơ đồ quá lớn: chỉ hiện một phần' },
  clusters: { title: 'Chùm ca bệnh', size: 'Số ca', last7: '7 ngày qua', previous7: '7 ngày trước', first: 'Ca đầu', last: 'Ca gần nhất', empty: 'Chưa có chùm ca bệnh', show: 'Xem sơ đồ' },
  contacts: {
    title: 'Danh sách F1/F2', export: 'Xuất Excel', bulk: 'Với {{n}} người đã chọn', complete: 'Kết thúc theo dõi', lost: 'Mất liên lạc', monitoring: 'Theo dõi lại', empty: 'Không có người tiếp xúc',
    import: 'Nhập danh sách từ Excel/CSV', template: 'Tải tệp mẫu', upload: 'Tải lên', imported: '{{imported}} người đã nhập, {{duplicates}} đã có, {{review}} cần xem lại, {{errors}} dòng lỗi',
    reviews: 'Cần xác định người', pick: 'Chọn', createNew: 'Người mới', maxDaysLeft: 'Còn tối đa (ngày)', flagged: 'Có triệu chứng',
  },
  followups: {
    mine: 'Danh sách của tôi hôm nay', area: 'Cả địa bàn', tracer: 'Cán bộ phụ trách',
    title: 'Theo dõi sức khoẻ hằng ngày', grid: 'Bảng theo dõi', due: 'Chưa báo cáo hôm nay', tasks: 'Chuyển xét nghiệm', record: 'Ghi nhận', temperature: 'Nhiệt độ (°C)', symptoms: 'Có triệu chứng',
    channel: 'Hình thức', channels: { tracer: 'Cán bộ gọi', robot_call: 'Tổng đài tự động', self: 'Tự khai' }, fever: 'Sốt ≥ 38,0 °C: đã tạo yêu cầu xét nghiệm', saved: 'Đã lưu', done: 'Đã xử lý',
    states: { well: 'Bình thường', symptoms: 'Có triệu chứng', fever: 'Sốt', missing: 'Chưa báo cáo', out: '' }, chart: 'Biểu đồ nhiệt độ', empty: 'Không có ai cần theo dõi', case: 'Ca bệnh (tại nhà)',
  },
  places: {
    title: 'Khu cách ly và điều trị', new: 'Thêm cơ sở', capacity: 'Sức chứa', occupied: 'Đang ở', cameras: 'Camera', down: 'Camera mất tín hiệu', kinds: { concentrated: 'Cách ly tập trung', hotel: 'Khách sạn', field_hospital: 'Bệnh viện dã chiến', hospital: 'Bệnh viện', other: 'Khác' },
    occupants: 'Người đang ở', discharge: 'Cho về', addCamera: 'Thêm camera', streamUrl: 'Địa chỉ luồng (rtsp/http)', byArea: 'Theo địa bàn', name: 'Tên', empty: 'Chưa có cơ sở nào',
    close: 'Đóng cơ sở', reopen: 'Mở lại cơ sở', closed: 'Đã đóng', saveCapacity: 'Lưu sức chứa',
  },
  notices: { title: 'Thông báo địa điểm có ca bệnh', venue: 'Địa điểm', from: 'Từ', to: 'Đến', empty: 'Không có thông báo', explain: 'Chỉ gồm địa điểm và khung giờ, không có thông tin cá nhân.' },
  save: 'Lưu', cancel: 'Huỷ', back: 'Quay lại',
};

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };

const en: Shape<typeof vi> = {
  picker: { hint: 'Search by full name, phone number or national ID', results: 'People found', none: 'Nobody found', more: 'and {{n}} more: type more to narrow', change: 'Change person' },
  list: { title: 'Cases (F0)', new: 'New case', empty: 'No cases yet', clusters: 'Clusters', contacts: 'F1/F2 lists', search: 'Case code' },
  fields: {
    code: 'Code', person: 'Patient', personId: 'Person record id', commune: 'Commune', confirmedAt: 'Confirmed', onset: 'Symptom onset', test: 'Sample taken',
    isolatedAt: 'Isolated from', source: 'Source', status: 'Status', isolation: 'Isolation / treatment', place: 'Facility', window: 'Infectious window', notes: 'Notes',
    level: 'Level', phone: 'Phone', lastExposure: 'Last exposure', order: 'Order', orderEnd: 'Until', daysLeft: 'Days left', venues: 'Venues / reason', viaPerson: 'Via',
    relation: 'Relation', lastExposureDate: 'Last exposure date', fullName: 'Full name', nationalId: 'National ID', unit: 'Area', all: 'All',
  },
  sources: { community: 'Community', imported: 'Imported', quarantine: 'In quarantine' },
  statuses: { active: 'Active', recovered: 'Recovered', died: 'Died' },
  isolations: { home: 'At home', facility: 'Quarantine facility', hospital: 'Hospital' },
  contactStatuses: { monitoring: 'Monitoring', completed: 'Completed', became_case: 'Became a case', lost: 'Lost to follow-up' },
  relations: { household: 'Household', workplace: 'Workplace', travel: 'Travel', other: 'Other' },
  vias: { checkin: 'Check-in', declaration: 'Health declaration', household: 'Household', manual: 'Interview', import: 'Imported' },
  orders: { quarantine: 'Quarantine', monitoring: 'Monitoring' },
  trace: { title: 'Automatic tracing', pending: 'Waiting to trace…', running: 'Tracing…', done: 'Traced', failed: 'Tracing failed', again: 'Trace again', counts: '{{f1}} F1 · {{f2}} F2 · {{ms}} ms' },
  tabs: { timeline: 'Timeline', contacts: 'Contacts', graph: 'Transmission graph', add: 'Add a contact' },
  timeline: { checkin: 'Check-in', declaration: 'Declaration', window: 'Infectious window starts', onset: 'Symptom onset', test: 'Sample', confirmed: 'Confirmed positive', isolated: 'Isolated', contacts: 'Contacts', followup: 'Follow-up' },
  graph: { case: 'Case', f1: 'F1', f2: 'F2', deeper: 'F3+', venue: 'Venue', truncated: 'Graph too large: partly shown' },
  clusters: { title: 'Clusters', size: 'Cases', last7: 'Last 7 days', previous7: 'Previous 7 days', first: 'First case', last: 'Latest case', empty: 'No clusters', show: 'Show graph' },
  contacts: {
    title: 'F1/F2 lists', export: 'Export Excel', bulk: 'With {{n}} selected', complete: 'End monitoring', lost: 'Lost to follow-up', monitoring: 'Monitor again', empty: 'No contacts',
    import: 'Import a list from Excel/CSV', template: 'Download template', upload: 'Upload', imported: '{{imported}} imported, {{duplicates}} already there, {{review}} to review, {{errors}} line errors',
    reviews: 'Who is this?', pick: 'Pick', createNew: 'New person', maxDaysLeft: 'At most days left', flagged: 'With symptoms',
  },
  followups: {
    mine: 'My list for today', area: 'Whole area', tracer: 'Tracer',
    title: 'Daily follow-up', grid: 'Grid', due: 'Not reported today', tasks: 'Test referrals', record: 'Record', temperature: 'Temperature (°C)', symptoms: 'Symptoms',
    channel: 'Channel', channels: { tracer: 'Tracer call', robot_call: 'Robot call', self: 'Self-report' }, fever: 'Fever ≥ 38.0 °C: test referral created', saved: 'Saved', done: 'Done',
    states: { well: 'Well', symptoms: 'Symptoms', fever: 'Fever', missing: 'Not reported', out: '' }, chart: 'Temperature chart', empty: 'Nobody to follow up', case: 'Case (at home)',
  },
  places: {
    title: 'Quarantine and isolation places', new: 'New place', capacity: 'Capacity', occupied: 'Occupied', cameras: 'Cameras', down: 'Cameras down', kinds: { concentrated: 'Concentrated quarantine', hotel: 'Hotel', field_hospital: 'Field hospital', hospital: 'Hospital', other: 'Other' },
    occupants: 'Occupants', discharge: 'Discharge', addCamera: 'Add camera', streamUrl: 'Stream URL (rtsp/http)', byArea: 'By area', name: 'Name', empty: 'No places yet',
    close: 'Close the place', reopen: 'Reopen the place', closed: 'Closed', saveCapacity: 'Save capacity',
  },
  notices: { title: 'Exposure notices', venue: 'Venue', from: 'From', to: 'To', empty: 'No notices', explain: 'Venue and time window only, no personal data.' },
  save: 'Save', cancel: 'Cancel', back: 'Back',
};

for (const [lng, res] of Object.entries({ vi: { cases: vi }, en: { cases: en } })) i18n.addResourceBundle(lng, 'translation', res, true, false);

type Leaves<T, P extends string = ''> = { [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`> }[keyof T & string];
export type CasesKey = Leaves<typeof vi>;

/** t() for cases.* keys. */
export function useCasesT() {
  const { t } = useTranslation();
  return useCallback((key: CasesKey, vars?: Record<string, string | number>) => t(`cases.${key}` as never, vars as never) as unknown as string, [t]);
}
/** A label for a value of an enumerated field ('statuses', 'active') that may be unknown to this version. */
export function useLabel() {
  const { t } = useTranslation();
  return useCallback((group: string, value: string) => t(`cases.${group}.${value}` as never, { defaultValue: value } as never) as unknown as string, [t]);
}
