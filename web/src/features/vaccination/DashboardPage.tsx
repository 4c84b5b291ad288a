// Vaccination dashboard for the officer's area: doses per day / site / product, coverage by commune and age group,
// dropout, the overdue list, stock and wastage; the same figures as an Excel file.
import { Anchor, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { PageLoader } from '../../app/pages';
import { api } from '../../lib/api';
import type { Dashboard } from '../../../../server/src/modules/vaccination/schema';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useVaccT } from './i18n';

function Section({ title, head, rows }: { title: string; head: string[]; rows: ReactNode[][] }) {
  return (
    <Card withBorder>
      <Title order={2} size="h5" mb="xs">
        {title}
      </Title>
      <Table.ScrollContainer minWidth={300}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              {head.map((h) => (
                <Table.Th key={h}>{h}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r, i) => (
              <Table.Tr key={i}>
                {r.map((c, j) => (
                  <Table.Td key={j}>{c}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

export default function DashboardPage() {
  const t = useVaccT();
  const fmt = useFormat();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const q = { from: from || undefined, to: to || undefined };
  const d = useQuery({ queryKey: ['vaccination', 'dashboard', q], queryFn: ({ signal }) => api.get<Dashboard>('/api/vaccination/dashboard', q, signal) });
  const pct = (a: number, b: number) => (b ? `${Math.round((100 * a) / b)}%` : '—');
  const xlsx = `/api/vaccination/dashboard.xlsx${from || to ? `?${new URLSearchParams(Object.entries(q).filter(([, v]) => v) as [string, string][])}` : ''}`;
  return (
    <Stack gap="sm">
      <Title order={1} size="h3">
        {t('dashboard')}
      </Title>
      <Group align="end">
        <TextInput type="date" label={t('from')} value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput type="date" label={t('to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        <Anchor href={xlsx}>{t('exportXlsx')}</Anchor>
      </Group>
      {d.isPending && <PageLoader />}
      {d.isError && <ErrorAlert error={d.error} />}
      {d.data && (
        <>
          <Card withBorder>
            <Text fw={700}>{t('dropout')}</Text>
            <Text size="xl" data-testid="dropout">
              {d.data.dropout.rate === null ? '—' : `${Math.round(d.data.dropout.rate * 1000) / 10}%`} ({d.data.dropout.dose2}/{d.data.dropout.dose1})
            </Text>
          </Card>
          <SimpleGrid cols={{ base: 1, md: 3 }}>
            <Section title={t('dosesPerDay')} head={[t('day'), t('count')]} rows={d.data.dosesPerDay.map((r) => [fmt.day(r.day), r.n])} />
            <Section title={t('bySite')} head={[t('site'), t('count')]} rows={d.data.bySite.map((r) => [r.siteName, r.n])} />
            <Section title={t('byProduct')} head={[t('product'), t('count')]} rows={d.data.byProduct.map((r) => [r.productName, r.n])} />
          </SimpleGrid>
          <Section
            title={t('coverage')}
            head={[t('commune'), t('ageGroup'), t('population'), t('atLeastOne'), t('full')]}
            rows={d.data.coverage.map((c) => [c.communeName, c.ageGroup, c.population, `${c.atLeastOne} (${pct(c.atLeastOne, c.population)})`, `${c.full} (${pct(c.full, c.population)})`])}
          />
          <Section title={t('overdue')} head={[t('name'), t('doseNumber'), t('dueOn')]} rows={d.data.overdue.map((o) => [o.fullName, o.doseNumber, fmt.day(o.dueOn)])} />
          <Section
            title={t('stock')}
            head={[t('site'), t('lot'), t('expiresOn'), t('quantity'), t('used'), t('wasted'), t('left')]}
            rows={d.data.stock.map((s) => [s.siteName, `${s.productCode} ${s.lotNumber}`, fmt.day(s.expiresOn), s.quantity, s.used, s.wasted, s.left])}
          />
        </>
      )}
    </Stack>
  );
}
