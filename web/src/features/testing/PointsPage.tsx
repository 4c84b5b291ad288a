// Sampling points of the caller's area (/testing/points, testing.manage): the sites and teams the sampling page offers;
// add one (code, name, commune, team), rename it, change its team, close or reopen it (closed points leave the phones'
// lists; their samples stay).
import { Badge, Button, Card, Group, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, isApiError } from '../../lib/api';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { CommunePicker } from '../people/CommunePicker';
import type { PointList, SamplingPoint } from './api';
import { useTestingT } from './i18n';

function usePointMutation<A>(fn: (a: A) => Promise<SamplingPoint>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => void qc.invalidateQueries({ queryKey: ['testing'] }) });
}

function NewPoint() {
  const t = useTestingT();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [team, setTeam] = useState('');
  const [commune, setCommune] = useState<string | null>(null);
  const create = usePointMutation((b: { code: string; name: string; communeCode: string; team?: string }) => api.post<SamplingPoint>('/api/testing/points', b));
  const fields = create.isError && isApiError(create.error) ? create.error.fieldErrors() : {};
  return (
    <Card withBorder>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!commune) return;
          create.mutate({ code: code.trim(), name: name.trim(), communeCode: commune, team: team.trim() || undefined }, { onSuccess: () => (setCode(''), setName(''), setTeam('')) });
        }}
      >
        <Stack gap="sm">
          <Title order={3} size="h4">
            {t('points.add')}
          </Title>
          <Group align="start" grow wrap="wrap">
            <TextInput label={t('points.code')} placeholder="NA-VINH-01" value={code} onChange={(e) => setCode(e.currentTarget.value)} required error={fields.code} maxLength={40} />
            <TextInput label={t('points.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required error={fields.name} maxLength={200} />
          </Group>
          <Group align="start" grow wrap="wrap">
            <CommunePicker label={t('points.commune')} value={commune} onChange={setCommune} required error={fields.communeCode} />
            <TextInput label={t('points.team')} value={team} onChange={(e) => setTeam(e.currentTarget.value)} maxLength={200} />
          </Group>
          {create.isError && !Object.keys(fields).length && <ErrorAlert error={create.error} />}
          <Group>
            <Button type="submit" loading={create.isPending} disabled={!code.trim() || !name.trim() || !commune}>
              {t('points.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function PointRow({ p }: { p: SamplingPoint }) {
  const t = useTestingT();
  const [team, setTeam] = useState(p.team);
  const update = usePointMutation((b: { team?: string; active?: boolean }) => api.patch<SamplingPoint>(`/api/testing/points/${p.id}`, b));
  return (
    <Table.Tr data-testid="point-row">
      <Table.Td ff="monospace" fz="sm">
        {p.code}
      </Table.Td>
      <Table.Td fz="sm">{p.name}</Table.Td>
      <Table.Td fz="sm">{p.communeName}</Table.Td>
      <Table.Td>
        <TextInput
          size="xs"
          aria-label={t('points.team')}
          value={team}
          onChange={(e) => setTeam(e.currentTarget.value)}
          onBlur={() => team.trim() !== p.team && update.mutate({ team: team.trim() })}
          maxLength={200}
          error={update.isError ? true : undefined}
        />
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Switch checked={p.active} onChange={(e) => update.mutate({ active: e.currentTarget.checked })} disabled={update.isPending} aria-label={t('points.active')} />
          <Badge color={p.active ? 'teal' : 'gray'} variant="light">
            {p.active ? t('points.open') : t('points.closed')}
          </Badge>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

export default function PointsPage() {
  const t = useTestingT();
  const q = useQuery({
    queryKey: ['testing', 'points', 'all'],
    queryFn: ({ signal }) => api.get<PointList>('/api/testing/points', { includeInactive: true }, signal),
  });
  const items = q.data?.items ?? [];
  return (
    <Stack gap="md">
      <Card withBorder>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {t('points.intro')}
          </Text>
          {q.isError && <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />}
          <DataTable
            columns={[t('points.code'), t('points.name'), t('points.commune'), t('points.team'), t('points.active')]}
            minWidth={720}
            testId="points"
            emptyText={t('points.none')}
            isEmpty={!q.isPending && items.length === 0}
          >
            {items.map((p) => (
              <PointRow key={`${p.id}:${p.team}`} p={p} />
            ))}
          </DataTable>
        </Stack>
      </Card>
      <NewPoint />
    </Stack>
  );
}
