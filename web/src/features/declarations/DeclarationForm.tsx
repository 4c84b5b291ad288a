// Renders a declaration form version from its data: questions of any type, sections, conditional visibility.
// Used by the signed-in citizen page (for themselves and dependants) and meant for the public check-in page too.
import { Checkbox, Group, MultiSelect, Radio, Select, SegmentedControl, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Fragment, useEffect, useMemo, useState } from 'react';
import { useCommuneSearch } from '../people/api';
import { CommunePicker } from '../people/CommunePicker';
import type { AnswerValue, Answers, Condition, FormVersionView, Question, QuestionOption } from './api';
import { COUNTRY_CODES } from './countries';
import { useDeclT } from './i18n';

type Lang = 'vi' | 'en';
type DeclT = ReturnType<typeof useDeclT>;

/**
 * A number as people type it: Vietnamese writes 38,5 and English 38.5, so either separator is the decimal point
 * (no thousands separators: no question asks for thousands). Null when it is not a number.
 */
export function parseDecimal(text: string): number | null {
  const s = text.replace(/\s/g, '').replace(',', '.');
  return /^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : null;
}

const formatNumber = (v: number, lang: Lang) => (lang === 'vi' ? String(v).replace('.', ',') : String(v));

function hasAtMostDecimals(v: number, decimals: number): boolean {
  const scaled = v * 10 ** decimals;
  return Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, Math.abs(scaled));
}

/** What is wrong with the visible number answers (typed text that is no number, out of range, too many decimals). */
export function numberProblems(form: Pick<FormVersionView, 'questions'>, answers: Answers, td: DeclT): Record<string, string> {
  const out: Record<string, string> = {};
  for (const q of visible(form, answers)) {
    const v = answers[q.key];
    if (q.type !== 'number' || v === undefined) continue;
    const { min, max } = q;
    const places = q.integer ? 0 : q.decimals;
    if (typeof v !== 'number') out[q.key] = td('form.notNumber');
    else if (places === 0 && !Number.isInteger(v)) out[q.key] = td('form.wholeNumber');
    else if (places !== undefined && !hasAtMostDecimals(v, places)) out[q.key] = td('form.decimals', { n: places });
    else if ((min !== undefined && v < min) || (max !== undefined && v > max))
      out[q.key] = min !== undefined && max !== undefined ? td('form.range', { min, max }) : min !== undefined ? td('form.atLeast', { min }) : td('form.atMost', { max: max! });
  }
  return out;
}

/** Whether an option is offered at this venue type (all of them when declaring at no known venue). */
export const optionOffered = (o: QuestionOption, venueType: string | null | undefined) => !o.venueTypes || !venueType || o.venueTypes.includes(venueType);

function truthy(v: AnswerValue | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'string') return v.trim() !== '';
  if (typeof v === 'number') return v !== 0;
  return v === true;
}

/** Client copy of the server's condition semantics, for showing/hiding questions while typing. */
export function holds(c: Condition, a: Answers): boolean {
  if ('all' in c) return c.all.every((x) => holds(x, a));
  if ('any' in c) return c.any.some((x) => holds(x, a));
  if ('not' in c) return !holds(c.not, a);
  const v = a[c.q];
  if ('truthy' in c) return truthy(v) === c.truthy;
  if (v === undefined) return false;
  if ('equals' in c) return Array.isArray(v) ? v.includes(String(c.equals)) : v === c.equals;
  if ('includes' in c) {
    const want = Array.isArray(c.includes) ? c.includes : [c.includes];
    return (Array.isArray(v) ? v : [v]).some((x) => want.includes(String(x)));
  }
  if ('gte' in c) return typeof v === 'number' && v >= c.gte;
  if ('lte' in c) return typeof v === 'number' && v <= c.lte;
  return false; // inZone needs server data
}

/** The questions shown for these answers, in order (a question depends only on earlier ones). */
export function visible(form: Pick<FormVersionView, 'questions'>, answers: Answers): Question[] {
  const shown: Question[] = [];
  const accepted: Answers = {};
  for (const q of form.questions as Question[]) {
    if (q.visibleIf && !holds(q.visibleIf, accepted)) continue;
    shown.push(q);
    const v = answers[q.key];
    if (v !== undefined) accepted[q.key] = v;
  }
  return shown;
}

/** Answers to send: only visible questions, empty ones left out. */
export function cleanAnswers(form: Pick<FormVersionView, 'questions'>, answers: Answers): Answers {
  const out: Answers = {};
  for (const q of visible(form, answers)) {
    const v = answers[q.key];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[q.key] = v;
  }
  return out;
}

