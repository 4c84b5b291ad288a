import { Anchor, Button, Stack, Table, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useClusterGraph, useClusters } from './api';
import { TransmissionGraph } from './charts';
import { useCasesT } from './i18n';

export default function ClustersPage() {
  const tc = useCasesT();
  const fmt = useFormat();
  const list = useClusters();
  const [shown, setShown] = useState<string | null>(null);
  const graph = useClusterGraph(shown);
  return (
    <Stack gap="md">
      <Anchor component={Link} to=".." relative="path" size="sm">
        ← {tc('back')}
      </Anchor>
      <Title order={1} size="h2">
        {tc('clusters.title')}
      </Title>
      {list.isError && <ErrorAlert error={list.error} />}
      <DataTable testId="clusters-table" minWidth={700} isEmpty={list.data?.items.length === 0} emptyText={tc('clusters.empty')} columns={[tc('clusters.first'), tc('clusters.size'), tc('clusters.last7'), tc('clusters.previous7'), tc('clusters.last'), '']}>
        {list.data?.items.map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td fw={600}>
              <Anchor component={Link} to={`../${c.id}`} relative="path">
                {c.label}
              </Anchor>
            </Table.Td>
            <Table.Td>{c.size}</Table.Td>
            <Table.Td>{c.last7}</Table.Td>
            <Table.Td>{c.previous7}</Table.Td>
            <Table.Td>{fmt.dateTime(c.lastConfirmed)}</Table.Td>
            <Table.Td>
              <Button size="xs" variant="light" onClick={() => setShown(c.id)}>
                {tc('clusters.show')}
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      {graph.data && <TransmissionGraph graph={graph.data} />}
    </Stack>
  );
}
