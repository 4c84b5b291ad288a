import { Anchor, Box, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useDashboard } from './api';
import { useDeclT } from './i18n';
import { SubPageHeader } from './SubPageHeader';

function Bar({ parts, max }: { parts: { value: number; color: string; label: string }[]; max: number }) {
  return (
    <Group gap={0} wrap="nowrap" h={12} w="100%" style={{ background: 'var(--mantine-color-gray-1)', borderRadius: 3, overflow: 'hidden' }}>
      {parts.map((p) => (
        <Tooltip key={p.label} label={`${p.label}: ${p.value}`} withinPortal>
          <Box h={12} w={`${max ? (100 * p.value) / max : 0}%`} bg={p.color} />
        </Tooltip>
      ))}
    </Group>
  );
}

interface Counts {
  declarations: number;
  flagged: number;
  open: number;
}

/** Declarations, flagged and still-open counts per row (a day or a unit), with a bar scaled to the largest row. */
function CountsTable({ title, labelHeader, rows }: { title: string; labelHeader: string; rows: { key: string; label: ReactNode; counts: Counts }[] }) {
  const td = useDeclT();
  const fmt = useFormat();
  const max = Math.max(1, ...rows.map((r) => r.counts.declarations));
  const bars = (x: Counts) => [
    { value: x.open, color: 'red.6', label: td('dashboard.open') },
    { value: x.flagged - x.open, color: 'orange.3', label: td('dashboard.cleared') },
    { value: x.declarations - x.flagged, color: 'teal.3', label: td('statuses.none') },
  ];
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        {title}
      </Title>
      <Table verticalSpacing={2}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{labelHeader}</Table.Th>
            <Table.Th ta="right">{td('dashboard.total')}</Table.Th>
            <Table.Th ta="right">{td('dashboard.flagged')}</Table.Th>
            <Table.Th ta="right">{td('dashboard.open')}</Table.Th>
            <Table.Th w="35%" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(({ key, label, counts: x }) => (
            <Table.Tr key={key}>
              <Table.Td fz="sm">{label}</Table.Td>
              <Table.Td ta="right">{fmt.number(x.declarations)}</Table.Td>
              <Table.Td ta="right">{fmt.number(x.flagged)}</Table.Td>
              <Table.Td ta="right" c={x.open ? 'red.7' : undefined}>
                {fmt.number(x.open)}
              </Table.Td>
              <Table.Td>
                <Bar parts={bars(x)} max={max} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

export default function DashboardPage() {
  const td = useDeclT();
  const fmt = useFormat();
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  const [unit, setUnit] = useState<string | null>(null);
  const q = useDashboard(from, to, unit);
  const d = q.data;

  return (
    <Stack gap="md">
      <SubPageHeader title={`${td('dashboard.title')}${d ? ` — ${d.root.name}` : ''}`} />
      <Group gap="sm" align="flex-end">
        <TextInput type="date" label={td('worklist.from')} value={from ?? d?.from ?? ''} onChange={(e) => setFrom(e.currentTarget.value || null)} w={160} />
        <TextInput type="date" label={td('worklist.to')} value={to ?? d?.to ?? ''} onChange={(e) => setTo(e.currentTarget.value || null)} w={160} />
        <TextInput label={td('worklist.unit')} placeholder="40 / 412" value={unit ?? ''} onChange={(e) => setUnit(e.currentTarget.value.trim() || null)} w={150} />
      </Group>
      {q.isError && <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />}
      {d && (
        <>
          <Text fw={500} data-testid="dashboard-summary">
            {td('dashboard.summary', { total: fmt.number(d.totals.declarations), flagged: fmt.number(d.totals.flagged), open: fmt.number(d.totals.open) })}
          </Text>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <CountsTable
              title={td('dashboard.byDay')}
              labelHeader={td('dashboard.day')}
              rows={[...d.byDay].reverse().map((x) => ({ key: x.day, label: <span style={{ whiteSpace: 'nowrap' }}>{x.day}</span>, counts: x }))}
            />
            <CountsTable
              title={td('dashboard.byUnit')}
              labelHeader={td('worklist.unit')}
              rows={d.byUnit.map((x) => ({
                key: x.unit.code,
                label: (
                  <Anchor component="button" type="button" size="sm" onClick={() => setUnit(x.unit.code)}>
                    {x.unit.name}
                  </Anchor>
                ),
                counts: x,
              }))}
            />
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
