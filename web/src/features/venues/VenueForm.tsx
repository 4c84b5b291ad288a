// Registering a venue (/venues/new) and editing one: the fields, the commune picker, field errors from the server.
import { Anchor, Button, Card, Grid, Group, NumberInput, Select, Stack, TextInput, Textarea, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { AreaCommunes, CreateVenueBody, VenueDetail } from '../../../../server/src/modules/venues/schema';
import { api, isApiError } from '../../lib/api';
import { ErrorAlert } from '../../lib/errors';
import { isVenueType, VENUE_TYPES, useCreateVenue, useUpdateVenue, type VenueType } from './api';
import { useVenueTexts } from './texts';

/** The communes where this user may place a venue (their area; the server ranks them), searchable without accents. */
function CommuneSelect({ value, onChange, error, initialLabel }: { value: string; onChange(code: string): void; error?: string; initialLabel?: string }) {
  const { t } = useVenueTexts();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const [result, setResult] = useState<AreaCommunes>({ items: [], total: 0 });
  const [known, setKnown] = useState<Record<string, string>>(value && initialLabel ? { [value]: initialLabel } : {});
  useEffect(() => {
    let live = true;
    api
      .get<AreaCommunes>('/api/venues/communes', { q, limit: 20 })
      .then((r) => live && setResult(r))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [q]);
  const data = result.items.map((o) => ({ value: o.code, label: `${o.name} — ${o.district} (${o.code})` }));
  if (value && !data.some((d) => d.value === value)) data.unshift({ value, label: known[value] ?? value });
  return (
    <Select
      label={t('commune')}
      description={t('communeAreaHint', { n: result.total })}
      required
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      data={data}
      value={value || null}
      onChange={(v, option) => {
        if (v && option) setKnown((k) => ({ ...k, [v]: option.label }));
        onChange(v ?? '');
      }}
      error={error}
      data-testid="venue-commune"
    />
  );
}

type FormState = {
  name: string;
  type: VenueType;
  communeCode: string;
  address: string;
  contactName: string;
  contactPhone: string;
  defaultStayMinutes: number;
  validFrom: string;
  validUntil: string;
};

const toInput = (iso: string | null) => (iso ? new Date(new Date(iso).getTime() - new Date(iso).getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');

function useFieldErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const fromError = (e: unknown) => setErrors(isApiError(e) ? e.fieldErrors() : {});
  return { errors, fromError, clear: () => setErrors({}) };
}

function VenueFields({ f, set, errors, communeLabel }: { f: FormState; set: (p: Partial<FormState>) => void; errors: Record<string, string>; communeLabel?: string }) {
  const { t, label } = useVenueTexts();
  return (
    <Grid>
      <Grid.Col span={{ base: 12, sm: 8 }}>
        <TextInput label={t('name')} required value={f.name} onChange={(e) => set({ name: e.currentTarget.value })} error={errors.name} />
      </Grid.Col>
      <Grid.Col span={{ base: 12, sm: 4 }}>
        <Select label={t('type')} required data={VENUE_TYPES.map((s) => ({ value: s, label: label('types', s) }))} value={f.type} onChange={(v) => set({ type: v !== null && isVenueType(v) ? v : 'other' })} error={errors.type} />
      </Grid.Col>
      <Grid.Col span={{ base: 12, sm: 6 }}>
        <CommuneSelect value={f.communeCode} onChange={(communeCode) => set({ communeCode })} error={errors.communeCode} initialLabel={communeLabel} />
      </Grid.Col>
      <Grid.Col span={{ base: 12, sm: 6 }}>
        <TextInput label={t('address')} value={f.address} onChange={(e) => set({ address: e.currentTarget.value })} error={errors.address} />
      </Grid.Col>
      <Grid.Col span={{ base: 12, sm: 4 }}>
        <TextInput label={t('contactName')} value={f.contactName} onChange={(e) => set({ contactName: e.currentTarget.value })} error={errors.contactName} />
      </Grid.Col>
      <Grid.Col span={{ base: 12, sm: 4 }}>
        <TextInput label={t('contactPhone')} value={f.contactPhone} onChange={(e) => set({ contactPhone: e.currentTarget.value })} error={errors.contactPhone} />
      </Grid.Col>
      <Grid.Col span={{ base: 12, sm: 4 }}>
        <NumberInput label={t('defaultStay')} min={5} max={720} value={f.defaultStayMinutes} onChange={(v) => set({ defaultStayMinutes: Number(v) || 60 })} error={errors.defaultStayMinutes} />
      </Grid.Col>
      <Grid.Col span={{ base: 12, sm: 6 }}>
        <TextInput type="datetime-local" label={t('validFrom')} value={f.validFrom} onChange={(e) => set({ validFrom: e.currentTarget.value })} error={errors.validFrom} />
      </Grid.Col>
      <Grid.Col span={{ base: 12, sm: 6 }}>
        <TextInput type="datetime-local" label={t('validUntil')} value={f.validUntil} onChange={(e) => set({ validUntil: e.currentTarget.value })} error={errors.validUntil} />
      </Grid.Col>
    </Grid>
  );
}

const bodyOf = (f: FormState) => ({
  name: f.name.trim(),
  type: f.type,
  communeCode: f.communeCode,
  address: f.address.trim(),
  contactName: f.contactName.trim() || null,
  contactPhone: f.contactPhone.trim() || null,
  defaultStayMinutes: f.defaultStayMinutes,
  validFrom: f.validFrom ? new Date(f.validFrom).toISOString() : null,
  validUntil: f.validUntil ? new Date(f.validUntil).toISOString() : null,
});

export function VenueForm() {
  const { t } = useVenueTexts();
  const navigate = useNavigate();
  const create = useCreateVenue();
  const { errors, fromError } = useFieldErrors();
  const [entrances, setEntrances] = useState('');
  const [f, setF] = useState<FormState>({ name: '', type: 'restaurant', communeCode: '', address: '', contactName: '', contactPhone: '', defaultStayMinutes: 60, validFrom: '', validUntil: '' });
  const submit = async () => {
    try {
      const names = entrances.split('\n').map((s) => s.trim()).filter(Boolean);
      const d = await create.mutateAsync({ ...bodyOf(f), ...(names.length && { entrances: names.map((name) => ({ name })) }) } as CreateVenueBody);
      void navigate(`/venues/${d.venue.id}`);
    } catch (e) {
      fromError(e);
    }
  };
  return (
    <Stack maw={900}>
      <Anchor component={Link} to="/venues">
        {t('back')}
      </Anchor>
      <Title order={2}>{t('register')}</Title>
      <Card withBorder>
        <Stack>
          <VenueFields f={f} set={(p) => setF({ ...f, ...p })} errors={errors} />
          <Textarea label={t('entrances')} description={t('entrancesHelp')} autosize minRows={2} value={entrances} onChange={(e) => setEntrances(e.currentTarget.value)} />
          {create.error ? <ErrorAlert error={create.error} /> : null}
          <Group>
            <Button onClick={() => void submit()} loading={create.isPending}>
              {t('register')}
            </Button>
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}

export function EditVenue({ d, onDone }: { d: VenueDetail; onDone(): void }) {
  const { t } = useVenueTexts();
  const update = useUpdateVenue(d.venue.id);
  const { errors, fromError } = useFieldErrors();
  const v = d.venue;
  const [f, setF] = useState<FormState>({
    name: v.name,
    type: isVenueType(v.type) ? v.type : 'other',
    communeCode: v.commune.code,
    address: v.address,
    contactName: v.contactName ?? '',
    contactPhone: v.contactPhone ?? '',
    defaultStayMinutes: v.defaultStayMinutes,
    validFrom: toInput(v.validFrom),
    validUntil: toInput(v.validUntil),
  });
  return (
    <Card withBorder>
      <Stack>
        <VenueFields f={f} set={(p) => setF({ ...f, ...p })} errors={errors} communeLabel={v.commune.name} />
        {update.error ? <ErrorAlert error={update.error} /> : null}
        <Group>
          <Button
            loading={update.isPending}
            onClick={() =>
              void update
                .mutateAsync(bodyOf(f))
                .then(onDone)
                .catch(fromError)
            }
          >
            {t('save')}
          </Button>
          <Button variant="subtle" onClick={onDone}>
            {t('cancel')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
