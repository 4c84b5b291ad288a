import { Button, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useAuth } from '../../app/auth';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useReport, type Report } from './api';
import { CallsNav } from './CallsNav';
import { useCallsT } from './i18n';

const FIGURES: (keyof Report)[] = ['planned', 'callsMade', 'reached', 'symptomatic', 'nonReporting', 'wrongNumbers', 'smsLinks', 'manualCalls'];

/** The daily report per jurisdiction: figures, per unit, Excel and PDF. */
export default function ReportPage() {
  const t = useCallsT();
  const fmt = useFormat();
  const { user } = useAuth();
  const [params] = useSearchParams();
  const [unit, setUnit] = useState(params.get('unit') ?? user.jurisdiction.code);
  const [day, setDay] = useState(params.get('day') ?? '');
  const validDay = /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : undefined;
  const r = useReport(unit || undefined, validDay);
  const qs = new URLSearchParams({ unit, ...(validDay ? { day: validDay } : {}) }).toString();
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('report')}
        {r.data ? ` — ${r.data.unitName}, ${fmt.day(r.data.day)}` : ''}
      </Title>
      <CallsNav />
      <Group align="flex-end">
        <TextInput label={t('unit')} value={unit} onChange={(e) => setUnit(e.currentTarget.value)} w={140} />
        <TextInput label={t('day')} placeholder="YYYY-MM-DD" value={day} onChange={(e) => setDay(e.currentTarget.value)} w={160} />
        <Button component="a" href={`/api/calls/report.xlsx?${qs}`} variant="default">
          {t('downloadXlsx')}
        </Button>
        <Button component="a" href={`/api/calls/report.pdf?${qs}`} variant="default">
          {t('downloadPdf')}
        </Button>
      </Group>
      {r.isError && <ErrorAlert error={r.error} />}
      {r.data && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4 }} data-testid="report-figures">
            {FIGURES.map((k) => (
              <Paper key={k} withBorder p="sm">
                <Text size="xs" c="dimmed">
                  {t(`figures.${k}` as never)}
                </Text>
                <Text fw={700} size="xl">
                  {fmt.number(r.data[k] as number)}
                </Text>
              </Paper>
            ))}
          </SimpleGrid>
          {r.data.sentAt && <Text size="sm" c="dimmed">{t('sentAt', { at: fmt.dateTime(r.data.sentAt) })}</Text>}
          <Title order={2} size="h4">
            {t('byUnit')}
          </Title>
          <DataTable testId="report-units" minWidth={560} isEmpty={r.data.byUnit.length === 0} emptyText={t('empty')} columns={[t('unit'), t('figures.planned'), t('figures.callsMade'), t('figures.reached'), t('figures.symptomatic')]}>
            {r.data.byUnit.map((u) => (
              <Table.Tr key={u.unitCode}>
                <Table.Td>{u.unitName}</Table.Td>
                <Table.Td>{u.planned}</Table.Td>
                <Table.Td>{u.callsMade}</Table.Td>
                <Table.Td>{u.reached}</Table.Td>
                <Table.Td>{u.symptomatic}</Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        </>
      )}
    </Stack>
  );
}
