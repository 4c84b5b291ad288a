import { Alert, Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { useAuth } from '../../app/auth';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useCampaign, useDayCalls, useRunCampaign, type DayCounts } from './api';
import { useFormat } from '../../lib/format';
import { useCallsLabel, useCallsT, useScriptLabel } from './i18n';

const TILES: (keyof DayCounts & keyof ReturnType<typeof tileColors>)[] = ['planned', 'queued', 'ringing', 'answered', 'completed', 'symptomatic', 'failed', 'invalid', 'stopped'];
function tileColors() {
  return { planned: 'gray', queued: 'blue', ringing: 'yellow', answered: 'teal', completed: 'green', symptomatic: 'red', failed: 'orange', invalid: 'grape', stopped: 'red' };
}

/** A campaign's live dashboard: today's figures (refreshed every few seconds) and its calls. */
export default function CampaignPage() {
  const { id = '' } = useParams();
  const t = useCallsT();
  const label = useCallsLabel();
  const fmt = useFormat();
  const scriptLabel = useScriptLabel();
  const { can } = useAuth();
  const q = useCampaign(id);
  const calls = useDayCalls(id);
  const run = useRunCampaign(id);
  const colors = tileColors();
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/calls" size="sm">
        ← {t('back')}
      </Anchor>
      {q.isError && <ErrorAlert error={q.error} />}
      {q.data && (
        <>
          <Group justify="space-between">
            <Title order={1} size="h2">
              {q.data.campaign.name}
            </Title>
            <Badge size="lg" variant="light">
              {label('statuses', q.data.campaign.status)}
            </Badge>
          </Group>
          <Text c="dimmed" size="sm">
            <span data-testid="script-name">{scriptLabel({ name: q.data.campaign.scriptName, title: q.data.campaign.scriptTitle, language: q.data.campaign.scriptLanguage })}</span> · {label('audiences', q.data.campaign.audience)} · {q.data.campaign.windowStart}–{q.data.campaign.windowEnd} · {fmt.day(q.data.counts.day)}
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 4 }} data-testid="dashboard">
            {TILES.filter((k) => k !== 'stopped' || q.data.counts.stopped > 0).map((k) => (
              <Paper key={k} withBorder p="sm" data-testid={`tile-${k}`}>
                <Text size="xs" c="dimmed">
                  {t(`counts.${k}` as never)}
                </Text>
                <Text fw={700} size="xl" c={colors[k]}>
                  {q.data.counts[k]}
                </Text>
              </Paper>
            ))}
          </SimpleGrid>
          {can('calls.manage') && (
            <Group>
              <Button loading={run.isPending} onClick={() => run.mutate()}>
                {t('runToday')}
              </Button>
              {run.data && <Alert color="green" py={4}>{t('planned', { created: run.data.created, members: run.data.members })}</Alert>}
              {run.isError && <ErrorAlert error={run.error} />}
            </Group>
          )}
        </>
      )}
      <Title order={2} size="h4">
        {t('calls')}
      </Title>
      <DataTable testId="day-calls" minWidth={640} isEmpty={calls.data?.items.length === 0} emptyText={t('empty')} columns={[t('person'), t('phone'), t('status'), t('attempts'), t('lastResult')]}>
        {calls.data?.items.map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td>{c.fullName}</Table.Td>
            <Table.Td>{c.phone}</Table.Td>
            <Table.Td>
              <Badge color={c.symptomatic || c.status === 'failed' ? 'red' : c.status === 'completed' ? 'green' : 'gray'} variant="light">
                {label('statuses', c.status)}
              </Badge>
            </Table.Td>
            <Table.Td>{c.attempts}</Table.Td>
            <Table.Td>
              {c.failedReason ? (
                <Text size="sm" c="red" data-testid="failed-reason">
                  {t(`failedReasons.${c.failedReason}` as never)}
                </Text>
              ) : c.lastDisposition ? (
                `${label('dispositions', c.lastDisposition)}${c.lastSipCode ? ` (${c.lastSipCode})` : ''}`
              ) : (
                ''
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </Stack>
  );
}
