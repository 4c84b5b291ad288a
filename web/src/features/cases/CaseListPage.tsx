import { Alert, Badge, Button, Group, Loader, Modal, Paper, Select, Stack, Table, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useAuth } from '../../app/auth';
import { DataTable, Pager } from '../../lib/DataTable';
import { ErrorAlert, useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { PAGE_SIZE, useCaseMutations, useCases, usePersonSearch, type PersonListItem } from './api';
import { useCasesT, useLabel } from './i18n';

export const STATUS_COLOR: Record<string, string> = { active: 'red', recovered: 'teal', died: 'dark', discarded: 'gray' };

export default function CaseListPage() {
  const tc = useCasesT();
  const label = useLabel();
  const fmt = useFormat();
  const navigate = useNavigate();
  const { can } = useAuth();
  const [filters, setFilters] = useState<{ status: string | null; source: string | null; q: string }>({ status: null, source: null, q: '' });
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const list = useCases(filters, page);
  const set = (patch: Partial<typeof filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setPage(1);
  };
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {tc('list.title')}
        </Title>
        <Group gap="xs">
          <Button variant="light" component={Link} to="clusters">
            {tc('list.clusters')}
          </Button>
          <Button variant="light" component={Link} to="/contacts">
            {tc('list.contacts')}
          </Button>
          {can('cases.write') && <Button onClick={() => setCreating(true)}>{tc('list.new')}</Button>}
        </Group>
      </Group>
      <Group gap="sm" align="flex-end">
        <TextInput label={tc('list.search')} value={filters.q} onChange={(e) => set({ q: e.currentTarget.value })} w={160} />
        <Select label={tc('fields.status')} clearable placeholder={tc('fields.all')} value={filters.status} onChange={(v) => set({ status: v })} data={['active', 'recovered', 'died', 'discarded'].map((v) => ({ value: v, label: label('statuses', v) }))} w={180} />
        <Select label={tc('fields.source')} clearable placeholder={tc('fields.all')} value={filters.source} onChange={(v) => set({ source: v })} data={['community', 'imported', 'quarantine'].map((v) => ({ value: v, label: label('sources', v) }))} w={200} />
      </Group>
      {list.isError && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}
      <DataTable
        testId="cases-table"
        minWidth={900}
        isEmpty={list.data?.items.length === 0}
        emptyText={tc('list.empty')}
        columns={[tc('fields.code'), tc('fields.person'), tc('fields.commune'), tc('fields.confirmedAt'), tc('fields.source'), tc('fields.status'), 'F1', 'F2', tc('trace.title')]}
      >
        {list.data?.items.map((c) => (
          <Table.Tr key={c.id} style={{ cursor: 'pointer' }} onClick={() => navigate(c.id)}>
            <Table.Td fw={600}>{c.code}</Table.Td>
            <Table.Td>{c.person.fullName}</Table.Td>
            <Table.Td>{c.commune?.name}</Table.Td>
            <Table.Td>{fmt.dateTime(c.confirmedAt)}</Table.Td>
            <Table.Td>{label('sources', c.source)}</Table.Td>
            <Table.Td>
              <Badge color={STATUS_COLOR[c.status]} variant="light">
                {label('statuses', c.status)}
              </Badge>
              {c.review && (
                <Badge ml={4} color="orange" variant="outline" title={c.review.reason}>
                  {tc('review.badge')}
                </Badge>
              )}
            </Table.Td>
            <Table.Td>{fmt.number(c.contactCounts.f1)}</Table.Td>
            <Table.Td>{fmt.number(c.contactCounts.f2)}</Table.Td>
            <Table.Td>{label('trace', c.trace.status)}</Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      <Pager page={page} pageSize={PAGE_SIZE} total={list.data?.total ?? 0} onChange={setPage} />
      <NewCaseModal opened={creating} onClose={() => setCreating(false)} onCreated={(id) => navigate(id)} />
    </Stack>
  );
}

/** Find the person of a new case by name, phone or national ID (the registry's own search) and pick one. */
function PersonPicker({ value, onChange }: { value: PersonListItem | null; onChange(p: PersonListItem | null): void }) {
  const tc = useCasesT();
  const errorText = useErrorMessage();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 300);
  const found = usePersonSearch(debounced);
  const describe = (p: PersonListItem) => [p.birthYear, p.phoneMasked, p.nationalIdMasked, p.commune?.name].filter((x) => x !== null && x !== undefined && x !== '').join(' · ');
  if (value)
    return (
      <Paper withBorder p="xs" aria-label={tc('fields.person')}>
        <Group justify="space-between" wrap="nowrap">
          <div>
            <Text fw={600}>{value.fullName}</Text>
            <Text size="xs" c="dimmed">{describe(value)}</Text>
          </div>
          <Button variant="subtle" size="xs" onClick={() => onChange(null)}>
            {tc('picker.change')}
          </Button>
        </Group>
      </Paper>
    );
  const items = debounced.length >= 2 ? (found.data?.items ?? []) : [];
  return (
    <Stack gap={4}>
      <TextInput
        label={tc('fields.person')}
        description={tc('picker.hint')}
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        rightSection={found.isFetching ? <Loader size="xs" /> : null}
        required
        data-autofocus
      />
      {found.isError && <Alert color="red">{errorText(found.error)}</Alert>}
      {debounced.length >= 2 && found.isSuccess && !items.length && (
        <Text size="sm" c="dimmed">
          {tc('picker.none')}
        </Text>
      )}
      {items.length > 0 && (
        <Stack gap={2} role="listbox" aria-label={tc('picker.results')}>
          {items.map((p) => (
            <UnstyledButton key={p.id} role="option" aria-selected={false} onClick={() => onChange(p)} p={6} style={{ borderRadius: 4, border: '1px solid var(--mantine-color-gray-3)' }}>
              <Text size="sm" fw={500}>{p.fullName}</Text>
              <Text size="xs" c="dimmed">{describe(p)}</Text>
            </UnstyledButton>
          ))}
          {(found.data?.total ?? 0) > items.length && (
            <Text size="xs" c="dimmed">
              {tc('picker.more', { n: (found.data?.total ?? 0) - items.length })}
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}

function NewCaseModal({ opened, onClose, onCreated }: { opened: boolean; onClose(): void; onCreated(id: string): void }) {
  const tc = useCasesT();
  const label = useLabel();
  const errorText = useErrorMessage();
  const { create } = useCaseMutations();
  const [person, setPerson] = useState<PersonListItem | null>(null);
  const [f, setF] = useState({ confirmedAt: new Date().toISOString().slice(0, 16), onsetDate: '', source: 'community', isolation: 'facility' });
  const submit = () =>
    create.mutate(
      { personId: person?.id ?? '', confirmedAt: new Date(f.confirmedAt).toISOString(), onsetDate: f.onsetDate || null, source: f.source, isolation: f.isolation },
      { onSuccess: (r) => onCreated(r.case.id) },
    );
  return (
    <Modal opened={opened} onClose={onClose} title={tc('list.new')}>
      <Stack>
        <PersonPicker value={person} onChange={setPerson} />
        <TextInput type="datetime-local" label={tc('fields.confirmedAt')} value={f.confirmedAt} onChange={(e) => setF({ ...f, confirmedAt: e.currentTarget.value })} />
        <TextInput type="date" label={tc('fields.onset')} value={f.onsetDate} onChange={(e) => setF({ ...f, onsetDate: e.currentTarget.value })} />
        <Select label={tc('fields.source')} value={f.source} onChange={(v) => setF({ ...f, source: v ?? 'community' })} data={['community', 'imported', 'quarantine'].map((v) => ({ value: v, label: label('sources', v) }))} />
        <Select label={tc('fields.isolation')} value={f.isolation} onChange={(v) => setF({ ...f, isolation: v ?? 'facility' })} data={['home', 'facility', 'hospital'].map((v) => ({ value: v, label: label('isolations', v) }))} />
        {create.isError && <Alert color="red">{errorText(create.error)}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {tc('cancel')}
          </Button>
          <Button onClick={submit} loading={create.isPending} disabled={!person}>
            {tc('save')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
