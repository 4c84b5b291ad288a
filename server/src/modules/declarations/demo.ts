// Demo health declarations for `vigil demo` / the first `npm start`: about 60 declarations over the last three days
// (daytime, the last 72 hours) by 40 people of Thành phố Vinh (Nghệ An, August 2021), mostly clean domestic declarations, ten flagged by the
// standard risk rules (fever with cough, contact with an F0, travel from a red-zone province ...), three entry
// declarations of workers returning from abroad, four made by a parent for a child. Three of the flagged ones have
// been followed up by the demo CDC officer (`cdc.nghean`): one called, one referred, one cleared.
// Deterministic (seeded PRNG) and idempotent: nothing is added when the first demo person already has declarations.
// The children are linked to their parent as dependants, and their declarations name the parent as declarant.
import type { AppContext } from '../../platform/module';
import type { Sex } from '../people';
import { addDependant, findOrCreatePerson } from '../people';
import type { AnswerValue, Answers } from './model';
import { findRule, insertSwitchOff } from './queries';
import { applyAction, saveRule } from './service';
import { addDays, localDay, startOfLocalDay } from '../../platform/time';
import { HEALTHY_DOMESTIC_ANSWERS } from './standard-forms';
import { submitDeclaration, submitDeps } from './submit';
import type { Action } from './workflow';

/** mulberry32: small, fast, good enough for demo data. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  return { next, int, pick };
}

// Common in Nghệ An: many Nguyễn, Trần, Lê, Hồ, Phan, Thái.
const SURNAMES = ['Nguyễn', 'Nguyễn', 'Nguyễn', 'Trần', 'Lê', 'Lê', 'Hồ', 'Phan', 'Hoàng', 'Phạm', 'Thái', 'Đặng', 'Võ', 'Bùi', 'Đinh', 'Cao'];
const MIDDLE = { male: ['Văn', 'Đình', 'Hữu', 'Xuân', 'Quang', 'Đức', 'Minh', 'Công'], female: ['Thị', 'Thị', 'Thu', 'Ngọc', 'Thanh', 'Thuỳ', 'Hồng'] };
const GIVEN = {
  male: ['Hùng', 'Dũng', 'Tuấn', 'Nam', 'Quân', 'Sơn', 'Long', 'Thắng', 'Hải', 'Tùng', 'Phong', 'Trung', 'Hiếu', 'Thành', 'Cường', 'Lộc'],
  female: ['Hương', 'Lan', 'Hà', 'Trang', 'Nhung', 'Huyền', 'Mai', 'Linh', 'Thảo', 'Yến', 'Oanh', 'Hằng', 'Vân', 'Nga', 'Phương', 'Loan'],
};
const CHILD_GIVEN = { male: ['Khôi', 'Bảo', 'Minh', 'Đăng', 'Phúc', 'An'], female: ['Ngân', 'Vy', 'Chi', 'Khánh', 'My', 'Anh'] };
// Vinaphone 091/094, Mobifone 090/093, Viettel 096–098 and 032–039
const MOBILE_PREFIXES = ['91', '94', '90', '93', '96', '97', '98', '32', '33', '34', '35', '36', '37', '38', '39'];
const STREETS = ['Lê Lợi', 'Quang Trung', 'Nguyễn Du', 'Phan Đình Phùng', 'Trường Thi', 'Lê Hồng Phong', 'Nguyễn Văn Cừ', 'Hồ Tùng Mậu', 'Lê Duẩn', 'Trần Phú', 'Nguyễn Thị Minh Khai', 'Phong Định Cảng', 'Hà Huy Tập', 'Lý Thường Kiệt'];

const ADULTS = 36;
const CHILDREN = 4; // dependants of adults 0..3
const RED_ZONES = ['79', '74', '75']; // TP. Hồ Chí Minh, Bình Dương, Đồng Nai (the standard red_zones list)
const OTHER_PROVINCES = ['42', '38', '01']; // Hà Tĩnh, Thanh Hoá, Hà Nội: travel that raises no flag

interface DemoPerson {
  fullName: string;
  sex: Sex;
  birthYear: number;
  phone: string;
  communeCode: string;
  address: string;
}

interface Planned {
  person: number;
  /** the parent declaring for this child */
  declarant?: number;
  formKey: 'domestic' | 'entry';
  answers: Answers;
  dayOffset: number;
  /** follow-up by the CDC officer */
  actions?: { action: Action; note: string }[];
}

const CLEAN: Answers = { ...HEALTHY_DOMESTIC_ANSWERS };

