// The call scripts every installation starts with (Vietnamese first, English second). Stored scripts (edited in the
// web app) are seeded from these; `vigil calls dial --script <name>` finds them by name.
import type { CallScript, ScriptState } from './types';

type Lang = 'vi' | 'en';

const T = {
  vi: {
    hello: 'Xin chào. Đây là cuộc gọi tự động của Trung tâm Kiểm soát bệnh tật, hỏi thăm sức khỏe hằng ngày.',
    identity: 'Có phải bạn là {name} không? Nếu đúng, bấm phím 1. Nếu không, bấm phím 2.',
    fever: 'Hôm nay bạn có sốt không? Có, bấm 1. Không, bấm 2.',
    cough: 'Bạn có ho không? Có, bấm 1. Không, bấm 2.',
    breath: 'Bạn có khó thở không? Có, bấm 1. Không, bấm 2.',
    taste: 'Bạn có mất vị giác hoặc khứu giác không? Có, bấm 1. Không, bấm 2.',
    address: 'Bạn có đang ở đúng địa chỉ cách ly không? Có, bấm 1. Không, bấm 2.',
    invalid: 'Phím không hợp lệ.',
    wrongPerson: 'Xin lỗi đã làm phiền. Cán bộ y tế sẽ liên hệ lại. Xin cảm ơn.',
    thanksWell: 'Cảm ơn bạn. Hãy tiếp tục theo dõi sức khỏe. Chào bạn.',
    thanksSick: 'Cảm ơn bạn. Cán bộ y tế sẽ gọi lại cho bạn ngay hôm nay. Chào bạn.',
    noInput: 'Chúng tôi chưa nhận được câu trả lời. Cán bộ y tế sẽ liên hệ lại. Xin cảm ơn.',
    returnee: 'Xin chào. Trung tâm Kiểm soát bệnh tật hỏi thăm người trở về từ vùng dịch.',
    fromArea: 'Trong mười bốn ngày qua, bạn có trở về từ vùng có dịch không? Có, bấm 1. Không, bấm 2.',
    declared: 'Bạn đã khai báo y tế với trạm y tế xã chưa? Rồi, bấm 1. Chưa, bấm 2.',
    hotline: 'Đây là đường dây tự khai báo sức khỏe. Vui lòng nhập số căn cước công dân, kết thúc bằng phím thăng.',
  },
  en: {
    hello: 'Hello. This is an automated daily health check call from the Centre for Disease Control.',
    identity: 'Are you {name}? If yes, press 1. If not, press 2.',
    fever: 'Do you have a fever today? Yes, press 1. No, press 2.',
    cough: 'Do you have a cough? Yes, press 1. No, press 2.',
    breath: 'Do you have difficulty breathing? Yes, press 1. No, press 2.',
    taste: 'Have you lost your sense of taste or smell? Yes, press 1. No, press 2.',
    address: 'Are you still at your quarantine address? Yes, press 1. No, press 2.',
    invalid: 'That key is not valid.',
    wrongPerson: 'Sorry to have disturbed you. A health worker will contact you. Thank you.',
    thanksWell: 'Thank you. Please keep watching your health. Goodbye.',
    thanksSick: 'Thank you. A health worker will call you back today. Goodbye.',
    noInput: 'We did not receive an answer. A health worker will contact you. Thank you.',
    returnee: 'Hello. The Centre for Disease Control is checking on people returning from outbreak areas.',
    fromArea: 'In the last fourteen days, did you come back from an outbreak area? Yes, press 1. No, press 2.',
    declared: 'Have you made a health declaration with your commune health station? Yes, press 1. No, press 2.',
    hotline: 'This is the health self-report line. Please enter your national ID number, then press the hash key.',
  },
} satisfies Record<Lang, Record<string, string>>;

/** A yes/no question: 1 = yes, 2 = no. `yes`/`no` are the next states. */
function yesNo(lang: Lang, text: string, field: string, yes: string, no: string): ScriptState {
  return { kind: 'ask', text, field, digits: '12', timeoutMs: 6000, retries: 2, invalidText: T[lang].invalid, branches: { '1': yes, '2': no }, noInput: 'no_input' };
}

/**
 * The symptom questions (fever, cough, breathing, taste/smell), each asked whatever the earlier answers (the tracer
 * wants every answer). Once one was "yes" the chain goes on in its `_s` twin, ending in `${after}_s`, so the end
 * state knows the caller is symptomatic without counting answers.
 */
function symptomChain(lang: Lang, after: string): Record<string, ScriptState> {
  const t = T[lang];
  const symptoms: [string, string][] = [['fever', t.fever], ['cough', t.cough], ['breathing', t.breath], ['taste_smell', t.taste]];
  const states: Record<string, ScriptState> = {};
  symptoms.forEach(([field, text], i) => {
    const next = symptoms[i + 1]?.[0] ?? after;
    states[field] = yesNo(lang, text, field, `${next}_s`, next);
    if (i > 0) states[`${field}_s`] = yesNo(lang, text, field, `${next}_s`, `${next}_s`);
  });
  return states;
}

