import { Alert, Button, Group, NumberInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../lib/api';
import { useErrorMessage } from '../../lib/errors';
import { SEXES, type SexValue } from './api';
import { CommunePicker } from './CommunePicker';
import { usePeopleT } from './i18n';
import { sexLabel } from './labels';

export interface PersonFormValues {
  fullName: string;
  birthDate: string;
  birthYear: number | '';
  sex: SexValue | null;
  nationalId: string;
  phone: string;
  address: string;
  communeCode: string | null;
}

export const emptyPerson: PersonFormValues = {
  fullName: '',
  birthDate: '',
  birthYear: '',
  sex: null,
  nationalId: '',
  phone: '',
  address: '',
  communeCode: null,
};

/** Form values → request body; blank optional fields become null (edit) or are left out (create). */
export function toBody(v: PersonFormValues, mode: 'create' | 'edit') {
  const opt = <T,>(x: T | '' | null) => (x === '' || x === null ? (mode === 'edit' ? null : undefined) : x);
  return {
    fullName: v.fullName.trim(),
    birthDate: opt(v.birthDate),
    birthYear: v.birthDate ? undefined : opt(v.birthYear),
    sex: opt(v.sex),
    nationalId: opt(v.nationalId.trim()),
    phone: opt(v.phone.trim()),
    address: opt(v.address.trim()),
    communeCode: v.communeCode ?? '',
  };
}

interface Props {
  initial: PersonFormValues;
  /** label of the initial commune (editing) */
  communeLabel?: string | null;
  submitLabel: string;
  /** the request; its ApiError field errors are shown beside the fields */
  onSubmit(values: PersonFormValues): Promise<unknown>;
  onCancel?(): void;
  phoneRequired?: boolean;
  /** path prefix of the fields in server errors, e.g. "person" for { person: {...} } bodies */
  errorPrefix?: string;
}

type Field = keyof PersonFormValues;

export function PersonForm({ initial, communeLabel, submitLabel, onSubmit, onCancel, phoneRequired, errorPrefix }: Props) {
  const tp = usePeopleT();
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [v, setV] = useState<PersonFormValues>(initial);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends Field>(k: K, value: PersonFormValues[K]) => {
    setV((x) => ({ ...x, [k]: value }));
    setErrors((e) => ({ ...e, [k]: undefined }));
  };

  function validate(): Partial<Record<Field, string>> {
    const e: Partial<Record<Field, string>> = {};
    if (!v.fullName.trim()) e.fullName = t('common.required');
    if (!v.communeCode) e.communeCode = t('common.required');
    if (phoneRequired && !v.phone.trim()) e.phone = t('common.required');
    if (v.nationalId.trim() && !/^(\d{9}|\d{12})$/.test(v.nationalId.replace(/[\s.]/g, ''))) e.nationalId = tp('nationalIdHint');
    return e;
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    const e = validate();
    setErrors(e);
    setFormError(null);
    if (Object.keys(e).length) return;
    setBusy(true);
    try {
      await onSubmit(v);
    } catch (err) {
      if (isApiError(err) && err.details.length) {
        const fe = err.fieldErrors();
        const mapped: Partial<Record<Field, string>> = {};
        for (const [k, msg] of Object.entries(fe)) {
          const key = (errorPrefix && k.startsWith(`${errorPrefix}.`) ? k.slice(errorPrefix.length + 1) : k) as Field;
          if (key in emptyPerson) mapped[key] = msg;
        }
        setErrors(mapped);
        if (!Object.keys(mapped).length) setFormError(errorMessage(err));
      } else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        {formError && (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        )}
        <TextInput label={tp('fullName')} required value={v.fullName} onChange={(e) => set('fullName', e.currentTarget.value)} error={errors.fullName} autoComplete="name" />
        <SimpleGrid cols={{ base: 1, xs: 3 }}>
          <TextInput type="date" label={tp('birthDate')} value={v.birthDate} onChange={(e) => set('birthDate', e.currentTarget.value)} error={errors.birthDate} />
          <NumberInput
            label={tp('birthYear')}
            value={v.birthDate ? Number(v.birthDate.slice(0, 4)) : v.birthYear}
            onChange={(x) => set('birthYear', typeof x === 'number' ? x : '')}
            disabled={!!v.birthDate}
            min={1880}
            max={new Date().getFullYear()}
            allowDecimal={false}
            error={errors.birthYear}
          />
          <Select
            label={tp('sex')}
            data={SEXES.map((s) => ({ value: s, label: sexLabel(tp, s) }))}
            value={v.sex}
            onChange={(x) => set('sex', (x as SexValue | null) ?? null)}
            clearable
            error={errors.sex}
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextInput
            label={tp('phone')}
            type="tel"
            inputMode="tel"
            required={phoneRequired}
            value={v.phone}
            onChange={(e) => set('phone', e.currentTarget.value)}
            error={errors.phone}
            autoComplete="tel"
            placeholder="0912 345 678"
          />
          <TextInput
            label={tp('nationalId')}
            inputMode="numeric"
            description={tp('nationalIdHint')}
            value={v.nationalId}
            onChange={(e) => set('nationalId', e.currentTarget.value)}
            error={errors.nationalId}
          />
        </SimpleGrid>
        <CommunePicker label={tp('commune')} required value={v.communeCode} initialLabel={communeLabel} onChange={(x) => set('communeCode', x)} error={errors.communeCode} />
        <TextInput label={tp('address')} value={v.address} onChange={(e) => set('address', e.currentTarget.value)} error={errors.address} autoComplete="street-address" />
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              {t('common.cancel')}
            </Button>
          )}
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
