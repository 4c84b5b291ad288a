import { Stack, Table, Text, Title } from '@mantine/core';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useNotices } from './api';
import { useCasesT } from './i18n';
import './i18n';

/** /exposures: venues and time windows where a confirmed case was (venue operators: their own venues). */
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
          <Table.Tr key={n.id}>
            <Table.Td>
              {n.venueName}
              {n.entranceName && ` · ${n.entranceName}`}
              <Text size="xs" c="dimmed">
                {n.venueAddress}
              </Text>
            </Table.Td>
            <Table.Td>{fmt.dateTime(n.from)}</Table.Td>
            <Table.Td>{fmt.dateTime(n.to)}</Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </Stack>
  );
}
