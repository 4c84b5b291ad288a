import { Anchor, Badge, Button, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../../app/auth';
import { DataTable, Pager } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { PEOPLE_PAGE_SIZE, useCreatePerson, usePeople, type PersonCreateBody } from './api';
import { CommunePicker } from './CommunePicker';
import { usePeopleT } from './i18n';
import { sexLabel } from './labels';
import { emptyPerson, PersonForm, toBody } from './PersonForm';

export default function PeopleSearchPage() {
  const tp = usePeopleT();
  const { t, i18n } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [q] = useDebouncedValue(search.trim(), 350);
  const [commune, setCommune] = useState<string | null>(params.get('commune'));
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const create = useCreatePerson();

  const active = q.length >= 2 || !!commune;
  const list = usePeople(q.length >= 2 ? q : '', commune, page, active);
  const total = list.data?.total ?? 0;

  const update = (nextQ: string, nextCommune: string | null) => {
    const p = new URLSearchParams();
    if (nextQ) p.set('q', nextQ);
    if (nextCommune) p.set('commune', nextCommune);
    setParams(p, { replace: true });
  };

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {tp('title')}
        </Title>
        <Group gap="xs">
          <Button variant="light" component={Link} to="duplicates">
            {tp('duplicates')}
          </Button>
          {can('people.write') && (
            <Button variant="light" component={Link} to="link-requests">
              {i18n.language?.startsWith('en') ? 'Link requests' : 'Yêu cầu liên kết'}
            </Button>
          )}
          {can('people.write') && <Button onClick={() => setCreating(true)}>{tp('create')}</Button>}
        </Group>
      </Group>

      <Group gap="sm" align="flex-end" grow preventGrowOverflow={false}>
        <TextInput
          type="search"
          label={t('common.search')}
          placeholder={tp('searchPlaceholder')}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage(1);
            update(e.currentTarget.value.trim(), commune);
          }}
          miw={260}
          data-testid="people-search"
        />
        <CommunePicker
          label={tp('communeFilter')}
          value={commune}
          onChange={(c) => {
            setCommune(c);
            setPage(1);
            update(search.trim(), c);
          }}
        />
      </Group>

      {list.isError && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}
      {!active && (
        <Text c="dimmed" size="sm">
          {tp('typeToSearch')}
        </Text>
      )}

      {active && (
        <DataTable
          minWidth={760}
          testId="people-table"
          columns={[tp('fullName'), tp('birthYear'), tp('sex'), tp('phone'), tp('nationalId'), tp('commune')]}
          emptyText={tp('noResults')}
          isEmpty={list.data?.items.length === 0}
        >
          {list.data?.items.map((p) => (
            <Table.Tr key={p.id} style={{ cursor: 'pointer' }} onClick={() => navigate(p.id)}>
              <Table.Td>
                <Anchor component={Link} to={p.id} onClick={(e) => e.stopPropagation()}>
                  {p.fullName}
                </Anchor>
                {p.mergedInto && (
                  <Badge ml="xs" size="xs" color="gray" variant="light">
                    {tp('mergedBadge')}
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{p.birthYear ?? '—'}</Table.Td>
              <Table.Td>{sexLabel(tp, p.sex)}</Table.Td>
              <Table.Td ff="monospace">{p.phoneMasked ?? '—'}</Table.Td>
              <Table.Td ff="monospace">{p.nationalIdMasked ?? '—'}</Table.Td>
              <Table.Td fz="sm">{p.commune?.label ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}

      {active && <Pager page={page} pageSize={PEOPLE_PAGE_SIZE} total={total} onChange={setPage} />}

      <Modal opened={creating} onClose={() => setCreating(false)} title={tp('createTitle')} size="lg">
        {creating && (
          <PersonForm
            initial={emptyPerson}
            submitLabel={t('common.create')}
            onCancel={() => setCreating(false)}
            onSubmit={async (v) => {
              const res = await create.mutateAsync(toBody(v, 'create') as PersonCreateBody);
              setCreating(false);
              // the creator just typed these details: open the record without asking for a reason
              navigate(`${res.person.id}?created=1`);
            }}
          />
        )}
      </Modal>
    </Stack>
  );
}
