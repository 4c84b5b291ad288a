// Check-in look-up, statistics and exports, for one venue or the whole jurisdiction.
import { Alert, Anchor, Badge, Button, Card, CloseButton, Group, Pagination, SegmentedControl, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { exportUrl, filterQuery, PAGE_SIZE, useCheckins, useStats, useVenueSearch, type CheckinFilter } from './api';
import { useVenueTexts } from './texts';

/** Venue filter: type part of a name or code, pick one. */
function VenuePicker({ value, onChange }: { value: string | null; onChange(id: string | null): void }) {
  const { t } = useVenueTexts();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const found = useVenueSearch(q);
  const [known, setKnown] = useState<Record<string, string>>({});
  const data = (found.data?.items ?? []).map((v) => ({ value: v.id, label: `${v.name} (${v.code})` }));
  if (value && !data.some((d) => d.value === value)) data.unshift({ value, label: known[value] ?? value });
  return (
    <Select
      label={t('venuePick')}
      placeholder={t('allVenues')}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      data={data}
      value={value}
      onChange={(id, option) => {
        if (id && option) setKnown((k) => ({ ...k, [id]: option.label }));
        onChange(id);
      }}
      w={300}
      data-testid="venue-pick"
    />
  );
}

/** datetime-local value (local time) ↔ ISO */
const toLocalInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const fromLocalInput = (s: string) => new Date(s).toISOString();

export function CheckinsPanel({ venueId, title }: { venueId?: string; title?: string }) {
  const { t, lang } = useVenueTexts();
  const fmt = useFormat();
  const [from, setFrom] = useState(() => toLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const [to, setTo] = useState(() => toLocalInput(new Date(Date.now() + 3600_000)));
  const [communeCode, setCommuneCode] = useState('');
  const [pickedVenue, setPickedVenue] = useState<string | null>(null);
  const [person, setPerson] = useState('');
  const [reason, setReason] = useState('');
  const [page, setPage] = useState(1);
  const [groupBy, setGroupBy] = useState<'venue' | 'commune' | 'hour'>(venueId ? 'hour' : 'venue');
  const [filter, setFilter] = useState<CheckinFilter | null>(null);

  const list = useCheckins(filter ? { ...filter, page } : null);
  const stats = useStats(filter ? filterQuery(filter) : null, groupBy);

  const apply = () => {
    setPage(1);
    setFilter({
      venueId: venueId ?? pickedVenue ?? undefined,
      communeCode: communeCode.trim() || undefined,
      person: person.trim() || undefined,
      from: fromLocalInput(from),
      to: fromLocalInput(to),
      page: 1,
    });
  };
  /** a row's person: narrow the look-up to them (by record id) */
  const onlyPerson = (id: string) => {
    setPage(1);
    setFilter((f) => (f ? { ...f, personId: id, page: 1 } : f));
  };
  const reasonOk = reason.trim().length >= 3;
  const maxCount = Math.max(1, ...(stats.data?.rows.map((r) => r.checkins) ?? [1]));

  return (
    <Stack gap="md">
      {title && <Title order={3}>{title}</Title>}
      <Card withBorder>
        <Group align="end" wrap="wrap">
          <TextInput type="datetime-local" label={t('from')} value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <TextInput type="datetime-local" label={t('to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
          {!venueId && <VenuePicker value={pickedVenue} onChange={setPickedVenue} />}
          {!venueId && <TextInput label={t('communeCode')} value={communeCode} onChange={(e) => setCommuneCode(e.currentTarget.value)} w={140} />}
          <TextInput
            label={t('personSearch')}
            placeholder={t('personSearchHint')}
            value={person}
            onChange={(e) => setPerson(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && apply()}
            w={300}
            data-testid="person-search"
          />
          <Button onClick={apply}>{t('find')}</Button>
        </Group>
      </Card>

      {list.error ? <ErrorAlert error={list.error} /> : null}
      {filter && list.data && (
        <Card withBorder>
          <Group justify="space-between" mb="xs" wrap="wrap">
            <Group gap="xs">
              <Text fw={600} data-testid="checkin-totals">
                {t('totals', { checkins: list.data.total, people: stats.data?.total.people ?? '…' })}
              </Text>
              {filter.personId && (
                <Badge variant="light" rightSection={<CloseButton size="xs" aria-label={t('clearPerson')} onClick={() => setFilter({ ...filter, personId: undefined })} />}>
                  {t('onePerson')}
                </Badge>
              )}
            </Group>
            <Group gap="xs" align="end" wrap="wrap">
              <TextInput
                size="xs"
                placeholder={t('exportReason')}
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                w={260}
                error={!reasonOk && reason.length > 0 ? t('exportReasonRequired') : undefined}
                data-testid="export-reason"
              />
              {(['csv', 'xlsx'] as const).map((format) =>
                reasonOk ? (
                  <Button key={format} size="xs" variant="light" component="a" href={exportUrl({ ...filterQuery(filter), format, lang, reason: reason.trim() })} download>
                    {format === 'csv' ? t('exportCsv') : t('exportXlsx')}
                  </Button>
                ) : (
                  <Button key={format} size="xs" variant="light" disabled title={t('exportReasonRequired')}>
                    {format === 'csv' ? t('exportCsv') : t('exportXlsx')}
                  </Button>
                ),
              )}
            </Group>
          </Group>
          <Table.ScrollContainer minWidth={720}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('person')}</Table.Th>
                  <Table.Th>{t('phone')}</Table.Th>
                  <Table.Th>{t('venueId')}</Table.Th>
                  <Table.Th>{t('checkinAt')}</Table.Th>
                  <Table.Th>{t('checkoutAt')}</Table.Th>
                  <Table.Th>{t('source')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>
                      <Anchor size="sm" onClick={() => onlyPerson(c.personId)}>
                        {c.personName ?? c.personId.slice(0, 8)}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{c.personPhone ?? '—'}</Table.Td>
                    <Table.Td>
                      {c.venue.name}
                      {c.entrance ? ` · ${c.entrance}` : ''}
                    </Table.Td>
                    <Table.Td>{fmt.dateTime(c.checkinAt)}</Table.Td>
                    <Table.Td>
                      {c.state === 'open' ? (
                        <>
                          <Badge color="orange" variant="light" size="sm">
                            {t('stayOpen')}
                          </Badge>{' '}
                          <Text span size="xs" c="dimmed">
                            {t('stayOpenUntil')} {fmt.dateTime(c.effectiveCheckoutAt)}
                          </Text>
                        </>
                      ) : (
                        <>
                          {fmt.dateTime(c.effectiveCheckoutAt)} {c.state === 'auto' && <Text span size="xs" c="dimmed">{t('auto')}</Text>}
                        </>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" size="sm">
                        {c.source}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {list.data.total > PAGE_SIZE && <Pagination mt="sm" total={Math.ceil(list.data.total / PAGE_SIZE)} value={page} onChange={setPage} />}
        </Card>
      )}

      {filter && (
        <Card withBorder>
          <Group justify="space-between" mb="sm" wrap="wrap">
            <Title order={4}>{t('stats')}</Title>
            <SegmentedControl
              size="xs"
              value={groupBy}
              onChange={(v) => setGroupBy(v as typeof groupBy)}
              data={[
                ...(venueId ? [] : [{ value: 'venue', label: t('byVenue') }, { value: 'commune', label: t('byCommune') }]),
                { value: 'hour', label: t('byHour') },
              ]}
            />
          </Group>
          {stats.error ? <ErrorAlert error={stats.error} /> : null}
          {stats.data && stats.data.rows.length === 0 && <Alert color="gray">{t('none')}</Alert>}
          {stats.data && (
            <Stack gap={4}>
              {stats.data.rows.map((r) => (
                <Group key={r.key} gap="xs" wrap="nowrap">
                  <Text size="sm" w={220} truncate>
                    {groupBy === 'hour' ? r.label.replace('T', ' ') : r.label}
                  </Text>
                  <div style={{ flex: 1, background: 'var(--mantine-color-gray-1)', borderRadius: 4 }}>
                    <div style={{ width: `${(r.checkins / maxCount) * 100}%`, background: 'var(--mantine-color-blue-5)', height: 14, borderRadius: 4 }} />
                  </div>
                  <Text size="sm" w={120} ta="right">
                    {r.checkins} / {r.people}
                  </Text>
                </Group>
              ))}
              <Text size="xs" c="dimmed">
                {t('checkinsCount')} / {t('peopleCount')}
              </Text>
            </Stack>
          )}
        </Card>
      )}
    </Stack>
  );
}

/** Page: /checkins — look-up and statistics over the user's jurisdiction (or own venues). */
export default function CheckinsPage() {
  const { t } = useVenueTexts();
  return (
    <Stack>
      <Title order={2}>{t('checkins')}</Title>
      <CheckinsPanel />
    </Stack>
  );
}
