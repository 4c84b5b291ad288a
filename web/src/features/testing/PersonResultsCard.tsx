// A person's test results on their record (/people/:id), for the roles that read testing data: newest first, with
// the tube, the outcome (a pooled positive is not a diagnosis) and the open retest or resampling task.
import { Card, Group, Table, Text, Title } from '@mantine/core';
import { isApiError } from '../../lib/api';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { usePersonResults, useTestTypeName } from './api';
import { useTestingT } from './i18n';
import { ResultBadge } from './ResultBadge';

export function PersonResultsCard({ personId }: { personId: string }) {
  const t = useTestingT();
  const fmt = useFormat();
  const typeName = useTestTypeName();
  const q = usePersonResults(personId);
  // outside the caller's area for testing data: the card is simply not shown
  if (q.isError && isApiError(q.error) && (q.error.status === 403 || q.error.status === 404)) return null;
  const items = q.data?.items ?? [];
  return (
    <Card withBorder data-testid="person-test-results">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">
          {t('mine.title')}
        </Title>
      </Group>
      {q.isError && <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />}
      <DataTable columns={[t('samples.collected'), t('samples.tube'), t('samples.type'), t('samples.site'), t('samples.result')]} minWidth={560} testId="person-tests" emptyText={t('mine.none')} isEmpty={!q.isPending && items.length === 0}>
        {items.map((r) => (
          <Table.Tr key={r.sampleId}>
            <Table.Td fz="sm">{fmt.dateTime(r.collectedAt)}</Table.Td>
            <Table.Td fz="sm" ff="monospace">
              {r.tubeCode}
              {r.pooled ? ` · ${t('mine.pooled')}` : ''}
            </Table.Td>
            <Table.Td fz="sm">{typeName(r.testType)}</Table.Td>
            <Table.Td fz="sm">{r.pointName ?? '—'}</Table.Td>
            <Table.Td>
              <ResultBadge result={r.outcome} />
              {r.openTask && (
                <Text size="xs" c="orange.8">
                  {r.openTask === 'retest' ? t('tabs.retests') : t('tabs.resamples')}
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </Card>
  );
}
