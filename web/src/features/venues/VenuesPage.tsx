// Venues: list (jurisdiction-scoped, or own venues for operators), register, bulk import, and one venue's page
// (details, approve/suspend, entrances with QR and posters, operators, check-ins).
//   /venues            list        /venues/new     register        /venues/import   Excel/CSV import
//   /venues/:id        details
// The list is here; the form (VenueForm.tsx), the import (ImportVenues.tsx) and the venue's page (VenueView.tsx) are
// beside it.
import { Anchor, Button, Group, Pagination, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useAuth } from '../../app/auth';
import { ErrorAlert } from '../../lib/errors';
import { PAGE_SIZE, isVenueType, VENUE_STATUSES, VENUE_TYPES, useVenues, type VenueStatus, type VenueType } from './api';
import { useVenueTexts } from './texts';
import { StatusBadge } from './StatusBadge';
import { ImportVenues } from './ImportVenues';
import { VenueForm } from './VenueForm';
import { VenueView } from './VenueView';

export default function VenuesPage() {
  const splat = useParams()['*'] ?? '';
  const first = splat.split('/')[0] ?? '';
  if (first === 'new') return <VenueForm />;
  if (first === 'import') return <ImportVenues />;
  if (first) return <VenueView key={first} id={first} />;
  return <VenueList />;
}

function VenueList() {
  const { t, label } = useVenueTexts();
  const { can } = useAuth();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [status, setStatus] = useState<VenueStatus | null>(null);
  const [type, setType] = useState<VenueType | null>(null);
  const [page, setPage] = useState(1);
  const list = useVenues({ q, status, type, page });
  const mayRegister = can('venues.manage') || can('venues.own');
  useEffect(() => setPage(1), [q, status, type]);
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>{t('venues')}</Title>
        {mayRegister && (
          <Group gap="xs">
            <Button component={Link} to="/venues/new">
              {t('register')}
            </Button>
            <Button component={Link} to="/venues/import" variant="light">
              {t('importExcel')}
            </Button>
          </Group>
        )}
      </Group>
      <Group wrap="wrap">
        <TextInput placeholder={t('search')} value={search} onChange={(e) => setSearch(e.currentTarget.value)} style={{ flex: 1, minWidth: 220 }} />
        <Select
          placeholder={t('allStatuses')}
          clearable
          value={status}
          onChange={(v) => setStatus(VENUE_STATUSES.find((s) => s === v) ?? null)}
          data={VENUE_STATUSES.map((s) => ({ value: s, label: label('statuses', s) }))}
          w={170}
        />
        <Select placeholder={t('allTypes')} clearable value={type} onChange={(v) => setType(v !== null && isVenueType(v) ? v : null)} data={VENUE_TYPES.map((s) => ({ value: s, label: label('types', s) }))} w={190} />
      </Group>
      {list.error ? <ErrorAlert error={list.error} onRetry={() => void list.refetch()} /> : null}
      {list.data && (
        <>
          <Text size="sm" c="dimmed">
            {t('total', { n: list.data.total })}
          </Text>
          <Table.ScrollContainer minWidth={640}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('code')}</Table.Th>
                  <Table.Th>{t('name')}</Table.Th>
                  <Table.Th>{t('type')}</Table.Th>
                  <Table.Th>{t('commune')}</Table.Th>
                  <Table.Th>{t('status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.map((v) => (
                  <Table.Tr key={v.id}>
                    <Table.Td>{v.code}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/venues/${v.id}`}>
                        {v.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{label('types', v.type)}</Table.Td>
                    <Table.Td>{v.commune.name}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={v.status} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {list.data.total > PAGE_SIZE && <Pagination total={Math.ceil(list.data.total / PAGE_SIZE)} value={page} onChange={setPage} />}
        </>
      )}
    </Stack>
  );
}