const FOLLOW_UPS: { action: Action; note: string }[][] = [
  [{ action: 'called', note: 'Đã gọi điện: người khai báo sốt nhẹ, ho khan 2 ngày. Hướng dẫn tự cách ly tại nhà, đo nhiệt độ 2 lần/ngày; gọi lại ngày mai.' }],
  [
    { action: 'called', note: 'Đã gọi điện: xác nhận tiếp xúc gần với một ca F0 tại nơi làm việc 3 ngày trước.' },
    { action: 'referred', note: 'Chuyển Trạm Y tế phường lấy mẫu xét nghiệm RT-PCR và lập danh sách F1.' },
  ],
  [
    { action: 'called', note: 'Đã gọi điện: về từ TP. Hồ Chí Minh theo đoàn xe của tỉnh đón công dân về quê, đã được đưa đi cách ly tập trung.' },
    { action: 'cleared', note: 'Đang cách ly tập trung tại khu cách ly của thành phố, được theo dõi tại đó; kết thúc theo dõi tại phường.' },
  ],
];

/**
 * Configuration owned by Nghệ An, so the forms & rules page shows more than national rows: a provincial rule (tiredness
 * with diarrhoea, low) and a district outside Vinh that switched the national loss-of-taste rule off for itself.
 * Idempotent: nothing is changed once the rule exists.
 */
async function seedOwnershipDemo(ctx: AppContext) {
  const db = ctx.db;
  if (await findRule(db, 'nghean_fatigue_diarrhea')) return;
  await saveRule(
    db,
    ctx.access.resolver,
    'nghean_fatigue_diarrhea',
    {
      name: { vi: 'Mệt mỏi kèm tiêu chảy (Nghệ An)', en: 'Tiredness with diarrhoea (Nghệ An)' },
      formKinds: ['domestic'],
      condition: { all: [{ q: 'fatigue', truthy: true }, { q: 'diarrhea', truthy: true }] },
      severity: 'low',
      active: true,
    },
    null,
    ctx.config.clock(),
    '40',
  );
  const district = await db.selectFrom('admin_units').select('code').where('parent_code', '=', '40').where('code', '<>', '412').orderBy('code').executeTakeFirst();
  if (district && (await findRule(db, 'loss_of_taste_smell')))
    await insertSwitchOff(db, {
      rule_key: 'loss_of_taste_smell',
      unit_code: district.code,
      reason: 'Huyện đang thử nghiệm sàng lọc bằng bộ câu hỏi riêng (dữ liệu mẫu)',
      at: ctx.config.clock(),
      by_user_id: null,
      by_username: 'cdc.nghean',
    });
}

