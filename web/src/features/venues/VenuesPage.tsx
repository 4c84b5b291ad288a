// Venues: list (jurisdiction-scoped, or own venues for operators), register, bulk import, and one venue's page
// (details, approve/suspend, entrances with QR and posters, operators, check-ins).
//   /venues            list        /venues/new     register        /venues/import   Excel/CSV import
//   /venues/:id        details
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  FileInput,
  Grid,
  Group,
  NumberInput,
  Pagination,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { CommuneOption, CreateVenueBody, ImportResult, VenueDetail } from '../../../../server/src/modules/venues/schema';
import { api, isApiError } from '../../lib/api';
import { useAuth } from '../../app/auth';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { CheckinsPanel } from './CheckinsPanel';
import {
  PAGE_SIZE,
  uploadFile,
  isVenueType,
  VENUE_STATUSES,
  VENUE_TYPES,
  useAddEntrance,
  useAddOperator,
  useCreateVenue,
  useRemoveOperator,
  useSetStatus,
  useUpdateEntrance,
  useUpdateVenue,
  useVenue,
  useVenues,
  type VenueStatus,
  type VenueType,
} from './api';
import { useVenueTexts } from './texts';

const statusColor: Record<string, string> = { pending: 'yellow', approved: 'green', suspended: 'red' };

export default function VenuesPage() {
  const splat = useParams()['*'] ?? '';
  const first = splat.split('/')[0] ?? '';
  if (first === 'new') return <VenueForm />;
  if (first === 'import') return <ImportVenues />;
  if (first) return <VenueView key={first} id={first} />;
  return <VenueList />;
}

function StatusBadge({ status }: { status: string }) {
  const { label } = useVenueTexts();
  return (
    <Badge color={statusColor[status] ?? 'gray'} variant="light">
      {label('statuses', status)}
    </Badge>
  );
}

