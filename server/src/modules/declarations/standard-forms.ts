// The three standard declaration forms of 2021 (domestic, entry, medical facility / venue), the standard risk rules
// and zone lists. Seeded by seedStandardForms(db); administrators edit them afterwards (each edit = a new version).
import type { Condition, FormDefinition, Localized, Question, RiskRule } from './model';

const yes = (q: string): Condition => ({ q, truthy: true });

/** Venue types (venues' VENUE_TYPES) where people come for treatment or to see a patient. */
const MEDICAL_VENUES = ['hospital', 'clinic'];
/** Venue types with customers. */
const SERVICE_VENUES = ['market', 'supermarket', 'restaurant', 'hotel', 'station', 'other'];

const SYMPTOMS: Localized = { vi: 'Triệu chứng trong 14 ngày qua', en: 'Symptoms in the last 14 days' };
const EXPOSURE: Localized = { vi: 'Lịch sử phơi nhiễm trong 14 ngày qua', en: 'Exposure in the last 14 days' };
const TRAVEL: Localized = { vi: 'Lịch trình di chuyển', en: 'Travel' };
const HEALTH: Localized = { vi: 'Tình trạng sức khoẻ', en: 'Health' };

const symptom = (key: string, vi: string, en: string): Question => ({
  key,
  type: 'boolean',
  required: true,
  section: SYMPTOMS,
  label: { vi, en },
});

const SYMPTOM_QUESTIONS: Question[] = [
  symptom('fever', 'Sốt', 'Fever'),
  symptom('cough', 'Ho', 'Cough'),
  symptom('shortness_of_breath', 'Khó thở', 'Shortness of breath'),
  symptom('sore_throat', 'Đau họng', 'Sore throat'),
  symptom('loss_of_taste_smell', 'Mất vị giác hoặc khứu giác', 'Loss of taste or smell'),
  symptom('fatigue', 'Mệt mỏi, đau nhức người', 'Tiredness, body aches'),
  symptom('diarrhea', 'Tiêu chảy, buồn nôn', 'Diarrhoea, nausea'),
];

const TEMPERATURE: Question = {
  key: 'temperature',
  type: 'number',
  section: SYMPTOMS,
  label: { vi: 'Nhiệt độ cơ thể đo được (nếu có)', en: 'Measured body temperature (if taken)' },
  min: 34,
  max: 43,
  decimals: 1,
  unit: '°C',
};

const EXPOSURE_QUESTIONS: Question[] = [
  {
    key: 'contact_f0',
    type: 'boolean',
    required: true,
    section: EXPOSURE,
    label: {
      vi: 'Anh/Chị có tiếp xúc gần với người bệnh hoặc nghi ngờ mắc COVID-19 (F0) không?',
      en: 'Have you been in close contact with a confirmed or suspected COVID-19 case (F0)?',
    },
  },
  {
    key: 'contact_from_outbreak',
    type: 'boolean',
    required: true,
    section: EXPOSURE,
    label: {
      vi: 'Anh/Chị có tiếp xúc với người từ nước ngoài hoặc từ vùng có dịch COVID-19 về không?',
      en: 'Have you been in contact with someone who came from abroad or from an outbreak area?',
    },
  },
  {
    key: 'contact_symptoms',
    type: 'boolean',
    required: true,
    section: EXPOSURE,
    label: {
      vi: 'Anh/Chị có tiếp xúc với người có biểu hiện sốt, ho, khó thở không?',
      en: 'Have you been in contact with someone with fever, cough or shortness of breath?',
    },
  },
];

