// One venue (/venues/:id): details, approve/suspend, entrances with QR and posters, operators, check-ins.
import { Alert, Anchor, Badge, Button, Card, Grid, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { VenueDetail } from '../../../../server/src/modules/venues/schema';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { CheckinsPanel } from './CheckinsPanel';
import { useAddEntrance, useAddOperator, useRemoveOperator, useSetStatus, useUpdateEntrance, useVenue } from './api';
import { useVenueTexts } from './texts';
import { StatusBadge } from './StatusBadge';
import { EditVenue } from './VenueForm';

export function VenueView({ id }: { id: string }) {
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
      {d.qrAddress.loopback && (
        <Alert color="red" variant="light" title={t('qrLoopbackTitle')} mb="sm" data-testid="qr-loopback">
          {t('qrLoopback', { base: d.qrAddress.base })} {t('posterTestOnly')}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={560}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('entrance')}</Table.Th>
              <Table.Th>{t('shortCode')}</Table.Th>
              <Table.Th>{t('status')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {d.entrances.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>
                  {e.name} <Text span size="xs" c="dimmed">({e.kind === 'room' ? t('room') : t('entrance')})</Text>
                </Table.Td>
                <Table.Td>
                  <Text span ff="monospace" fw={600} title={e.shortUrl} data-testid="short-code">
                    {e.shortCode}
                  </Text>
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