export async function seedDeclarationsDemo(ctx: AppContext): Promise<void> {
  const db = ctx.db;
  const resolver = ctx.access.resolver;
  const tz = ctx.config.timeZone;
  const now = ctx.config.clock();
  const communes = await db.selectFrom('admin_units').select(['code', 'name']).where('parent_code', '=', '412').orderBy('code').execute();
  if (!communes.length) return;

  await seedOwnershipDemo(ctx);
  const r = prng(20210801);

  // ── the people ──────────────────────────────────────────────────────────────
  const people: DemoPerson[] = [];
  const names = new Set<string>();
  const phones = new Set<string>();
  const address = (communeName: string) =>
    communeName.startsWith('Xã') ? `Xóm ${r.int(1, 12)}` : `Số ${r.int(2, 180)} đường ${r.pick(STREETS)}, khối ${r.int(1, 15)}`;
  while (people.length < ADULTS) {
    const sex: Sex = r.next() < 0.5 ? 'male' : 'female';
    const fullName = `${r.pick(SURNAMES)} ${r.pick(MIDDLE[sex])} ${r.pick(GIVEN[sex])}`;
    const phone = `+84${r.pick(MOBILE_PREFIXES)}${String(r.int(0, 9_999_999)).padStart(7, '0')}`;
    if (names.has(fullName) || phones.has(phone)) continue;
    names.add(fullName);
    phones.add(phone);
    const commune = r.pick(communes);
    // the first four are parents of young children
    const birthYear = people.length < CHILDREN ? r.int(1980, 1990) : r.int(1955, 2001);
    people.push({ fullName, sex, birthYear, phone, communeCode: commune.code, address: address(commune.name) });
  }
  for (let i = 0; i < CHILDREN; i++) {
    const parent = people[i]!;
    const sex: Sex = r.next() < 0.5 ? 'male' : 'female';
    const surname = parent.sex === 'male' ? parent.fullName.split(' ')[0]! : r.pick(SURNAMES);
    const fullName = `${surname} ${sex === 'male' ? r.pick(['Minh', 'Gia', 'Đức', 'Văn']) : r.pick(['Ngọc', 'Khánh', 'Bảo', 'Thị'])} ${r.pick(CHILD_GIVEN[sex])}`;
    // children are declared with the parent's phone number, as families do
    people.push({ fullName, sex, birthYear: r.int(2009, 2018), phone: parent.phone, communeCode: parent.communeCode, address: parent.address });
  }

  // ── what they declare ───────────────────────────────────────────────────────
  const plan: Planned[] = [];
  const flagged = (person: number, dayOffset: number, answers: Answers, extra: Partial<Planned> = {}) =>
    plan.push({ person, formKey: 'domestic', answers: { ...CLEAN, ...answers }, dayOffset, ...extra });
  // ten flagged (the first three followed up, so they are the older ones)
  flagged(4, 2, { fever: true, cough: true, temperature: 38.1, fatigue: true }, { actions: FOLLOW_UPS[0] });
  flagged(5, 2, { contact_f0: true }, { actions: FOLLOW_UPS[1] });
  flagged(6, 1, { travel_14d: true, travel_places: [RED_ZONES[0]!] }, { actions: FOLLOW_UPS[2] });
  flagged(7, 1, { fever: true, cough: true, sore_throat: true });
  flagged(8, 0, { contact_f0: true, sore_throat: true, contact_symptoms: true });
  flagged(9, 1, { travel_14d: true, travel_places: [RED_ZONES[1]!, '412'] });
  flagged(10, 0, { travel_14d: true, travel_places: [RED_ZONES[2]!] });
  flagged(11, 0, { loss_of_taste_smell: true, fatigue: true, temperature: 37.6 });
  flagged(12, 2, { contact_from_outbreak: true });
  flagged(ADULTS, 0, { fever: true, cough: true, temperature: 38.5 }, { declarant: 0 }); // a child, declared by a parent
  // three clean declarations by parents for their children
  for (let i = 1; i < CHILDREN; i++) plan.push({ person: ADULTS + i, declarant: i, formKey: 'domestic', answers: { ...CLEAN, temperature: 36.6 }, dayOffset: r.int(0, 2) });
  // three workers returning from abroad (repatriation flights), quarantined in Vinh
  const ENTRIES = [
    { origin: 'JP', flight: 'VN5311', gate: 'van_don', transit: null },
    { origin: 'KR', flight: 'VJ3891', gate: 'cam_ranh', transit: null },
    { origin: 'TW', flight: 'VN5353', gate: 'da_nang', transit: 'HK' },
  ];
  ENTRIES.forEach((e, i) => {
    const quarantine = r.pick(communes);
    const answers: Answers = {
      passport_number: `C${String(r.int(1_000_000, 9_999_999))}`,
      nationality: 'VN',
      transport: 'air',
      flight_number: e.flight,
      seat_number: `${r.int(10, 45)}${r.pick(['A', 'B', 'C', 'D', 'E', 'F'])}`,
      border_gate: e.gate,
      origin_country: e.origin,
      quarantine_type: 'facility',
      quarantine_address: `Khu cách ly tập trung, ${quarantine.name}, Thành phố Vinh`,
      quarantine_commune: quarantine.code,
      fever: false,
      cough: false,
      shortness_of_breath: false,
      sore_throat: false,
      loss_of_taste_smell: false,
      negative_test: true,
      vaccinated: r.pick(['none', 'one_dose', 'two_doses']),
      ...(e.transit ? { transit_countries: [e.transit] } : {}),
    };
    plan.push({ person: 13 + i, formKey: 'entry', answers, dayOffset: i }); // arrival_date is filled in on the declaration day
  });
  // clean domestic declarations: everyone else once, most of them twice, up to 60 in all
  const cleanPeople = [...Array(ADULTS).keys()].filter((i) => i < 4 || i >= 16);
  for (let k = 0; plan.length < 60; k++) {
    const person = cleanPeople[k % cleanPeople.length]!;
    const pass = Math.floor(k / cleanPeople.length);
    const answers: Answers = { ...CLEAN };
    if (r.next() < 0.4) answers.temperature = Math.round((36 + r.next() * 1.2) * 10) / 10;
    if (r.next() < 0.25) {
      answers.travel_14d = true;
      answers.travel_places = [r.pick(OTHER_PROVINCES)];
    }
    answers.vaccinated = r.next() < 0.55 ? 'none' : r.next() < 0.8 ? 'one_dose' : 'two_doses';
    if (people[person]!.birthYear < 1965 && r.next() < 0.5) answers.chronic_conditions = [r.pick(['hypertension', 'diabetes', 'heart'])];
    plan.push({ person, formKey: 'domestic', answers, dayOffset: pass === 0 ? r.int(1, 2) : 0 });
  }

  // ── when: in the 24 hours `dayOffset` days back, at daytime (07:00–21:00 local), never in the future ──
  const hourFmt = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', hourCycle: 'h23' });
  const daytime = (t: number) => {
    const h = Number(hourFmt.format(new Date(t)));
    return h >= 7 && h < 21;
  };
  const timeOn = (dayOffset: number): Date => {
    const to = now.getTime() - dayOffset * 86400_000 - 10 * 60_000;
    const from = now.getTime() - (dayOffset + 1) * 86400_000;
    for (;;) {
      const t = Math.floor((from + r.next() * (to - from)) / 60_000) * 60_000;
      if (t > from && daytime(t)) return new Date(t);
    }
  };
  /** An officer's next step: 1–3 hours later, during working hours (07:30 onwards the next morning otherwise). */
  const laterAt = (after: number): number => {
    let t = after + r.int(60, 180) * 60_000;
    if (!daytime(t)) {
      const day = localDay(new Date(t), tz);
      const morning = startOfLocalDay(Number(hourFmt.format(new Date(t))) >= 21 ? addDays(day, 1) : day, tz).getTime();
      t = morning + r.int(450, 540) * 60_000;
    }
    return Math.max(after + 60_000, Math.min(t, now.getTime() - 60_000));
  };
  const timed = plan.map((p) => ({ ...p, at: timeOn(p.dayOffset) }));
  /** a person's record dates from their first declaration (or their parent's, for a child) */
  const firstSeen = (i: number) => new Date(Math.min(...timed.filter((p) => p.person === i || p.declarant === i).map((p) => p.at.getTime())));

  // ── write ───────────────────────────────────────────────────────────────────
  const followUps: { id: string; at: Date; actions: { action: Action; note: string }[] }[] = [];
  const done = await db.transaction().execute(async (tx) => {
    const ids: string[] = [];
    for (const [i, p] of people.entries()) {
      const { id } = await findOrCreatePerson(
        tx,
        { fullName: p.fullName, phone: p.phone, birthYear: p.birthYear, sex: p.sex, communeCode: p.communeCode, address: p.address },
        { resolver, now: firstSeen(i), source: 'declaration', trust: 'staff' },
      );
      // idempotence: the first demo person already has declarations, so this ran before
      if (i === 0 && (await tx.selectFrom('declarations').select('id').where('subject_person_id', '=', id).limit(1).executeTakeFirst())) return true;
      ids.push(id);
    }
    // each child is a dependant of the parent with the same index among the first adults
    for (let k = 0; k < CHILDREN; k++) {
      const child = people.length - CHILDREN + k;
      await addDependant(tx, ids[k]!, ids[child]!, 'child', null, firstSeen(child));
    }
    for (const p of timed.sort((a, b) => a.at.getTime() - b.at.getTime())) {
      const answers: Record<string, AnswerValue> = { ...p.answers };
      if (p.formKey === 'entry') answers.arrival_date = localDay(p.at, tz);
      const d = await submitDeclaration(
        tx,
        {
          formKey: p.formKey,
          formVersion: 1,
          answers,
          subjectPersonId: ids[p.person]!,
          declarantPersonId: ids[p.declarant ?? p.person]!,
          userId: null,
          channel: p.declarant === undefined ? 'public' : 'citizen',
        },
        submitDeps(ctx, p.at),
      );
      if (p.actions) followUps.push({ id: d.id, at: p.at, actions: p.actions });
    }
    return false;
  });
  if (done) return;

  // ── follow-up by the CDC officer ────────────────────────────────────────────
  const cdc = await db.selectFrom('users').select(['id', 'username']).where('username', '=', 'cdc.nghean').executeTakeFirst();
  if (!cdc) {
    ctx.log.warn('demo declarations: no user "cdc.nghean"; the flagged declarations stay open');
    return;
  }
  const actor = { id: String(cdc.id), username: cdc.username };
  for (const f of followUps) {
    let at = f.at.getTime();
    for (const a of f.actions) {
      at = laterAt(at);
      await applyAction(db, f.id, a.action, a.note, actor, new Date(at), async () => {});
    }
  }
}
