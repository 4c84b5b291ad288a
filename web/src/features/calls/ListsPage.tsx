import { Badge, SegmentedControl, Stack, Table, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useList } from './api';
import { CallsNav } from './CallsNav';
import { useFormat } from '../../lib/format';
import { useCallsLabel, useCallsT } from './i18n';

const KINDS = ['symptomatic', 'non-reporting', 'wrong-number'] as const;

/** The officers' lists: people with symptoms, people not reporting for days, wrong numbers for the tracers. */
export default function ListsPage() {
  const t = useCallsT();
  const label = useCallsLabel();
  const fmt = useFormat();
  const [params, setParams] = useSearchParams();
  const kind = (KINDS as readonly string[]).includes(params.get('kind') ?? '') ? params.get('kind')! : 'symptomatic';
  const [day, setDay] = useState(params.get('day') ?? '');
  const list = useList(kind, /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : undefined);
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('lists')}
      </Title>
      <CallsNav />
      <SegmentedControl data={KINDS.map((k) => ({ value: k, label: label('kinds', k) }))} value={kind} onChange={(k) => setParams({ kind: k })} />
      <TextInput label={t('day')} placeholder="YYYY-MM-DD" value={day} onChange={(e) => setDay(e.currentTarget.value)} w={160} />
      {list.isError && <ErrorAlert error={list.error} />}
      <DataTable testId="calls-list" minWidth={640} isEmpty={list.data?.items.length === 0} emptyText={t('empty')} columns={[t('person'), t('phone'), t('unit'), t('day'), t('details'), t('source')]}>
        {list.data?.items.map((x, i) => (
          <Table.Tr key={`${x.personId ?? x.phone}-${x.day}-${i}`}>
            <Table.Td fw={600}>{x.fullName}</Table.Td>
            <Table.Td>{x.phone}</Table.Td>
            <Table.Td>{x.unitCode}</Table.Td>
            <Table.Td>{fmt.day(x.day)}</Table.Td>
            <Table.Td>
              {Array.isArray(x.details.symptoms)
                ? (x.details.symptoms as string[]).map((s) => (
                    <Badge key={s} color="red" variant="light" mr={4}>
                      {label('symptoms', s)}
                    </Badge>
                  ))
                : Object.entries(x.details)
                    .map(([k, v]) => (k === 'days' ? t('detailDays', { n: Number(v) }) : k === 'lastDisposition' ? label('dispositions', String(v)) : `${k}: ${String(v)}`))
                    .join(', ')}
            </Table.Td>
            <Table.Td>{label('sources', x.source)}</Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </Stack>
  );
}
