// The server names a bad field in English ("is not a valid Vietnamese phone number", ajv's "must NOT have fewer than
// 1 characters"). Forms show that text under the field, so in Vietnamese the common ones are said in Vietnamese
// (locales: fieldErrors.*); a message no rule knows stays as the server wrote it (it still names the problem).
import i18next from 'i18next';

type FieldErrorKey = 'phone' | 'dateTime' | 'future' | 'past' | 'unknownUnit' | 'unknownPerson' | 'required' | 'minLength' | 'maxLength' | 'format' | 'number' | 'minimum' | 'maximum' | 'oneOf' | 'afterFrom' | 'isoDay' | 'sessionExists' | 'moreThanLeft' | 'beforeLastSession' | 'afterFirstSession';

const RULES: [RegExp, FieldErrorKey, ((m: RegExpExecArray) => { n: string })?][] = [
  [/^is not a valid (Vietnamese )?phone number/, 'phone'],
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