/** Required visible questions left unanswered (checked before sending). */
export function missingRequired(form: Pick<FormVersionView, 'questions'>, answers: Answers): string[] {
  const a = cleanAnswers(form, answers);
  return visible(form, answers)
    .filter((q) => q.required && a[q.key] === undefined)
    .map((q) => q.key);
}

const addDays = (days: number) => {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

function useCountryOptions(lang: Lang) {
  return useMemo(() => {
    let names: Intl.DisplayNames | null = null;
    try {
      names = new Intl.DisplayNames([lang === 'vi' ? 'vi' : 'en'], { type: 'region' });
    } catch {
      names = null;
    }
    return COUNTRY_CODES.map((code) => ({ value: code, label: `${names?.of(code) ?? code} (${code})` })).sort((a, b) => a.label.localeCompare(b.label, lang));
  }, [lang]);
}

function CommuneMulti({ label, value, onChange, error, required, description }: { label: string; value: string[]; onChange(v: string[]): void; error?: string; required?: boolean; description?: string }) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [known, setKnown] = useState<Record<string, string>>({});
  const found = useCommuneSearch(q, null);
  const data = useMemo(() => {
    const m = new Map<string, string>();
    for (const code of value) m.set(code, known[code] ?? code);
    for (const c of found.data?.items ?? []) m.set(c.code, [c.name, c.district, c.province].filter(Boolean).join(', '));
    return [...m].map(([v, l]) => ({ value: v, label: l }));
  }, [found.data, value, known]);
  return (
    <MultiSelect
      label={label}
      description={description}
      required={required}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      data={data}
      value={value}
      onChange={(v) => {
        const labels: Record<string, string> = {};
        for (const d of data) labels[d.value] = d.label;
        setKnown((k) => ({ ...k, ...labels }));
        onChange(v);
      }}
      error={error}
      maxValues={50}
    />
  );
}

/**
 * A number question: the field keeps exactly what is typed or pasted ("38," while typing 38,5) and the answer is
 * the number read from it; text that is no number stays in the field and is named before sending. Nothing is
 * clamped: 45 stays 45 and is refused with the range, instead of silently becoming 43.
 */
