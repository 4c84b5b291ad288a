// Samples of the caller's area (/testing): filter by tube, result, day of collection and area; open a tube to see its
// people and result history. Bulk sample lists from other systems are imported here (template to download).
import { Anchor, Card, Drawer, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useAuth } from '../../app/auth';
import { DataTable, Pager } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { TESTING_PAGE_SIZE, useSamples, useTestTypeName, useTube, type SampleListQuery } from './api';
import { FileImport } from './FileImport';
import { useTestingT } from './i18n';
import { ResultBadge } from './ResultBadge';
import { TubeHistory, TubeSummary } from './TubeView';

function TubeDrawer({ code, onClose }: { code: string | null; onClose: () => void }) {
  const tube = useTube(code);
  return (
    <Drawer opened={!!code} onClose={onClose} position="right" size="md" title={code}>
      {tube.isError && <ErrorAlert error={tube.error} />}
      {tube.data && (
        <Stack>
          <TubeSummary d={tube.data} />
          <TubeHistory d={tube.data} />
        </Stack>
      )}
    </Drawer>
  );
}

export default function SamplesPage() {
  const t = useTestingT();
  const fmt = useFormat();
  const { can } = useAuth();
  const typeName = useTestTypeName();
  const [tube, setTube] = useState('');
  const [status, setStatus] = useState<SampleListQuery['status'] | null>(null);
  const [day, setDay] = useState('');
  const [unit, setUnit] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const q = useSamples({ tube, status, day: day || null, unit: unit.trim() || null, page });
  const items = q.data?.items ?? [];
  const reset = () => setPage(1);
  return (
    <Stack gap="md">
      <Card withBorder>
        <Stack gap="sm">
          <Group gap="sm" align="end">
            <TextInput label={t('samples.tube')} value={tube} onChange={(e) => (setTube(e.currentTarget.value), reset())} w={180} styles={{ input: { fontFamily: 'monospace' } }} />
            <Select
              label={t('samples.status')}
              value={status ?? ''}
              onChange={(v) => (setStatus((v || null) as SampleListQuery['status'] | null), reset())}
              data={[
                { value: '', label: t('samples.all') },
                { value: 'waiting', label: t('results.waiting') },
                { value: 'positive', label: t('results.positive') },
                { value: 'negative', label: t('results.negative') },
                { value: 'invalid', label: t('results.invalid') },
              ]}
              w={170}
              allowDeselect={false}
            />
            <TextInput type="date" label={t('samples.day')} value={day} onChange={(e) => (setDay(e.currentTarget.value), reset())} w={160} />
            <TextInput label={t('samples.unit')} placeholder="40 / 412" value={unit} onChange={(e) => (setUnit(e.currentTarget.value), reset())} w={130} />
            <Text size="sm" c="dimmed" data-testid="samples-total">
              {t('samples.total', { n: fmt.number(q.data?.total ?? 0) })}
            </Text>
          </Group>
          {q.isError && <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />}
          <DataTable
            columns={[t('samples.tube'), t('samples.type'), t('samples.site'), t('samples.collected'), t('samples.people'), t('samples.result')]}
            minWidth={760}
            testId="samples"
            emptyText={t('samples.none')}
            isEmpty={!q.isPending && items.length === 0}
          >
            {items.map((s) => (
              <Table.Tr key={s.id} data-testid="sample-list-row">
                <Table.Td>
                  <Anchor component="button" type="button" ff="monospace" size="sm" onClick={() => setOpen(s.tubeCode)}>
                    {s.tubeCode}
                  </Anchor>
                </Table.Td>
                <Table.Td fz="sm">{typeName(s.testType)}</Table.Td>
                <Table.Td fz="sm">{s.point?.name ?? s.communeName}</Table.Td>
                <Table.Td fz="sm">{fmt.dateTime(s.collectedAt)}</Table.Td>
                <Table.Td fz="sm" ta="right">
                  {s.poolSize}
                </Table.Td>
                <Table.Td>
                  <ResultBadge result={s.result} />
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
          <Pager page={page} pageSize={TESTING_PAGE_SIZE} total={q.data?.total ?? 0} onChange={setPage} />
        </Stack>
      </Card>
      {can('testing.sample') && (
        <FileImport
          title={t('samples.import')}
          intro={t('samples.importIntro')}
          columns="tube_code, person_national_id, person_phone, person_name, collected_at, site_code, test_type"
          url="/api/testing/samples/import"
          action={t('samples.importAction')}
        templateUrl="/api/testing/samples/template.xlsx"
          onDone={() => void q.refetch()}
        />
      )}
      <TubeDrawer code={open} onClose={() => setOpen(null)} />
    </Stack>
  );
}