const TRAVEL_QUESTIONS: Question[] = [
  {
    key: 'travel_14d',
    type: 'boolean',
    required: true,
    section: TRAVEL,
    label: {
      vi: 'Trong vòng 14 ngày qua, Anh/Chị có đi/đến/về từ tỉnh, thành phố hoặc quốc gia khác không?',
      en: 'In the last 14 days, have you travelled to or come from another province, city or country?',
    },
  },
  {
    key: 'travel_places',
    type: 'commune',
    multiple: true,
    required: true,
    section: TRAVEL,
    visibleIf: yes('travel_14d'),
    label: { vi: 'Địa phương đã đi qua (tỉnh/huyện/xã)', en: 'Places in Vietnam visited (province/district/commune)' },
    help: {
      vi: 'Chọn tất cả các địa phương đã đến; chọn tỉnh nếu không nhớ rõ xã.',
      en: 'Select every place visited; choose the province if you do not remember the commune.',
    },
  },
  {
    key: 'travel_countries',
    type: 'country',
    multiple: true,
    section: TRAVEL,
    visibleIf: yes('travel_14d'),
    label: { vi: 'Quốc gia/vùng lãnh thổ đã đến (nếu có)', en: 'Countries/territories visited (if any)' },
  },
];

const VACCINATED: Question = {
  key: 'vaccinated',
  type: 'single',
  section: HEALTH,
  label: { vi: 'Anh/Chị đã tiêm vắc xin phòng COVID-19 chưa?', en: 'Have you been vaccinated against COVID-19?' },
  options: [
    { value: 'none', label: { vi: 'Chưa tiêm', en: 'Not vaccinated' } },
    { value: 'one_dose', label: { vi: 'Đã tiêm 1 mũi', en: 'One dose' } },
    { value: 'two_doses', label: { vi: 'Đã tiêm 2 mũi trở lên', en: 'Two or more doses' } },
  ],
};

const CHRONIC: Question = {
  key: 'chronic_conditions',
  type: 'multi',
  section: HEALTH,
  label: { vi: 'Bệnh nền (nếu có)', en: 'Underlying conditions (if any)' },
  options: [
    { value: 'diabetes', label: { vi: 'Đái tháo đường', en: 'Diabetes' } },
    { value: 'hypertension', label: { vi: 'Tăng huyết áp', en: 'High blood pressure' } },
    { value: 'heart', label: { vi: 'Bệnh tim mạch', en: 'Heart disease' } },
    { value: 'lung', label: { vi: 'Bệnh phổi mạn tính', en: 'Chronic lung disease' } },
    { value: 'kidney', label: { vi: 'Bệnh thận mạn tính', en: 'Chronic kidney disease' } },
    { value: 'cancer', label: { vi: 'Ung thư', en: 'Cancer' } },
    { value: 'immunodeficiency', label: { vi: 'Suy giảm miễn dịch', en: 'Weakened immune system' } },
    { value: 'pregnant', label: { vi: 'Đang mang thai', en: 'Pregnant' } },
  ],
};

