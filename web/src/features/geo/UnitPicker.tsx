import { Select } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { api } from '../../lib/api';
import { levelLabel, useUnitName } from '../../lib/labels';
import type { Page } from '../../lib/types';
import { useGeoUnit, type Unit } from './api';

/**
 * An administrative unit by name, inside the user's jurisdiction: the jurisdiction and its units below at first,
 * any unit inside it by typing (name or code). The value is the unit's code; it is shown by name, never as a code.
 */
export function UnitPicker(props: { label: string; value: string | null; onChange(code: string | null): void; clearable?: boolean; w?: number | string; testId?: string; level?: string }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const name = useUnitName();
  const [search, setSearch] = useState('');
  const root = user.jurisdiction.code;
  const current = useGeoUnit(props.value ?? undefined);
  const labelOf = (u: Unit) => `${name(u)} · ${levelLabel(t, u.level)}`;
  // once a unit is picked the box shows its label: that is not a search
  const text = current.data && search === labelOf(current.data.unit) ? '' : search.trim();
  const list = useQuery({
    queryKey: ['geo', 'picker', root, text],
    queryFn: ({ signal }) => (text.length >= 2 ? api.get<Page<Unit>>('/api/geo/units', { q: text, limit: 30 }, signal) : api.get<Page<Unit>>('/api/geo/units', { parent: root, limit: 100 }, signal)),
    staleTime: 60_000,
  });
  const own = useGeoUnit(root);
  const units = new Map<string, Unit>();
  if (own.data && text.length < 2) units.set(own.data.unit.code, own.data.unit);
  for (const u of list.data?.items ?? []) if (!props.level || u.level === props.level) units.set(u.code, u);
  if (current.data && props.value) units.set(current.data.unit.code, current.data.unit);
  const data = [...units.values()].map((u) => ({ value: u.code, label: labelOf(u) }));
  return (
    <Select
      label={props.label}
      data-testid={props.testId}
      searchable
      clearable={props.clearable}
      value={props.value}
      onChange={(v) => props.onChange(v)}
      searchValue={search}
      onSearchChange={setSearch}
      data={data}
      filter={({ options }) => options}
      nothingFoundMessage={t('geo.noUnits')}
      w={props.w ?? 260}
    />
  );
}
