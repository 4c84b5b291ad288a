import { Badge, Stack, Table, Text, Title } from '@mantine/core';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useNotices } from './api';
import { useCasesT } from './i18n';
import './i18n';

/** /exposures: venues and time windows where a confirmed case was, or its F1s in a crowd (level 2; venue operators: their own venues). */
export default function ExposuresPage() {
  const tc = useCasesT();
  const fmt = useFormat();
  const q = useNotices();
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {tc('notices.title')}
      </Title>
      <Text c="dimmed" size="sm">
        {tc('notices.explain')}
      </Text>
      {q.isError && <ErrorAlert error={q.error} />}
      <DataTable testId="notices-table" minWidth={600} isEmpty={q.data?.items.length === 0} emptyText={tc('notices.empty')} columns={[tc('notices.venue'), tc('notices.from'), tc('notices.to')]}>
        {q.data?.items.map((n) => (
          <Table.Tr key={n.id} data-level={n.level}>
            <Table.Td>
              {n.venueName}
              {n.entranceName && ` · ${n.entranceName}`}
              <Text size="xs" c="dimmed">
                {n.venueAddress}
              </Text>
              {/* level 1: a case was there (its F1s are listed); level 2: the case's F1s were there in a crowd, the
                  people there are asked to watch their health, not listed as F2 one by one */}
              <Badge mt={4} color={n.level === 2 ? 'orange' : 'red'} variant={n.level === 2 ? 'light' : 'filled'} data-testid="notice-level">
                {n.level === 2 ? tc('notices.level2') : tc('notices.level1')}
              </Badge>
              {n.level === 2 && (
                <Text size="xs" c="dimmed" mt={4} maw={280} data-testid="notice-level-explain">
                  {tc('notices.level2Explain', { people: n.peopleCount ?? 0, sources: n.sourcesCount ?? 0 })}
                </Text>
              )}
            </Table.Td>
            <Table.Td>{fmt.dateTime(n.from)}</Table.Td>
            <Table.Td>{fmt.dateTime(n.to)}</Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </Stack>
  );
}
