// Pieces shared by the staff forms of the vaccination pages: the server's field errors, today's day, a campaign picker.
import { Select, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useFormat } from '../../lib/format';
import { useLang } from '../../app/i18n';
import { isApiError } from '../../lib/api';
import type { CampaignItem } from './api';
import { parseDay } from './day';

/** Field errors of a failed call keyed by field ("person.fullName", "openingHours.0.from"); {} for anything else. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  return isApiError(error) ? error.fieldErrors() : {};
}

/** True when the error names no field the form shows (then the form shows it as a whole). */
export function unplaced(error: unknown, shown: string[]): boolean {
  if (!error) return false;
  const keys = Object.keys(fieldErrorsOf(error));
  return !keys.length || keys.some((k) => !shown.some((s) => k === s || k.startsWith(`${s}.`)));
}

/** The browser's local day as YYYY-MM-DD. */
export function todayLocal(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Campaign select that remembers the choice (localStorage) and falls back to the newest campaign. */
export function CampaignSelect(props: { label: string; campaigns: CampaignItem[] | undefined; value: string | null; onChange(id: string | null): void; storageKey: string; testId: string }) {
  const { campaigns, value, onChange, storageKey } = props;
  useEffect(() => {
    if (!campaigns) return;
    if (value && campaigns.some((c) => c.id === value)) {
      localStorage.setItem(storageKey, value);
      return;
    }
    const stored = localStorage.getItem(storageKey);
    onChange(campaigns.find((c) => c.id === stored)?.id ?? campaigns[0]?.id ?? null);
  }, [campaigns, value]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Select
      label={props.label}
      data={(campaigns ?? []).map((c) => ({ value: c.id, label: c.name }))}
      value={value}
      onChange={onChange}
      allowDeselect={false}
      searchable
      data-testid={props.testId}
    />
  );
}

/** Thousands grouping of whole-number inputs in the UI language (vi 1.200, en 1,200). */
export function useSeparators(): { thousandSeparator: string; decimalSeparator: string } {
  return useLang() === 'en' ? { thousandSeparator: ',', decimalSeparator: '.' } : { thousandSeparator: '.', decimalSeparator: ',' };
}

/**
 * A day typed as the UI language writes it (vi dd/mm/yyyy), whatever the browser's own date picker would show;
 * `onChange` gets YYYY-MM-DD, or the text as typed when it is no day (the server then names the field).
 */
export function DayInput(props: { label: string; value: string; onChange(day: string): void; error?: string; required?: boolean; testId: string }) {
  const fmt = useFormat();
  const dayFirst = fmt.day('2000-12-31').startsWith('31');
  const shown = (v: string) => (parseDay(v) ? fmt.day(v) : v);
  const [text, setText] = useState(shown(props.value));
  useEffect(() => {
    if ((parseDay(text, dayFirst) ?? text.trim()) !== props.value) setText(shown(props.value));
  }, [props.value, dayFirst]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <TextInput
      label={props.label}
      value={text}
      placeholder={dayFirst ? 'dd/mm/yyyy' : 'mm/dd/yyyy'}
      inputMode="numeric"
      maxLength={10}
      required={props.required}
      error={props.error}
      onChange={(e) => {
        const v = e.currentTarget.value;
        setText(v);
        props.onChange(parseDay(v, dayFirst) ?? v.trim());
      }}
      onBlur={() => {
        const d = parseDay(text, dayFirst);
        if (d) setText(fmt.day(d));
      }}
      data-testid={props.testId}
    />
  );
}
