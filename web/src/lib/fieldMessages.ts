// The server names a bad field in English ("is not a valid Vietnamese phone number", ajv's "must NOT have fewer than
// 1 characters"). Forms show that text under the field, so in Vietnamese the common ones are said in Vietnamese
// (locales: fieldErrors.*); a message no rule knows stays as the server wrote it (it still names the problem).
import i18next from 'i18next';

type FieldErrorKey = 'unknownTube' | 'isoInstant' | 'beforeCollection' | 'resultWord' | 'testType' | 'pointInactive' | 'poolTooLarge' | 'inOpenTube' | 'samePersonInTube' | 'before2000' | 'phoneOrIdRequired' | 'day' | 'unknownCase' | 'outsideArea' | 'phoneOrId' | 'nationalIdDigits' | 'nationalIdProvince' | 'phone' | 'dateTime' | 'future' | 'past' | 'unknownUnit' | 'unknownPerson' | 'required' | 'minLength' | 'maxLength' | 'format' | 'number' | 'minimum' | 'maximum' | 'oneOf' | 'afterFrom' | 'isoDay' | 'sessionExists' | 'moreThanLeft' | 'beforeLastSession' | 'afterFirstSession';

const RULES: [RegExp, FieldErrorKey, ((m: RegExpExecArray) => { n: string })?][] = [
  [/^is not a valid (Vietnamese )?phone number/, 'phone'],
  // lines of imported lists name the value they refuse first: "12ab" is not a phone number
  [/^"[^"]*" is not a phone number/, 'phone'],
  [/^"[^"]*" is not a date\b/, 'day'],
  [/^"[^"]*" is not one of /, 'oneOf'],
  [/^"[^"]*" is not a known (administrative unit|commune)/, 'unknownUnit'],
  [/^is longer than (\d+) characters/, 'maxLength', (m) => ({ n: m[1]! })],
  [/^no case "/, 'unknownCase'],
  // sample and result lists (testing)
  [/^no sample was collected in tube /, 'unknownTube'],
  [/^must be an ISO 8601 instant with its offset/, 'isoInstant'],
  [/^is before the sample was collected/, 'beforeCollection'],
  [/^must be positive, negative or invalid/, 'resultWord'],
  [/^is not a known test type/, 'testType'],
  [/^is not an active sampling point/, 'pointInactive'],
  [/^tube \S+ holds (\d+) people; \S+ allows at most (\d+)/, 'poolTooLarge', (m) => ({ n: m[2]! })],
  [/^this person is already in tube (\S+) of \S+, still waiting/, 'inOpenTube', (m) => ({ n: m[1]! })],
  [/^is the same person as another/, 'samePersonInTube'],
  [/^is too far in the past \(before 2000\)/, 'before2000'],
  [/^a national ID or a phone number is required/, 'phoneOrIdRequired'],
  [/^case \S+ is outside your jurisdiction/, 'outsideArea'],
  [/^give a phone or a national ID/, 'phoneOrId'],
  [/^must be 9 digits \(CMND\) or 12 digits \(CCCD\)/, 'nationalIdDigits'],
  [/^does not start with a valid province code/, 'nationalIdProvince'],
  [/^is not a (valid )?date(-time)?\b/, 'dateTime'],
  [/^is in the future/, 'future'],
  [/^is in the past/, 'past'],
  [/^(is not a known (administrative unit|commune)|unknown administrative unit)/, 'unknownUnit'],
  [/^is not a known person/, 'unknownPerson'],
  [/^(is required|must have required property)/, 'required'],
  [/^must NOT have fewer than (\d+) characters/, 'minLength', (m) => ({ n: m[1]! })],
  [/^must NOT have more than (\d+) characters/, 'maxLength', (m) => ({ n: m[1]! })],
  [/^must match (pattern|format)/, 'format'],
  [/^must be (integer|number)/, 'number'],
  [/^must be >=? (-?[\d.]+)/, 'minimum', (m) => ({ n: m[1]! })],
  [/^must be <=? (-?[\d.]+)/, 'maximum', (m) => ({ n: m[1]! })],
  [/^must be equal to (one of the allowed values|constant)/, 'oneOf'],
  [/^must be a date YYYY-MM-DD/, 'isoDay'],
  [/^session exists/, 'sessionExists'],
  [/^is more than the doses left/, 'moreThanLeft'],
  [/^is before the campaign's last session \((\d{4})-(\d\d)-(\d\d)\)/, 'beforeLastSession', (m) => ({ n: `${m[3]}/${m[2]}/${m[1]}` })],
  [/^is after the campaign's first session \((\d{4})-(\d\d)-(\d\d)\)/, 'afterFirstSession', (m) => ({ n: `${m[3]}/${m[2]}/${m[1]}` })],
  [/^(is after to|must be after from|is before starts?(On|At)?\b)/, 'afterFrom'],
];

/** `message` in the UI language when a rule knows it; English UIs and unknown messages keep the server's words. */
export function localizeFieldMessage(message: string): string {
  const lng = i18next.resolvedLanguage ?? i18next.language;
  if (!lng || lng.startsWith('en')) return message;
  for (const [re, key, vars] of RULES) {
    const m = re.exec(message);
    if (m) return i18next.t(`fieldErrors.${key}`, { n: vars ? vars(m).n : '' });
  }
  return message;
}
