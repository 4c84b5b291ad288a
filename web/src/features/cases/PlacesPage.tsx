import { Alert, Badge, Button, Card, Group, Modal, NumberInput, Progress, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useAuth } from '../../app/auth';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert, useErrorMessage } from '../../lib/errors';
import { useCamerasDown, usePlace, usePlaceMutations, usePlaces, type Camera, type ProbeReason } from './api';
import { useCasesT, useLabel } from './i18n';
import './i18n';

/** /places: quarantine and isolation places, occupancy per place and area, occupants, cameras (and those down). */
export default function PlacesPage() {
  const probeText = useProbeText();
  const tc = useCasesT();
  const label = useLabel();
  const { can } = useAuth();
  const places = usePlaces();
  const down = useCamerasDown();
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {tc('places.title')}
        </Title>
        {can('places.manage') && <Button onClick={() => setCreating(true)}>{tc('places.new')}</Button>}
      </Group>
      {places.isError && <ErrorAlert error={places.error} />}
      {!!down.data?.items.length && (
        <Alert color="red" title={tc('places.down')} data-testid="cameras-down">
          {down.data.items.map((c) => (
            <Text key={c.id} size="sm">
              {c.placeName} · {c.name} · {probeText(c)}
            </Text>
          ))}
        </Alert>
      )}
      <DataTable testId="places-table" minWidth={800} isEmpty={places.data?.items.length === 0} emptyText={tc('places.empty')} columns={[tc('places.name'), tc('fields.commune'), tc('places.capacity'), tc('places.occupied'), tc('places.cameras')]}>
        {places.data?.items.map((p) => (
          <Table.Tr key={p.id} style={{ cursor: 'pointer' }} onClick={() => setOpen(p.id)}>
            <Table.Td fw={600}>
              {p.name}
              <Text size="xs" c="dimmed">
                {label('places.kinds', p.kind)}
                {!p.active && (
                  <Badge ml={6} color="gray" size="xs">
                    {tc('places.closed')}
                  </Badge>
                )}
              </Text>
            </Table.Td>
            <Table.Td>{p.communeName}</Table.Td>
            <Table.Td>{p.capacity}</Table.Td>
            <Table.Td w={200}>
              <Text size="sm">
                {p.occupied} / {p.capacity}
              </Text>
              <Progress value={p.capacity ? (100 * p.occupied) / p.capacity : 0} color={p.occupied >= p.capacity ? 'red' : 'blue'} />
            </Table.Td>
            <Table.Td>
              {p.cameras}
              {p.camerasDown > 0 && (
                <Badge ml={6} color="red" size="xs">
                  {p.camerasDown}
                </Badge>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      {places.data && (
        <Card withBorder>
          <Text fw={600}>{tc('places.byArea')}</Text>
          {places.data.byArea.map((a) => (
            <Group key={a.code} gap="sm">
              <Text size="sm" w={200}>
                {a.name}
              </Text>
              <Text size="sm">
                {a.occupied} / {a.capacity}
              </Text>
            </Group>
          ))}
        </Card>
      )}
      <PlaceModal id={open} onClose={() => setOpen(null)} />
      <NewPlace opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}

function PlaceModal({ id, onClose }: { id: string | null; onClose(): void }) {
  const probeText = useProbeText();
  const tc = useCasesT();
  const { can } = useAuth();
  const errorText = useErrorMessage();
  const q = usePlace(id);
  const m = usePlaceMutations();
  const [cam, setCam] = useState({ name: '', streamUrl: '' });
  const [capacity, setCapacity] = useState<number | string>('');
  const place = q.data?.place;
  return (
    <Modal opened={!!id} onClose={onClose} title={place?.name} size="lg">
      {q.data && place && (
        <Stack>
          {can('places.manage') && (
            <Group align="flex-end">
              <NumberInput label={tc('places.capacity')} value={capacity === '' ? place.capacity : capacity} onChange={setCapacity} min={0} max={100000} w={160} />
              <Button variant="light" disabled={capacity === '' || Number(capacity) === place.capacity} loading={m.update.isPending} onClick={() => m.update.mutate({ id: place.id, capacity: Number(capacity) }, { onSuccess: () => setCapacity('') })}>
                {tc('places.saveCapacity')}
              </Button>
              <Button variant="outline" color={place.active ? 'red' : 'green'} onClick={() => m.update.mutate({ id: place.id, active: !place.active })}>
                {place.active ? tc('places.close') : tc('places.reopen')}
              </Button>
              {!place.active && <Badge color="gray">{tc('places.closed')}</Badge>}
            </Group>
          )}
          {m.update.isError && <Alert color="red">{errorText(m.update.error)}</Alert>}
          <Text fw={600}>{tc('places.occupants')}</Text>
          {q.data.occupants.map((o) => (
            <Group key={o.stayId} justify="space-between">
              <Text size="sm">
                {o.fullName} · {o.admittedOn} → {o.plannedDischargeOn ?? '—'}
              </Text>
              {can('cases.write') && (
                <Button size="xs" variant="light" onClick={() => m.discharge.mutate(o.stayId)}>
                  {tc('places.discharge')}
                </Button>
              )}
            </Group>
          ))}
          <Text fw={600}>{tc('places.cameras')}</Text>
          {q.data.cameras.map((c) => (
            <Text key={c.id} size="sm">
              {c.name} · {c.streamUrl} · {c.lastProbeOk === null ? '?' : c.lastProbeOk ? 'OK' : `✗ ${probeText(c)}`}
            </Text>
          ))}
          {can('places.manage') && (
            <Group align="flex-end">
              <TextInput label={tc('places.name')} value={cam.name} onChange={(e) => setCam({ ...cam, name: e.currentTarget.value })} />
              <TextInput label={tc('places.streamUrl')} value={cam.streamUrl} onChange={(e) => setCam({ ...cam, streamUrl: e.currentTarget.value })} />
              <Button onClick={() => id && m.camera.mutate({ placeId: id, ...cam }, { onSuccess: () => setCam({ name: '', streamUrl: '' }) })}>{tc('places.addCamera')}</Button>
            </Group>
          )}
          {m.camera.isError && <Alert color="red">{errorText(m.camera.error)}</Alert>}
        </Stack>
      )}
    </Modal>
  );
}

function NewPlace({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const tc = useCasesT();
  const label = useLabel();
  const errorText = useErrorMessage();
  const { create } = usePlaceMutations();
  const [f, setF] = useState({ name: '', kind: 'concentrated', communeCode: '', capacity: 100 as number | string });
  return (
    <Modal opened={opened} onClose={onClose} title={tc('places.new')}>
      <Stack>
        <TextInput label={tc('places.name')} value={f.name} onChange={(e) => setF({ ...f, name: e.currentTarget.value })} />
        <Select label={tc('fields.isolation')} value={f.kind} onChange={(v) => setF({ ...f, kind: v ?? 'concentrated' })} data={['concentrated', 'hotel', 'field_hospital', 'hospital', 'other'].map((v) => ({ value: v, label: label('places.kinds', v) }))} />
        <TextInput label={tc('fields.commune')} value={f.communeCode} onChange={(e) => setF({ ...f, communeCode: e.currentTarget.value })} />
        <NumberInput label={tc('places.capacity')} value={f.capacity} onChange={(v) => setF({ ...f, capacity: v })} min={0} />
        {create.isError && <Alert color="red">{errorText(create.error)}</Alert>}
        <Button onClick={() => create.mutate({ ...f, capacity: Number(f.capacity) }, { onSuccess: onClose })} loading={create.isPending}>
          {tc('save')}
        </Button>
      </Stack>
    </Modal>
  );
}

/** Why a camera is down, in the UI language: the probe stores a reason code and a detail (server cases/cameras.ts). */
function useProbeText() {
  const tc = useCasesT();
  return (c: Pick<Camera, 'lastProbeReason' | 'lastProbeDetail'>): string => {
    if (!c.lastProbeReason) return '';
    const text = tc(`places.probe.${c.lastProbeReason}`, { detail: c.lastProbeDetail ?? '' });
    return c.lastProbeDetail && !PROBE_DETAIL_IN_TEXT.has(c.lastProbeReason) ? `${text} (${c.lastProbeDetail})` : text;
  };
}

/** reasons whose text already says the detail (the others show it after the text, for the technician) */
const PROBE_DETAIL_IN_TEXT = new Set<ProbeReason>(['timeout', 'http', 'blocked', 'scheme']);