export const STANDARD_FORMS: Record<'domestic' | 'entry' | 'venue', FormDefinition> = {
  domestic: {
    kind: 'domestic',
    title: { vi: 'Tờ khai y tế nội địa', en: 'Domestic health declaration' },
    description: {
      vi: 'Khuyến cáo: khai báo thông tin sai là vi phạm pháp luật Việt Nam và có thể bị xử lý hình sự.',
      en: 'Warning: declaring false information is a violation of Vietnamese law and may be subject to criminal prosecution.',
    },
    questions: [...TRAVEL_QUESTIONS, ...SYMPTOM_QUESTIONS, TEMPERATURE, ...EXPOSURE_QUESTIONS, VACCINATED, CHRONIC],
  },
  entry: {
    kind: 'entry',
    title: { vi: 'Tờ khai y tế nhập cảnh', en: 'Health declaration for entry into Vietnam' },
    description: {
      vi: 'Dành cho người nhập cảnh vào Việt Nam. Khai báo thông tin sai là vi phạm pháp luật Việt Nam.',
      en: 'For travellers entering Vietnam. Declaring false information is a violation of Vietnamese law.',
    },
    unitQuestion: 'quarantine_commune',
    questions: [
      { key: 'passport_number', type: 'text', required: true, maxLength: 20, label: { vi: 'Số hộ chiếu hoặc giấy tờ thông hành hợp pháp', en: 'Passport or travel document number' } },
      { key: 'nationality', type: 'country', required: true, label: { vi: 'Quốc tịch', en: 'Nationality' } },
      {
        key: 'transport',
        type: 'single',
        required: true,
        label: { vi: 'Phương tiện nhập cảnh', en: 'Means of transport' },
        options: [
          { value: 'air', label: { vi: 'Tàu bay', en: 'Aircraft' } },
          { value: 'ship', label: { vi: 'Tàu thuyền', en: 'Ship' } },
          { value: 'car', label: { vi: 'Ô tô', en: 'Car' } },
          { value: 'other', label: { vi: 'Khác', en: 'Other' } },
        ],
      },
      { key: 'flight_number', type: 'text', required: true, maxLength: 20, label: { vi: 'Số hiệu chuyến bay / phương tiện', en: 'Flight / vehicle number' } },
      { key: 'seat_number', type: 'text', maxLength: 8, visibleIf: { q: 'transport', equals: 'air' }, label: { vi: 'Số ghế', en: 'Seat number' } },
      { key: 'arrival_date', type: 'date', required: true, pastDays: 14, futureDays: 7, label: { vi: 'Ngày nhập cảnh', en: 'Date of entry' } },
      {
        key: 'border_gate',
        type: 'single',
        required: true,
        label: { vi: 'Cửa khẩu nhập cảnh', en: 'Border gate' },
        options: [
          { value: 'noi_bai', label: { vi: 'Sân bay Nội Bài', en: 'Noi Bai airport' } },
          { value: 'tan_son_nhat', label: { vi: 'Sân bay Tân Sơn Nhất', en: 'Tan Son Nhat airport' } },
          { value: 'da_nang', label: { vi: 'Sân bay Đà Nẵng', en: 'Da Nang airport' } },
          { value: 'cam_ranh', label: { vi: 'Sân bay Cam Ranh', en: 'Cam Ranh airport' } },
          { value: 'van_don', label: { vi: 'Sân bay Vân Đồn', en: 'Van Don airport' } },
          { value: 'phu_quoc', label: { vi: 'Sân bay Phú Quốc', en: 'Phu Quoc airport' } },
          { value: 'land', label: { vi: 'Cửa khẩu đường bộ', en: 'Land border crossing' } },
          { value: 'sea', label: { vi: 'Cảng biển', en: 'Seaport' } },
        ],
      },
      { key: 'origin_country', type: 'country', required: true, section: TRAVEL, label: { vi: 'Quốc gia khởi hành', en: 'Country of departure' } },
      {
        key: 'transit_countries',
        type: 'country',
        multiple: true,
        section: TRAVEL,
        label: { vi: 'Quốc gia/vùng lãnh thổ đã đi qua trong 14 ngày (quá cảnh)', en: 'Countries/territories passed through in the last 14 days (transit)' },
      },
      {
        key: 'quarantine_type',
        type: 'single',
        required: true,
        label: { vi: 'Hình thức cách ly sau nhập cảnh', en: 'Quarantine after entry' },
        options: [
          { value: 'facility', label: { vi: 'Cách ly tập trung', en: 'Government quarantine facility' } },
          { value: 'hotel', label: { vi: 'Khách sạn cách ly có thu phí', en: 'Paid quarantine hotel' } },
          { value: 'home', label: { vi: 'Cách ly tại nhà/nơi lưu trú', en: 'Home / place of stay' } },
        ],
      },
      { key: 'quarantine_address', type: 'text', required: true, maxLength: 300, label: { vi: 'Địa chỉ nơi cách ly / lưu trú', en: 'Address of quarantine / stay' } },
      {
        key: 'quarantine_commune',
        type: 'commune',
        required: true,
        label: { vi: 'Xã/phường nơi cách ly / lưu trú', en: 'Commune/ward of quarantine / stay' },
        help: { vi: 'Trạm y tế xã/phường này sẽ theo dõi sức khoẻ của Anh/Chị.', en: 'The health station of this commune/ward will follow up on your health.' },
      },
      ...SYMPTOM_QUESTIONS.slice(0, 5),
      {
        key: 'negative_test',
        type: 'boolean',
        required: true,
        section: HEALTH,
        label: {
          vi: 'Anh/Chị có giấy xét nghiệm âm tính với SARS-CoV-2 (RT-PCR) trong vòng 72 giờ trước khi nhập cảnh không?',
          en: 'Do you have a negative SARS-CoV-2 (RT-PCR) test taken within 72 hours before entry?',
        },
      },
      VACCINATED,
    ],
  },
  venue: {
    kind: 'venue',
    title: { vi: 'Khai báo y tế khi vào cơ sở khám chữa bệnh / địa điểm', en: 'Health declaration at a medical facility or venue' },
    description: {
      vi: 'Khai báo trước khi vào bệnh viện, trạm y tế hoặc địa điểm công cộng để bảo vệ bản thân và cộng đồng.',
      en: 'Declare before entering a hospital, health station or public venue, to protect yourself and others.',
    },
    questions: [
      {
        key: 'visit_purpose',
        type: 'single',
        required: true,
        label: { vi: 'Mục đích đến', en: 'Purpose of the visit' },
        // what a visit is for depends on the place: treatment and patients at hospitals and clinics only
        options: [
          { value: 'treatment', label: { vi: 'Khám, chữa bệnh', en: 'Medical examination or treatment' }, venueTypes: MEDICAL_VENUES },
          { value: 'visit_patient', label: { vi: 'Thăm, chăm sóc người bệnh', en: 'Visiting or caring for a patient' }, venueTypes: MEDICAL_VENUES },
          { value: 'customer', label: { vi: 'Mua sắm, ăn uống, sử dụng dịch vụ', en: 'Shopping, eating or using a service' }, venueTypes: SERVICE_VENUES },
          { value: 'study', label: { vi: 'Học tập', en: 'Study' }, venueTypes: ['school'] },
          { value: 'travel', label: { vi: 'Đi tàu, xe, máy bay', en: 'Travelling (train, bus, plane)' }, venueTypes: ['station'] },
          { value: 'event', label: { vi: 'Dự sự kiện, lễ, hội họp', en: 'Attending an event, ceremony or meeting' }, venueTypes: ['event', 'religious', 'hotel', 'office', 'other'] },
          { value: 'work', label: { vi: 'Công tác, làm việc', en: 'Work' } },
          { value: 'other', label: { vi: 'Khác', en: 'Other' } },
        ],
      },
      {
        key: 'department',
        type: 'text',
        maxLength: 200,
        visibleIf: { q: 'visit_purpose', includes: ['treatment', 'visit_patient'] },
        label: { vi: 'Khoa/phòng đến', en: 'Department / ward' },
      },
      ...SYMPTOM_QUESTIONS.slice(0, 5),
      TEMPERATURE,
      EXPOSURE_QUESTIONS[0]!,
      EXPOSURE_QUESTIONS[1]!,
      TRAVEL_QUESTIONS[0]!,
      TRAVEL_QUESTIONS[1]!,
    ],
  },
};

