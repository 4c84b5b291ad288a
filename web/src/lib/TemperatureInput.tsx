// A body temperature as staff type it: "37,4" (Vietnamese) or "37.4". A number input read a comma that came from a
// paste or a phone's keyboard (keyCode 229, where its separator handling does not apply) as 374 and clamped it to
// 45 °C: a fever for a well person. This is a text field read here.
import { TextInput, type TextInputProps } from '@mantine/core';

/** °C from what was typed: null when empty, undefined when not a temperature between 30 and 45 (one decimal kept). */
export function parseTemperature(text: string): number | null | undefined {
  const v = text.trim().replace(',', '.');
  if (!v) return null;
  const n = /^\d{2}(\.\d{1,2})?$/.test(v) ? Number(v) : NaN;
  return n >= 30 && n <= 45 ? Math.round(n * 10) / 10 : undefined;
}

/** The field: decimal keyboard on phones, what was typed kept as typed. */
export function TemperatureInput({ value, onChange, ...props }: Omit<TextInputProps, 'value' | 'onChange'> & { value: string; onChange(v: string): void }) {
  return <TextInput {...props} value={value} onChange={(e) => onChange(e.currentTarget.value)} inputMode="decimal" maxLength={6} />;
}
