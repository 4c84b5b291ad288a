// The EU DCC payload schema (eHealth Network, schema version 1.3.0, JSON Schema 2020-12), written from its
// published definitions: exactly one of v/t/r with exactly one entry, ICAO-9303 transliterated names, ISO dates.
// Value-set codes are strings here: the value sets change over time and are business rules, not schema.
const str = (maxLength = 80) => ({ type: 'string', maxLength });
const ref = (name: string) => ({ $ref: `#/$defs/${name}` });
const group = (entry: string) => ({ type: 'array', items: ref(entry), minItems: 1, maxItems: 1 });
const isoDate = { type: 'string', format: 'date' };

export const DCC_SCHEMA_VERSION = '1.3.0';

export const dccSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://id.uvci.eu/DCC.combined-schema.json',
  title: 'EU DCC',
  type: 'object',
  oneOf: ['v', 't', 'r'].map((g) => ({ required: ['ver', 'nam', 'dob', g] })),
  properties: {
    ver: { type: 'string', pattern: '^\\d+.\\d+.\\d+$' },
    nam: ref('person_name'),
    dob: { type: 'string', pattern: '^((19|20)\\d\\d(-\\d\\d){0,2}){0,1}$' },
    v: group('vaccination_entry'),
    t: group('test_entry'),
    r: group('recovery_entry'),
  },
  $defs: {
    dose_posint: { type: 'integer', minimum: 1 },
    code: { type: 'string' },
    country: { type: 'string', pattern: '[A-Z]{1,10}' },
    person_name: {
      type: 'object',
      required: ['fnt'],
      properties: {
        fn: str(),
        fnt: { type: 'string', pattern: '^[A-Z<]*$', maxLength: 80 },
        gn: str(),
        gnt: { type: 'string', pattern: '^[A-Z<]*$', maxLength: 80 },
      },
    },
    vaccination_entry: {
      type: 'object',
      required: ['tg', 'vp', 'mp', 'ma', 'dn', 'sd', 'dt', 'co', 'is', 'ci'],
      properties: {
        tg: ref('code'), vp: ref('code'), mp: ref('code'), ma: ref('code'),
        dn: ref('dose_posint'), sd: ref('dose_posint'), dt: isoDate,
        co: ref('country'), is: str(), ci: str(),
      },
    },
    test_entry: {
      type: 'object',
      required: ['tg', 'tt', 'sc', 'tr', 'tc', 'co', 'is', 'ci'],
      properties: {
        tg: ref('code'), tt: ref('code'), nm: str(), ma: ref('code'),
        sc: { type: 'string', format: 'date-time' }, tr: ref('code'), tc: str(),
        co: ref('country'), is: str(), ci: str(),
      },
    },
    recovery_entry: {
      type: 'object',
      required: ['tg', 'fr', 'co', 'is', 'df', 'du', 'ci'],
      properties: { tg: ref('code'), fr: isoDate, co: ref('country'), is: str(), df: isoDate, du: isoDate, ci: str() },
    },
  },
} as const;
