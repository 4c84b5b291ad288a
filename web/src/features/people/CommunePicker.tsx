import { Select, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { useCommuneSearch, type CommuneOption } from './api';
import { usePeopleT } from './i18n';

interface Props {
  label: string;
  value: string | null;
  onChange(code: string | null): void;
  /** label of the current value when it is known already (editing a record) */
  initialLabel?: string | null;
  error?: string;
  required?: boolean;
  description?: string;
  disabled?: boolean;
}

const optionLabel = (c: CommuneOption) => [c.name, c.district, c.province].filter(Boolean).join(', ');

/** Searchable commune/ward picker over the public commune list (works for citizens and officers alike). */
export function CommunePicker({ label, value, onChange, initialLabel, error, required, description, disabled }: Props) {
  const tp = usePeopleT();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [known, setKnown] = useState<Record<string, string>>(value && initialLabel ? { [value]: initialLabel } : {});
  const result = useCommuneSearch(q, value && !known[value] ? value : null);

  const data = useMemo(() => {
    const items = new Map<string, string>();
    if (value && known[value]) items.set(value, known[value]!);
    for (const c of result.data?.items ?? []) items.set(c.code, optionLabel(c));
    return [...items].map(([code, text]) => ({ value: code, label: text }));
  }, [result.data, value, known]);

  return (
    <Select
      label={label}
      placeholder={tp('communeSearch')}
      description={description}
      searchable
      clearable
      required={required}
      disabled={disabled}
      value={value}
      data={data}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={q.length >= 2 && !result.isFetching ? tp('communeNone') : undefined}
      onChange={(code, option) => {
        if (code && option) setKnown((k) => ({ ...k, [code]: option.label }));
        onChange(code);
      }}
      error={error}
      rightSectionPointerEvents={value ? 'all' : 'none'}
      renderOption={({ option }) => <Text size="sm">{option.label}</Text>}
    />
  );
}
