import { Alert, Anchor, Button, Card, FileButton, Group, NumberInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { UnitPicker } from '../geo/UnitPicker';
import { useState } from 'react';
import { useAuth } from '../../app/auth';
import { DataTable, Pager } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { queryString } from '../../lib/api';
import { localizeFieldMessage } from '../../lib/fieldMessages';
import { useFormat } from '../../lib/format';
import { PAGE_SIZE, uploadContacts, useCaseMutations, useContacts, useInvalidate, useResolveReview, useReviews, type ImportResultView } from './api';
import { ContactsTable } from './ContactsTable';
import { useCasesT, useLabel } from './i18n';
import './i18n';

/** /contacts: the F1/F2 lists with filters, Excel export, bulk actions, and importing lists from Excel/CSV. */
export default function ContactsPage() {
  const tc = useCasesT();
  const label = useLabel();
  const { can } = useAuth();
  const [f, setF] = useState<{ level: string | null; status: string | null; maxDaysLeft: number | string; q: string; unit: string | null }>({ level: null, status: 'monitoring', maxDaysLeft: '', q: '', unit: null });
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const reasonOk = reason.trim().length >= 3;
  const query = { level: f.level, status: f.status, maxDaysLeft: f.maxDaysLeft === '' ? null : Number(f.maxDaysLeft), q: f.q || null, unit: f.unit };
  const list = useContacts(query, page);
  const { bulk } = useCaseMutations();
  const set = (patch: Partial<typeof f>) => {
    setF((x) => ({ ...x, ...patch }));
    setPage(1);
    setSelected(new Set());
  };
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {tc('contacts.title')}
        </Title>
        <Group gap="xs" align="flex-start">
          {/* full phone numbers leave only with a reason (written to the audit log with the export) */}
          {can('people.contact') && (
            <TextInput size="sm" placeholder={tc('contacts.exportReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} w={240} data-testid="export-reason" error={reason.length > 0 && !reasonOk ? tc('contacts.exportReasonRequired') : undefined} />
          )}
          {reasonOk || !can('people.contact') ? (
            <Button component="a" variant="light" href={`/api/contacts/export.xlsx${queryString({ ...query, reason: can('people.contact') ? reason.trim() : null })}`}>
              {tc('contacts.export')}
            </Button>
          ) : (
            <Button variant="light" disabled title={tc('contacts.exportReasonRequired')}>
              {tc('contacts.export')}
            </Button>
          )}
        </Group>
      </Group>
      <Group gap="sm" align="flex-end">
        <TextInput label={tc('fields.fullName')} value={f.q} onChange={(e) => set({ q: e.currentTarget.value })} w={180} />
        <Select label={tc('fields.level')} clearable placeholder={tc('fields.all')} value={f.level} onChange={(v) => set({ level: v })} data={['1', '2', '3'].map((v) => ({ value: v, label: `F${v}` }))} w={110} />
        <Select label={tc('fields.status')} clearable placeholder={tc('fields.all')} value={f.status} onChange={(v) => set({ status: v })} data={['monitoring', 'completed', 'became_case', 'lost', 'ended'].map((v) => ({ value: v, label: label('contactStatuses', v) }))} w={180} />
        <UnitPicker label={tc('fields.unit')} testId="contacts-unit" value={f.unit} onChange={(unit) => set({ unit })} clearable />
        <NumberInput label={tc('contacts.maxDaysLeft')} value={f.maxDaysLeft} onChange={(v) => set({ maxDaysLeft: v })} min={0} max={60} w={160} />
      </Group>
      {can('cases.write') && selected.size > 0 && (
        <Group gap="xs" data-testid="bulk-actions">
          <Text size="sm">{tc('contacts.bulk', { n: selected.size })}</Text>
          {(['complete', 'lost', 'monitoring'] as const).map((a) => (
            <Button key={a} size="xs" variant="light" loading={bulk.isPending} onClick={() => bulk.mutate({ ids: [...selected], action: a }, { onSuccess: () => setSelected(new Set()) })}>
              {tc(`contacts.${a}`)}
            </Button>
          ))}
        </Group>
      )}
      {list.isError && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && <ContactsTable items={list.data.items} showCase selected={selected} onSelect={can('cases.write') ? setSelected : undefined} />}
      <Pager page={page} pageSize={PAGE_SIZE} total={list.data?.total ?? 0} onChange={setPage} />
      {can('cases.write') && <ImportCard />}
    </Stack>
  );
}

/** The review list's reasons as the server words them → their texts in the catalogues. */
const REVIEW_REASONS: Record<string, 'samePhoneName' | 'phoneOtherName'> = {
  'several people with this phone and name': 'samePhoneName',
  'this phone belongs to someone with another name': 'phoneOtherName',
};

function ImportCard() {
  const tc = useCasesT();
  const fmt = useFormat();
  const inv = useInvalidate();
  const [result, setResult] = useState<ImportResultView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reviews = useReviews();
  const resolve = useResolveReview();
  const upload = async (file: File | null) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await uploadContacts(file));
      await inv('contacts');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between">
          <Text fw={600}>{tc('contacts.import')}</Text>
          <Anchor href="/api/contacts/import-template.xlsx">{tc('contacts.template')}</Anchor>
        </Group>
        <FileButton onChange={(f) => void upload(f)} accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
          {(props) => (
            <Button {...props} loading={busy} w={200}>
              {tc('contacts.upload')}
            </Button>
          )}
        </FileButton>
        {error && <Alert color="red">{error}</Alert>}
        {result && (
          <Alert color={result.errors.length ? 'orange' : 'teal'} data-testid="import-result">
            {tc('contacts.imported', { imported: result.imported, duplicates: result.duplicates, review: result.review, errors: result.errors.length })}
            {result.errors.length > 0 && (
              <Table mt="xs" verticalSpacing={2} fz="xs" data-testid="import-errors">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={60}>{tc('contacts.line')}</Table.Th>
                    <Table.Th w={150}>{tc('contacts.column')}</Table.Th>
                    <Table.Th>{tc('contacts.problem')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {/* every refused line, in file order: the officer corrects them all in one go */}
                  {result.errors.map((e) => (
                    <Table.Tr key={`${e.line}-${e.path}`}>
                      <Table.Td>{e.line}</Table.Td>
                      <Table.Td>{e.path === 'line' ? '—' : e.path}</Table.Td>
                      <Table.Td>{localizeFieldMessage(e.message)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Alert>
        )}
        {!!reviews.data?.items.length && (
          <>
            <Text fw={600}>{tc('contacts.reviews')}</Text>
            <DataTable testId="reviews-table" minWidth={700} isEmpty={false} emptyText="" columns={[tc('fields.code'), tc('fields.fullName'), tc('fields.phone'), '']}>
              {reviews.data.items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{r.caseCode}</Table.Td>
                  <Table.Td>
                    {r.line.full_name}
                    <Text size="xs" c="dimmed">
                      {REVIEW_REASONS[r.reason] ? tc(`reviewReasons.${REVIEW_REASONS[r.reason]!}`) : r.reason}
                    </Text>
                  </Table.Td>
                  <Table.Td>{fmt.phone(r.line.phone || null)}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {r.candidates.map((p) => (
                        <Button key={p.id} size="xs" variant="light" onClick={() => resolve.mutate({ id: r.id, personId: p.id })}>
                          {tc('contacts.pick')}: {p.fullName} {p.birthYear ?? ''}
                        </Button>
                      ))}
                      <Button size="xs" variant="default" onClick={() => resolve.mutate({ id: r.id, personId: null })}>
                        {tc('contacts.createNew')}
                      </Button>
                    </Group>
                    {r.elsewhere.map((e) => (
                      <Text key={e.provinceCode ?? '-'} size="xs" c="dimmed" mt={4} data-testid="review-elsewhere">
                        {e.provinceName ? tc('contacts.elsewhere', { count: e.count, province: e.provinceName }) : tc('contacts.elsewhereUnknown', { count: e.count })}
                      </Text>
                    ))}
                  </Table.Td>
                </Table.Tr>
              ))}
            </DataTable>
          </>
        )}
      </Stack>
    </Card>
  );
}
