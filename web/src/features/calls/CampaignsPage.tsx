import { Anchor, Badge, Button, Group, Paper, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { useAuth } from '../../app/auth';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useCampaigns, useCreateCampaign, useScripts } from './api';
import { CallsNav } from './CallsNav';
import { useCallsLabel, useCallsT, useScriptLabel } from './i18n';

function CreateCampaign() {
  const t = useCallsT();
  const scriptLabel = useScriptLabel();
  const label = useCallsLabel();
  const { user } = useAuth();
  const scripts = useScripts();
  const create = useCreateCampaign();
  const [name, setName] = useState('');
  const [unitCode, setUnit] = useState(user.jurisdiction.code);
  const [scriptId, setScript] = useState<string | null>(null);
  const [audience, setAudience] = useState<'monitoring' | 'list'>('monitoring');
  const [windowStart, setStart] = useState('08:00');
  const [windowEnd, setEnd] = useState('17:00');
  return (
    <Paper withBorder p="md" data-testid="new-campaign">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('newCampaign')}
        </Title>
        <Group grow align="flex-end">
          <TextInput label={t('name')} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <TextInput label={t('unit')} value={unitCode} onChange={(e) => setUnit(e.currentTarget.value)} />
          <Select label={t('script')} data={(scripts.data?.items ?? []).map((s) => ({ value: s.id, label: scriptLabel({ name: s.name, title: s.script.title, language: s.language }) }))} value={scriptId} onChange={setScript} />
        </Group>
        <Group grow align="flex-end">
          <Select label={t('audience')} data={(['monitoring', 'list'] as const).map((a) => ({ value: a, label: label('audiences', a) }))} value={audience} onChange={(v) => setAudience((v as 'monitoring' | 'list') ?? 'monitoring')} />
          <TextInput label={`${t('window')} (08:00)`} value={windowStart} onChange={(e) => setStart(e.currentTarget.value)} />
          <TextInput label={`${t('window')} (17:00)`} value={windowEnd} onChange={(e) => setEnd(e.currentTarget.value)} />
        </Group>
        {create.isError && <ErrorAlert error={create.error} />}
        <Group>
          <Button disabled={!name || !scriptId} loading={create.isPending} onClick={() => create.mutate({ name, unitCode, scriptId: scriptId!, audience, windowStart, windowEnd })}>
            {t('create')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

export default function CampaignsPage() {
  const t = useCallsT();
  const scriptLabel = useScriptLabel();
  const label = useCallsLabel();
  const { can } = useAuth();
  const list = useCampaigns();
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('title')}
      </Title>
      <CallsNav />
      {list.isError && <ErrorAlert error={list.error} />}
      <DataTable testId="campaigns-table" minWidth={720} isEmpty={list.data?.items.length === 0} emptyText={t('empty')} columns={[t('name'), t('unit'), t('script'), t('audience'), t('window'), t('members'), t('status')]}>
        {list.data?.items.map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td fw={600}>
              <Anchor component={Link} to={`/calls/${c.id}`}>
                {c.name}
              </Anchor>
            </Table.Td>
            <Table.Td>{c.unitCode}</Table.Td>
            <Table.Td>{scriptLabel({ name: c.scriptName, title: c.scriptTitle, language: c.scriptLanguage })}</Table.Td>
            <Table.Td>{label('audiences', c.audience)}</Table.Td>
            <Table.Td>
              {c.windowStart}–{c.windowEnd}
            </Table.Td>
            <Table.Td>{c.members}</Table.Td>
            <Table.Td>
              <Badge variant="light">{label('statuses', c.status)}</Badge>
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      {can('calls.manage') && <CreateCampaign />}
    </Stack>
  );
}
