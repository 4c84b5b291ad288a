// The citizen's own test results (and their dependants') on their page (/me) and in the health book (one person): newest first, a pooled positive said
// plainly (an individual retest follows, not a diagnosis), an invalid result (a new sample is needed).
import { Alert, Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useMyResults, useTestTypeName } from './api';
import { useTestingT } from './i18n';
import { ResultBadge } from './ResultBadge';

/** `personId`: only that person's results (the health book shows one person of the household at a time). */
export function MyResultsCard({ personId }: { personId?: string } = {}) {
  const t = useTestingT();
  const fmt = useFormat();
  const typeName = useTestTypeName();
  const q = useMyResults();
  const people = (q.data?.people ?? []).filter((p) => p.items.length > 0 && (!personId || p.person.id === personId));
  const several = !personId && (q.data?.people.length ?? 0) > 1;
  return (
    <Card withBorder data-testid="my-test-results">
      <Title order={2} size="h4" mb="xs">
        {t('mine.title')}
      </Title>
      {q.isError && <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />}
      {q.data && people.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('mine.none')}
        </Text>
      )}
      <Stack gap="sm">
        {people.map((p) => (
          <Stack key={p.person.id} gap={6}>
            {several && <Text fw={600}>{p.person.fullName}</Text>}
            {p.items.map((r) => (
              <Stack key={r.sampleId} gap={2} py={4} style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }} data-testid="my-test">
                <Group justify="space-between" wrap="nowrap" gap="xs">
                  <Text size="sm" fw={500}>
                    {typeName(r.testType)}
                    {r.pooled && (
                      <Badge ml={6} size="xs" variant="outline" color="gray">
                        {t('mine.pooled')}
                      </Badge>
                    )}
                  </Text>
                  <ResultBadge result={r.outcome} />
                </Group>
                <Text size="xs" c="dimmed">
                  {[t('mine.collected', { at: fmt.dateTime(r.collectedAt) }), r.pointName, r.resultedAt ? t('mine.resulted', { at: fmt.dateTime(r.resultedAt) }) : null].filter(Boolean).join(' · ')}
                </Text>
                {r.openTask === 'retest' && (
                  <Alert color="orange" p={6} fz="sm">
                    {t('mine.retest')}
                  </Alert>
                )}
                {r.openTask === 'resample' && (
                  <Alert color="gray" p={6} fz="sm">
                    {t('mine.resample')}
                  </Alert>
                )}
              </Stack>
            ))}
          </Stack>
        ))}
      </Stack>
    </Card>
  );
}