/** Zone lists used by the standard rules: the July 2021 red zones (southern provinces under Directive 16). */
export const STANDARD_ZONES: { key: string; name: Localized; codes: string[] }[] = [
  {
    key: 'red_zones',
    name: { vi: 'Vùng có dịch (vùng đỏ)', en: 'Outbreak areas (red zones)' },
    codes: ['79', '74', '75', '80'], // TP. Hồ Chí Minh, Bình Dương, Đồng Nai, Long An
  },
  {
    key: 'high_risk_countries',
    name: { vi: 'Quốc gia có nguy cơ cao', en: 'High-risk countries' },
    codes: ['IN', 'BR', 'ZA', 'ID'],
  },
];

const SEVERE_SYMPTOMS: Condition = { any: [yes('shortness_of_breath'), yes('loss_of_taste_smell')] };

export const STANDARD_RULES: RiskRule[] = [
  {
    key: 'contact_f0',
    name: { vi: 'Tiếp xúc gần với F0', en: 'Close contact of a case (F0)' },
    formKinds: [],
    condition: yes('contact_f0'),
    severity: 'high',
  },
  {
    key: 'red_zone_travel',
    name: { vi: 'Đi/đến/về từ vùng có dịch trong 14 ngày', en: 'Travel to/from an outbreak area in the last 14 days' },
    formKinds: ['domestic', 'venue'],
    condition: { all: [yes('travel_14d'), { q: 'travel_places', inZone: 'red_zones' }] },
    severity: 'high',
  },
  {
    key: 'shortness_of_breath',
    name: { vi: 'Khó thở', en: 'Shortness of breath' },
    formKinds: [],
    condition: yes('shortness_of_breath'),
    severity: 'high',
  },
  {
    key: 'fever_and_cough',
    name: { vi: 'Sốt kèm ho', en: 'Fever with cough' },
    formKinds: [],
    condition: { all: [{ any: [yes('fever'), { q: 'temperature', gte: 37.5 }] }, yes('cough')] },
    severity: 'medium',
  },
  {
    key: 'loss_of_taste_smell',
    name: { vi: 'Mất vị giác/khứu giác', en: 'Loss of taste/smell' },
    formKinds: [],
    condition: yes('loss_of_taste_smell'),
    severity: 'medium',
  },
  {
    key: 'high_temperature',
    name: { vi: 'Nhiệt độ từ 37,5 °C', en: 'Temperature of 37.5 °C or more' },
    formKinds: [],
    condition: { q: 'temperature', gte: 37.5 },
    severity: 'medium',
  },
  {
    key: 'contact_from_outbreak',
    name: { vi: 'Tiếp xúc người từ vùng có dịch', en: 'Contact with someone from an outbreak area' },
    formKinds: [],
    condition: yes('contact_from_outbreak'),
    severity: 'medium',
  },
  {
    key: 'entry_symptoms',
    name: { vi: 'Người nhập cảnh có triệu chứng', en: 'Traveller with symptoms' },
    formKinds: ['entry'],
    condition: { any: [yes('fever'), yes('cough'), yes('sore_throat'), SEVERE_SYMPTOMS] },
    severity: 'high',
  },
  {
    key: 'entry_high_risk_origin',
    name: { vi: 'Nhập cảnh từ/qua quốc gia nguy cơ cao', en: 'Arrival from/through a high-risk country' },
    formKinds: ['entry'],
    condition: { any: [{ q: 'origin_country', inZone: 'high_risk_countries' }, { q: 'transit_countries', inZone: 'high_risk_countries' }] },
    severity: 'medium',
  },
  {
    key: 'entry_no_test',
    name: { vi: 'Nhập cảnh không có xét nghiệm âm tính', en: 'Arrival without a negative test' },
    formKinds: ['entry'],
    condition: { q: 'negative_test', truthy: false },
    severity: 'medium',
  },
  {
    key: 'respiratory_symptoms',
    name: { vi: 'Có triệu chứng hô hấp', en: 'Respiratory symptoms' },
    formKinds: ['domestic', 'venue'],
    condition: { any: [yes('fever'), yes('cough'), yes('sore_throat'), yes('contact_symptoms')] },
    severity: 'low',
  },
];

/** Answers to the domestic form (version 1) that no standard rule flags: for demo data and tests. */
export const HEALTHY_DOMESTIC_ANSWERS: Readonly<Record<string, boolean>> = Object.freeze({
  travel_14d: false,
  fever: false,
  cough: false,
  shortness_of_breath: false,
  sore_throat: false,
  loss_of_taste_smell: false,
  fatigue: false,
  diarrhea: false,
  contact_f0: false,
  contact_from_outbreak: false,
  contact_symptoms: false,
});