function VenueList() {
  const { t, label } = useVenueTexts();
  const { can } = useAuth();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [status, setStatus] = useState<VenueStatus | null>(null);
  const [type, setType] = useState<VenueType | null>(null);
  const [page, setPage] = useState(1);
  const list = useVenues({ q, status, type, page });
  const mayRegister = can('venues.manage') || can('venues.own');
  useEffect(() => setPage(1), [q, status, type]);
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>{t('venues')}</Title>
        {mayRegister && (
          <Group gap="xs">
            <Button component={Link} to="/venues/new">
              {t('register')}
            </Button>
            <Button component={Link} to="/venues/import" variant="light">
              {t('importExcel')}
            </Button>
          </Group>
        )}
      </Group>
      <Group wrap="wrap">
        <TextInput placeholder={t('search')} value={search} onChange={(e) => setSearch(e.currentTarget.value)} style={{ flex: 1, minWidth: 220 }} />
        <Select
          placeholder={t('allStatuses')}
          clearable
          value={status}
          onChange={(v) => setStatus(VENUE_STATUSES.find((s) => s === v) ?? null)}
          data={VENUE_STATUSES.map((s) => ({ value: s, label: label('statuses', s) }))}
          w={170}
        />
        <Select placeholder={t('allTypes')} clearable value={type} onChange={(v) => setType(v !== null && isVenueType(v) ? v : null)} data={VENUE_TYPES.map((s) => ({ value: s, label: label('types', s) }))} w={190} />
      </Group>
      {list.error ? <ErrorAlert error={list.error} onRetry={() => void list.refetch()} /> : null}
      {list.data && (
        <>
          <Text size="sm" c="dimmed">
            {t('total', { n: list.data.total })}
          </Text>
          <Table.ScrollContainer minWidth={640}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('code')}</Table.Th>
                  <Table.Th>{t('name')}</Table.Th>
                  <Table.Th>{t('type')}</Table.Th>
                  <Table.Th>{t('commune')}</Table.Th>
                  <Table.Th>{t('status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.map((v) => (
                  <Table.Tr key={v.id}>
                    <Table.Td>{v.code}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/venues/${v.id}`}>
                        {v.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{label('types', v.type)}</Table.Td>
                    <Table.Td>{v.commune.name}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={v.status} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {list.data.total > PAGE_SIZE && <Pagination total={Math.ceil(list.data.total / PAGE_SIZE)} value={page} onChange={setPage} />}
        </>
      )}
    </Stack>
  );
}

function CommuneSelect({ value, onChange, error }: { value: string; onChange(code: string): void; error?: string }) {
  const { t } = useVenueTexts();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const [options, setOptions] = useState<CommuneOption[]>([]);
  useEffect(() => {
    let live = true;
    api
      .get<{ items: CommuneOption[] }>('/api/checkin/communes', { q, limit: 20 })
      .then((r) => live && setOptions(r.items))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [q]);
  const data = options.map((o) => ({ value: o.code, label: `${o.name} — ${o.district}, ${o.province} (${o.code})` }));
  if (value && !data.some((d) => d.value === value)) data.unshift({ value, label: value });
  return (
    <Select
      label={t('commune')}
      required
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      data={data}
      value={value || null}
      onChange={(v) => onChange(v ?? '')}
      error={error}
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

function VenueFields({ f, set, errors }: { f: FormState; set: (p: Partial<FormState>) => void; errors: Record<string, string> }) {
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
        <CommuneSelect value={f.communeCode} onChange={(communeCode) => set({ communeCode })} error={errors.communeCode} />
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

function VenueForm() {
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
          <Textarea label={t('entrances')} description="Mỗi dòng một lối vào/phòng · one per line" autosize minRows={2} value={entrances} onChange={(e) => setEntrances(e.currentTarget.value)} />
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

function ImportResultView({ r }: { r: ImportResult }) {
  const { t } = useVenueTexts();
  return (
    <Stack gap="xs">
      <Alert color={r.errors.length ? 'yellow' : 'green'}>{t('imported', { imported: r.imported, total: r.total, duplicates: r.duplicates, errors: r.errors.length })}</Alert>
      {r.errors.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('line')}</Table.Th>
              <Table.Th>{t('column')}</Table.Th>
              <Table.Th>{t('message')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {r.errors.map((e, i) => (
              <Table.Tr key={i}>
                <Table.Td>{e.line}</Table.Td>
                <Table.Td>{e.path}</Table.Td>
                <Table.Td>{e.message}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function ImportVenues() {
  const { t } = useVenueTexts();
  const { can } = useAuth();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [checkinFile, setCheckinFile] = useState<File | null>(null);
  const [checkinResult, setCheckinResult] = useState<ImportResult | null>(null);
  const run = async (url: string, f: File, done: (r: ImportResult) => void) => {
    setBusy(true);
    setError(null);
    try {
      done(await uploadFile(url, f));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack maw={900}>
      <Anchor component={Link} to="/venues">
        {t('back')}
      </Anchor>
      <Title order={2}>{t('importExcel')}</Title>
      <Card withBorder>
        <Stack>
          <Text size="sm">code, name, type, commune_code, address, default_stay_minutes</Text>
          <Group>
            <Button component="a" href="/api/venues/template.xlsx" download variant="light">
              {t('template')}
            </Button>
          </Group>
          <FileInput label={t('chooseFile')} accept=".xlsx,.csv" value={file} onChange={setFile} clearable />
          <Group>
            <Button disabled={!file} loading={busy} onClick={() => file && void run('/api/venues/import', file, setResult)}>
              {t('importExcel')}
            </Button>
          </Group>
          {result && <ImportResultView r={result} />}
        </Stack>
      </Card>
      {can('checkins.import') && (
        <Card withBorder>
          <Stack>
            <Title order={4}>{t('checkins')} — CSV</Title>
            <Text size="sm">person_national_id, person_phone, person_name, venue_code, checkin_at, checkout_at</Text>
            <FileInput label={t('chooseFile')} accept=".xlsx,.csv" value={checkinFile} onChange={setCheckinFile} clearable />
            <Group>
              <Button disabled={!checkinFile} loading={busy} onClick={() => checkinFile && void run('/api/checkins/import', checkinFile, setCheckinResult)}>
                {t('importExcel')}
              </Button>
            </Group>
            {checkinResult && <ImportResultView r={checkinResult} />}
          </Stack>
        </Card>
      )}
      {error ? <ErrorAlert error={error} /> : null}
    </Stack>
  );
}

function VenueView({ id }: { id: string }) {
  const { t, label } = useVenueTexts();
  const fmt = useFormat();
  const venue = useVenue(id);
  const [editing, setEditing] = useState(false);
  if (venue.error) return <ErrorAlert error={venue.error} onRetry={() => void venue.refetch()} />;
  if (!venue.data) return <Text c="dimmed">…</Text>;
  const d = venue.data;
  const v = d.venue;
  return (
    <Stack>
      <Anchor component={Link} to="/venues">
        {t('back')}
      </Anchor>
      <Group justify="space-between" wrap="wrap">
        <Stack gap={0}>
          <Title order={2}>{v.name}</Title>
          <Text c="dimmed">
            {v.code} · {label('types', v.type)} · {[v.address, v.commune.name].filter(Boolean).join(', ')}
          </Text>
        </Stack>
        <Group>
          <StatusBadge status={v.status} />
          {d.can.edit && !editing && (
            <Button variant="light" onClick={() => setEditing(true)}>
              {t('edit')}
            </Button>
          )}
        </Group>
      </Group>
      {v.statusReason && <Alert color={v.status === 'suspended' ? 'red' : 'yellow'}>{v.statusReason}</Alert>}
      {editing ? (
        <EditVenue d={d} onDone={() => setEditing(false)} />
      ) : (
        <Card withBorder>
          <Grid>
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <Text size="sm" c="dimmed">{t('contactName')}</Text>
              <Text>{v.contactName ?? '—'} {v.contactPhone ? `· ${v.contactPhone}` : ''}</Text>
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <Text size="sm" c="dimmed">{t('defaultStay')}</Text>
              <Text>{v.defaultStayMinutes}</Text>
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <Text size="sm" c="dimmed">{t('validUntil')}</Text>
              <Text>{v.validUntil ? fmt.dateTime(v.validUntil) : '—'}</Text>
            </Grid.Col>
          </Grid>
        </Card>
      )}
      {d.can.approve && <StatusActions d={d} />}
      <Entrances d={d} />
      {d.can.manageOperators && <Operators d={d} />}
      {d.can.readCheckins && <CheckinsPanel venueId={v.id} title={t('venueCheckins')} />}
    </Stack>
  );
}

function EditVenue({ d, onDone }: { d: VenueDetail; onDone(): void }) {
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
        <VenueFields f={f} set={(p) => setF({ ...f, ...p })} errors={errors} />
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

function StatusActions({ d }: { d: VenueDetail }) {
  const { t } = useVenueTexts();
  const setStatus = useSetStatus(d.venue.id);
  const [reason, setReason] = useState('');
  return (
    <Card withBorder>
      <Group align="end" wrap="wrap">
        {d.venue.status !== 'approved' && (
          <Button color="green" loading={setStatus.isPending} onClick={() => setStatus.mutate({ status: 'approved', reason: reason.trim() || undefined })}>
            {t('approve')}
          </Button>
        )}
        {d.venue.status !== 'suspended' && (
          <>
            <TextInput label={t('reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} style={{ flex: 1, minWidth: 200 }} />
            <Button color="red" variant="light" disabled={!reason.trim()} loading={setStatus.isPending} onClick={() => setStatus.mutate({ status: 'suspended', reason: reason.trim() })}>
              {t('suspend')}
            </Button>
          </>
        )}
      </Group>
      {setStatus.error ? <ErrorAlert error={setStatus.error} /> : null}
    </Card>
  );
}

function Entrances({ d }: { d: VenueDetail }) {
  const { t } = useVenueTexts();
  const add = useAddEntrance(d.venue.id);
  const update = useUpdateEntrance(d.venue.id);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'entrance' | 'room'>('entrance');
  const base = `/api/venues/${d.venue.id}`;
  return (
    <Card withBorder>
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={4}>{t('entrances')}</Title>
        <Group gap="xs">
          <Button size="xs" variant="light" component="a" href={`${base}/posters.pdf`} download>
            {t('postersPdf')}
          </Button>
          <Button size="xs" variant="light" component="a" href={`${base}/posters.zip`} download>
            {t('postersZip')}
          </Button>
        </Group>
      </Group>
      <Table.ScrollContainer minWidth={560}>
        <Table>
          <Table.Tbody>
            {d.entrances.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>
                  {e.name} <Text span size="xs" c="dimmed">({e.kind === 'room' ? t('room') : t('entrance')})</Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={e.active ? 'green' : 'gray'}>
                    {e.active ? t('active') : t('closed')}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="end">
                    <Button size="xs" variant="subtle" component="a" href={`${base}/entrances/${e.id}/poster.pdf`} download>
                      {t('poster')}
                    </Button>
                    <Button size="xs" variant="subtle" component="a" href={e.checkinUrl} target="_blank" rel="noreferrer">
                      {t('openLink')}
                    </Button>
                    {d.can.edit && (
                      <Button size="xs" variant="subtle" color={e.active ? 'red' : 'green'} onClick={() => update.mutate({ entranceId: e.id, active: !e.active })}>
                        {e.active ? t('close') : t('reopen')}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {d.can.edit && (
        <Group mt="sm" align="end" wrap="wrap">
          <TextInput label={t('addEntrance')} value={name} onChange={(e) => setName(e.currentTarget.value)} style={{ flex: 1, minWidth: 200 }} />
          <Select w={140} value={kind} onChange={(v) => setKind(v === 'room' ? 'room' : 'entrance')} data={[{ value: 'entrance', label: t('entrance') }, { value: 'room', label: t('room') }]} />
          <Button disabled={!name.trim()} loading={add.isPending} onClick={() => add.mutate({ name: name.trim(), kind }, { onSuccess: () => setName('') })}>
            +
          </Button>
        </Group>
      )}
      {add.error ? <ErrorAlert error={add.error} /> : null}
    </Card>
  );
}

function Operators({ d }: { d: VenueDetail }) {
  const { t } = useVenueTexts();
  const add = useAddOperator(d.venue.id);
  const remove = useRemoveOperator(d.venue.id);
  const [username, setUsername] = useState('');
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        {t('operators')}
      </Title>
      {d.operators.length === 0 && <Text c="dimmed">{t('none')}</Text>}
      {d.operators.map((o) => (
        <Group key={o.id} justify="space-between">
          <Text>
            {o.displayName} <Text span c="dimmed">@{o.username}</Text>
          </Text>
          <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(o.id)}>
            {t('remove')}
          </Button>
        </Group>
      ))}
      <Group mt="sm" align="end">
        <TextInput label={t('addOperator')} value={username} onChange={(e) => setUsername(e.currentTarget.value)} />
        <Button disabled={!username.trim()} loading={add.isPending} onClick={() => add.mutate(username.trim(), { onSuccess: () => setUsername('') })}>
          +
        </Button>
      </Group>
      {add.error ? <ErrorAlert error={add.error} /> : null}
    </Card>
  );
}