function NumberField({ q, value, onChange, lang, ...common }: { q: Question; value: AnswerValue | undefined; onChange(v: AnswerValue | undefined): void; lang: Lang; label: string; description?: string; error?: string; required?: boolean; disabled?: boolean }) {
  const [text, setText] = useState(() => (typeof value === 'number' ? formatNumber(value, lang) : typeof value === 'string' ? value : ''));
  // the answer changed from outside (form reset, filled in for the person): show it
  useEffect(() => {
    if (value === undefined) {
      if (text.trim() !== '') setText('');
    } else if (typeof value === 'number' && parseDecimal(text) !== value) setText(formatNumber(value, lang));
    // only when the answer changes, not on every keystroke
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <TextInput
      {...common}
      inputMode={q.integer || q.decimals === 0 ? 'numeric' : 'decimal'}
      autoComplete="off"
      rightSection={q.unit ? <Text size="xs">{q.unit}</Text> : undefined}
      value={text}
      onChange={(e) => {
        const raw = e.currentTarget.value;
        setText(raw);
        onChange(raw.trim() === '' ? undefined : (parseDecimal(raw) ?? raw));
      }}
      maw={220}
      data-question={q.key}
    />
  );
}

interface QuestionProps {
  q: Question;
  value: AnswerValue | undefined;
  onChange(v: AnswerValue | undefined): void;
  error?: string;
  lang: Lang;
  disabled?: boolean;
  venueType?: string | null;
}

function QuestionField({ q, value, onChange, error, lang, disabled, venueType }: QuestionProps) {
  const td = useDeclT();
  const countries = useCountryOptions(lang);
  const label = q.label[lang];
  const description = q.help?.[lang];
  const common = { label, description, error, required: q.required, disabled };
  switch (q.type) {
    case 'boolean':
      return (
        <Group justify="space-between" wrap="nowrap" gap="sm" data-question={q.key}>
          <div style={{ flex: 1 }}>
            <Text size="sm" fw={500}>
              {label}
              {q.required && (
                <Text span c="red" aria-hidden>
                  {' '}
                  *
                </Text>
              )}
            </Text>
            {description && (
              <Text size="xs" c="dimmed">
                {description}
              </Text>
            )}
            {error && (
              <Text size="xs" c="red" role="alert">
                {error}
              </Text>
            )}
          </div>
          <SegmentedControl
            aria-label={label}
            disabled={disabled}
            value={value === true ? 'yes' : value === false ? 'no' : ''}
            onChange={(v) => onChange(v === 'yes')}
            data={[
              { value: 'no', label: td('form.no') },
              { value: 'yes', label: td('form.yes') },
            ]}
            color={value === true ? 'orange' : value === false ? 'teal' : 'gray'}
          />
        </Group>
      );
    case 'single': {
      const options = (q.options ?? []).filter((o) => optionOffered(o, venueType)).map((o) => ({ value: o.value, label: o.label[lang] }));
      if (options.length <= 4)
        return (
          <Radio.Group {...common} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v)} data-question={q.key}>
            <Group mt={6} gap="md">
              {options.map((o) => (
                <Radio key={o.value} value={o.value} label={o.label} disabled={disabled} />
              ))}
            </Group>
          </Radio.Group>
        );
      return <Select {...common} placeholder={td('form.selectPlaceholder')} data={options} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v ?? undefined)} clearable data-question={q.key} />;
    }
    case 'multi':
      return (
        <Checkbox.Group {...common} value={Array.isArray(value) ? value : []} onChange={(v) => onChange(v)} data-question={q.key}>
          <Stack mt={6} gap={6}>
            {(q.options ?? []).filter((o) => optionOffered(o, venueType)).map((o) => (
              <Checkbox key={o.value} value={o.value} label={o.label[lang]} disabled={disabled} />
            ))}
          </Stack>
        </Checkbox.Group>
      );
    case 'text':
      return (q.maxLength ?? 1000) > 200 ? (
        <Textarea {...common} autosize minRows={2} maxLength={q.maxLength ?? 1000} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value)} data-question={q.key} />
      ) : (
        <TextInput {...common} maxLength={q.maxLength} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value)} data-question={q.key} />
      );
    case 'date':
      return (
        <TextInput
          {...common}
          type="date"
          min={q.pastDays !== undefined ? addDays(-q.pastDays) : undefined}
          max={q.futureDays !== undefined ? addDays(q.futureDays) : undefined}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value || undefined)}
          data-question={q.key}
        />
      );
    case 'number':
      return <NumberField {...common} q={q} value={value} onChange={onChange} lang={lang} />;
    case 'country':
      return q.multiple ? (
        <MultiSelect {...common} searchable placeholder={td('form.countrySearch')} data={countries} value={Array.isArray(value) ? value : []} onChange={(v) => onChange(v)} data-question={q.key} />
      ) : (
        <Select {...common} searchable placeholder={td('form.countrySearch')} data={countries} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v ?? undefined)} data-question={q.key} />
      );
    case 'commune':
      return q.multiple ? (
        <CommuneMulti label={label} description={description} required={q.required} error={error} value={Array.isArray(value) ? value : []} onChange={(v) => onChange(v)} />
      ) : (
        <CommunePicker label={label} description={description} required={q.required} error={error} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v ?? undefined)} disabled={disabled} />
      );
  }
}

interface Props {
  form: FormVersionView;
  answers: Answers;
  onChange(answers: Answers): void;
  /** question key → message (server errors on answers.<key>, or "required") */
  errors: Record<string, string>;
  lang: Lang;
  disabled?: boolean;
  /** the type of the venue declared at: options meant for other kinds of places are left out */
  venueType?: string | null;
}

/** The questions of a form version, grouped by section, hiding those whose visibleIf does not hold. */
export function DeclarationForm({ form, answers, onChange, errors, lang, disabled, venueType }: Props) {
  const shown = visible(form, answers);
  let lastSection: string | null = null;
  return (
    <Stack gap="md">
      {form.description && (
        <Text size="sm" c="red.8" fw={500}>
          {form.description[lang]}
        </Text>
      )}
      {shown.map((q) => {
        const section = q.section?.[lang] ?? null;
        const heading = section && section !== lastSection ? section : null;
        lastSection = section;
        return (
          <Fragment key={q.key}>
            {heading && (
              <Title order={3} size="h5" mt="sm" c="blue.8">
                {heading}
              </Title>
            )}
            <QuestionField
              q={q}
              value={answers[q.key]}
              onChange={(v) => {
                const next = { ...answers };
                if (v === undefined) delete next[q.key];
                else next[q.key] = v;
                onChange(next);
              }}
              error={errors[q.key]}
              lang={lang}
              disabled={disabled}
              venueType={venueType}
            />
          </Fragment>
        );
      })}
    </Stack>
  );
}

/** Server field errors (answers.<key>) → { key: message }. */
export function answerErrors(fieldErrors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, msg] of Object.entries(fieldErrors)) if (path.startsWith('answers.')) out[path.slice('answers.'.length)] = msg;
  return out;
}