/**
 * Daily health check for F1/F2 under monitoring: identity, fever, cough, breathing, taste/smell, still at the
 * quarantine address. Any "yes" to a symptom ends on `sick` (symptomatic=true); each answer is kept by field.
 */
export function dailyHealthCheck(lang: Lang): CallScript {
  const t = T[lang];
  const states: Record<string, ScriptState> = {
    hello: { kind: 'say', text: t.hello, next: 'identity' },
    identity: yesNo(lang, t.identity, 'identity', 'fever', 'wrong_person'),
    ...symptomChain(lang, 'at_address'),
  };
  states.at_address = yesNo(lang, t.address, 'at_address', 'done', 'done');
  states.at_address_s = yesNo(lang, t.address, 'at_address', 'sick', 'sick');
  states.done = { kind: 'end', text: t.thanksWell, outcome: 'completed', set: { symptomatic: false } };
  states.sick = { kind: 'end', text: t.thanksSick, outcome: 'completed', set: { symptomatic: true } };
  states.wrong_person = { kind: 'end', text: t.wrongPerson, outcome: 'wrong-person' };
  states.no_input = { kind: 'end', text: t.noInput, outcome: 'incomplete' };
  return { name: lang === 'vi' ? 'daily-health-check' : 'daily-health-check-en', title: TITLES.daily, language: lang, voice: lang, start: 'hello', states };
}

/** The default scripts' names as supervisors read them (the pages add the script's language when it is not theirs). */
export const TITLES = {
  daily: { vi: 'Kiểm tra sức khỏe hằng ngày F1/F2', en: 'Daily health check of F1/F2' },
  returnee: { vi: 'Khảo sát người về từ vùng dịch', en: 'Survey of people back from outbreak areas' },
  hotline: { vi: 'Tự khai báo sức khỏe qua tổng đài', en: 'Health self-report on the hotline' },
} as const;

/** Survey of people returning from outbreak areas. */
export function returneeSurvey(lang: Lang): CallScript {
  const t = T[lang];
  return {
    name: lang === 'vi' ? 'returnee-survey' : 'returnee-survey-en',
    title: TITLES.returnee,
    language: lang,
    voice: lang,
    start: 'hello',
    states: {
      hello: { kind: 'say', text: t.returnee, next: 'identity' },
      identity: yesNo(lang, t.identity, 'identity', 'from_area', 'wrong_person'),
      from_area: yesNo(lang, t.fromArea, 'from_outbreak_area', 'fever', 'fever'),
      fever: yesNo(lang, t.fever, 'fever', 'sick_declared', 'cough'),
      cough: yesNo(lang, t.cough, 'cough', 'sick_declared', 'declared'),
      sick_declared: yesNo(lang, t.declared, 'declared', 'sick', 'sick'),
      declared: yesNo(lang, t.declared, 'declared', 'done', 'done'),
      done: { kind: 'end', text: t.thanksWell, outcome: 'completed', set: { symptomatic: false } },
      sick: { kind: 'end', text: t.thanksSick, outcome: 'completed', set: { symptomatic: true } },
      wrong_person: { kind: 'end', text: t.wrongPerson, outcome: 'wrong-person' },
      no_input: { kind: 'end', text: t.noInput, outcome: 'incomplete' },
    },
  };
}

/** Inbound hotline: the caller keys in their national id (#-terminated), then takes the symptom questions. */
export function hotlineSelfReport(lang: Lang): CallScript {
  const t = T[lang];
  return {
    name: lang === 'vi' ? 'hotline-self-report' : 'hotline-self-report-en',
    title: TITLES.hotline,
    language: lang,
    voice: lang,
    start: 'national_id',
    states: {
      national_id: {
        kind: 'ask',
        text: t.hotline,
        field: 'national_id',
        digits: '0123456789',
        terminator: '#',
        maxDigits: 12,
        timeoutMs: 8000,
        retries: 2,
        invalidText: t.invalid,
        branches: { '*': 'fever' },
        noInput: 'no_input',
      },
      ...symptomChain(lang, 'done'),
      done: { kind: 'end', text: t.thanksWell, outcome: 'completed', set: { symptomatic: false } },
      done_s: { kind: 'end', text: t.thanksSick, outcome: 'completed', set: { symptomatic: true } },
      no_input: { kind: 'end', text: t.noInput, outcome: 'incomplete' },
    },
  };
}

export const DEFAULT_SCRIPTS: readonly CallScript[] = [
  dailyHealthCheck('vi'),
  dailyHealthCheck('en'),
  returneeSurvey('vi'),
  returneeSurvey('en'),
  hotlineSelfReport('vi'),
  hotlineSelfReport('en'),
];

export function defaultScript(name: string): CallScript | undefined {
  return DEFAULT_SCRIPTS.find((s) => s.name === name);
}
