// Texts per purpose, Vietnamese and English, with {variables}. One-time codes are plain ASCII (one GSM part, read
// on any phone); notices to people keep their diacritics (UCS-2). `optOut`: an opted-out phone is skipped (campaigns
// and reminders); one-time codes and personal health notices are always sent. `redact`: the text is blanked once sent.
export type Lang = 'vi' | 'en';

export interface Template {
  vi: string;
  en: string;
  optOut: boolean;
  redact: boolean;
}

export const TEMPLATES: Record<string, Template> = {
  'otp.signup': {
    vi: 'Vigil: ma xac nhan dang ky cua ban la {code}, co hieu luc {minutes} phut. Khong dua ma nay cho bat ky ai.',
    en: 'Vigil: your sign-up code is {code}, valid for {minutes} minutes. Do not share it with anyone.',
    optOut: false,
    redact: true,
  },
  'otp.link': {
    vi: 'Vigil: ma {code} de lien ket tai khoan {account} voi ho so suc khoe cua {who}, co hieu luc {minutes} phut. Neu ban khong yeu cau, hay bo qua tin nay.',
    en: 'Vigil: code {code} links account {account} to the health record of {who}, valid for {minutes} minutes. If you did not ask for it, ignore this text.',
    optOut: false,
    redact: true,
  },
  'contact.warning': {
    vi: '{sender}: Bạn đã ở cùng nơi với một ca bệnh ({place}, {date}). Hãy tự cách ly tại nhà đến hết ngày {until}, theo dõi sức khỏe và gọi {hotline} nếu sốt, ho, khó thở.',
    en: '{sender}: You were at the same place as a case ({place}, {date}). Stay at home until {until}, watch your health and call {hotline} if you have fever, cough or breathing trouble.',
    optOut: false,
    redact: false,
  },
  // cases: a case discarded (its positive test was corrected) ends its contacts' orders; never names the case
  'contact.order-ended': {
    vi: '{sender}: Lệnh {order} của bạn (từ ngày {from}) đã kết thúc hôm nay {today} do ca bệnh liên quan được xác định không mắc bệnh. Bạn không cần ở nhà vì lệnh này nữa. Thắc mắc xin gọi {hotline}.',
    en: '{sender}: Your {order} order (from {from}) ended today, {today}: the case it was for turned out not to be a case. You no longer need to stay at home for it. Questions: call {hotline}.',
    optOut: false,
    redact: false,
  },
  'test.result': {
    vi: '{sender}: Kết quả xét nghiệm ngày {date} của {name}: {result}. Chi tiết: {link}',
    en: '{sender}: Test result of {date} for {name}: {result}. Details: {link}',
    optOut: false,
    redact: false,
  },
  'dose.reminder': {
    vi: '{sender}: {name} đến hẹn tiêm mũi {dose} từ ngày {date} tại {site}. Trả lời STOP để không nhận nhắc nhở.',
    en: '{sender}: {name} is due dose {dose} from {date} at {site}. Reply STOP to stop reminders.',
    optOut: true,
    redact: false,
  },
  // vaccination: a site or campaign closed (vaccination/close.ts); the staff member chose to cancel the appointments
  // or to keep them. A notice about the person's own appointment: sent whatever the opt-out.
  'vaccination.cancelled': {
    vi: '{sender}: Lịch tiêm của {name} lúc {time} ngày {date} tại {site} đã bị hủy ({place}: {reason}). Vui lòng đặt lịch khác tại {link}',
    en: '{sender}: The vaccination appointment of {name} at {time} on {date} at {site} is cancelled ({place}: {reason}). Please book another at {link}',
    optOut: false,
    redact: false,
  },
  'vaccination.kept': {
    vi: '{sender}: {place} ngừng nhận lịch tiêm mới ({reason}). Lịch tiêm của {name} lúc {time} ngày {date} tại {site} vẫn giữ nguyên.',
    en: '{sender}: {place} takes no new vaccination bookings ({reason}). The appointment of {name} at {time} on {date} at {site} stands.',
    optOut: false,
    redact: false,
  },
  // robot calls (module calls): the survey as a link after the day's last unanswered call; an alert to the area's
  // officers when a call reports symptoms; the daily summary to the steering committee
  'calls.survey': {
    vi: '{sender}: Chúng tôi đã gọi {name} để hỏi thăm sức khỏe hôm nay nhưng chưa liên lạc được. Vui lòng trả lời tại {link}',
    en: '{sender}: We called {name} for today\'s health check but could not reach you. Please answer at {link}',
    optOut: true,
    redact: false,
  },
  'calls.symptomatic': {
    vi: 'Vigil: {count} người báo có triệu chứng qua cuộc gọi tự động ({unit}, {date}). Xem danh sách: {link}',
    en: 'Vigil: {count} people reported symptoms on robot calls ({unit}, {date}). List: {link}',
    optOut: false,
    redact: false,
  },
  'calls.report': {
    vi: 'Vigil {unit} {date}: đã gọi {made}, liên lạc được {reached}, có triệu chứng {symptomatic}, không báo cáo {nonReporting}. Báo cáo: {link}',
    en: 'Vigil {unit} {date}: called {made}, reached {reached}, symptomatic {symptomatic}, non-reporting {nonReporting}. Report: {link}',
    optOut: false,
    redact: false,
  },
  campaign: { vi: '{text}', en: '{text}', optOut: true, redact: false },
};

export class TemplateError extends Error {}

export function templateOf(purpose: string): Template {
  const t = TEMPLATES[purpose];
  if (!t) throw new TemplateError(`unknown purpose "${purpose}" (known: ${Object.keys(TEMPLATES).join(', ')})`);
  return t;
}

/** Fills {variables}; a variable the text uses but `vars` lacks is an error (no half-filled text reaches a phone). */
export function render(purpose: string, lang: Lang, vars: Record<string, string | number>, edited?: { vi: string; en: string } | null): string {
  const t = edited ?? templateOf(purpose);
  return t[lang].replace(/\{(\w+)\}/g, (_, k: string) => {
    if (vars[k] === undefined || vars[k] === null) throw new TemplateError(`purpose ${purpose}: variable {${k}} is missing`);
    return String(vars[k]);
  });
}
