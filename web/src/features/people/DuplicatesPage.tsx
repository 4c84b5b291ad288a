import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Modal, Pagination, Radio, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../../app/auth';
import { PageLoader } from '../../app/pages';
import { ErrorAlert } from '../../lib/errors';
import { PEOPLE_PAGE_SIZE, useDuplicates, useMerge, useNotDuplicate, usePerson, type DuplicatePair, type MergeField, type PersonDetail } from './api';
import { usePeopleT, type PeopleKey } from './i18n';
import { sexLabel } from './labels';

const FIELDS: { field: MergeField; label: PeopleKey; value: (p: PersonDetail) => string | null }[] = [
  { field: 'fullName', label: 'fullName', value: (p) => p.fullName },
  { field: 'birth', label: 'dup.birth', value: (p) => p.birthDate ?? (p.birthYear ? String(p.birthYear) : null) },
  { field: 'sex', label: 'sex', value: (p) => p.sex },
  { field: 'nationalId', label: 'nationalId', value: (p) => p.nationalId },
  { field: 'phone', label: 'phone', value: (p) => p.phone },
  { field: 'address', label: 'address', value: (p) => p.address },
  { field: 'communeCode', label: 'commune', value: (p) => p.commune?.label ?? null },
];

const COMPARE_REASON = 'So sánh hồ sơ trùng / comparing duplicate records';

/** Both records side by side (full details: opening them is audited), choose the one to keep, merge. */
function MergeDialog({ pair, onClose }: { pair: DuplicatePair; onClose(): void }) {
  const tp = usePeopleT();
  const { t } = useTranslation();
  const a = usePerson(pair.a.id, COMPARE_REASON);
  const b = usePerson(pair.b.id, COMPARE_REASON);
  const [keep, setKeep] = useState<'a' | 'b'>('a');
  const [take, setTake] = useState<MergeField[]>([]);
  const [reason, setReason] = useState('');
  const merge = useMerge();
  if (a.isPending || b.isPending) return <PageLoader />;
  if (a.isError) return <ErrorAlert error={a.error} />;
  if (b.isError) return <ErrorAlert error={b.error} />;
  const kept = keep === 'a' ? a.data.person : b.data.person;
  const merged = keep === 'a' ? b.data.person : a.data.person;
  const val = (p: PersonDetail, f: (typeof FIELDS)[number]) => (f.field === 'sex' ? (p.sex ? sexLabel(tp, p.sex) : null) : f.value(p));
  return (
    <Stack>
      {merge.isError && <ErrorAlert error={merge.error} />}
      <Table withTableBorder verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            {(['a', 'b'] as const).map((side) => {
              const p = side === 'a' ? a.data.person : b.data.person;
              return (
                <Table.Th key={side}>
                  <Radio checked={keep === side} onChange={() => setKeep(side)} label={tp('dup.keep')} />
                  <Anchor component={Link} to={`../${p.id}`} relative="path" size="xs" target="_blank">
                    {p.id.slice(0, 8)}
                  </Anchor>
                </Table.Th>
              );
            })}
            <Table.Th>{tp('dup.take')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {FIELDS.map((f) => {
            const kv = val(kept, f);
            const mv = val(merged, f);
            const differs = mv !== null && kv !== mv;
            return (
              <Table.Tr key={f.field}>
                <Table.Th fw={500}>{tp(f.label)}</Table.Th>
                <Table.Td fw={keep === 'a' ? 600 : undefined}>{val(a.data.person, f) ?? '—'}</Table.Td>
                <Table.Td fw={keep === 'b' ? 600 : undefined}>{val(b.data.person, f) ?? '—'}</Table.Td>
                <Table.Td>
                  {differs && kv !== null && (
                    <Checkbox
                      aria-label={`${tp('dup.take')}: ${tp(f.label)}`}
                      checked={take.includes(f.field)}
                      onChange={(e) => setTake((x) => (e.currentTarget.checked ? [...x, f.field] : x.filter((y) => y !== f.field)))}
                    />
                  )}
                  {differs && kv === null && (
                    <Text size="xs" c="teal">
                      ✓
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        {tp('dup.takeHint')}
      </Text>
      <TextInput label={tp('dup.reason')} required value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={500} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          {t('common.cancel')}
        </Button>
        <Button
          color="orange"
          disabled={reason.trim().length < 3}
          loading={merge.isPending}
          onClick={() => merge.mutate({ keptId: kept.id, body: { mergeId: merged.id, reason: reason.trim(), take } }, { onSuccess: onClose })}
        >
          {tp('dup.merge')}
        </Button>
      </Group>
    </Stack>
  );
}

export default function DuplicatesPage() {
  const tp = usePeopleT();
  const { t } = useTranslation();
  const { can } = useAuth();
  const [params] = useSearchParams();
  const personId = params.get('personId') ?? undefined;
  const [page, setPage] = useState(1);
  const list = useDuplicates(page, personId);
  const notSame = useNotDuplicate();
  const [open, setOpen] = useState<DuplicatePair | null>(null);
  const mayMerge = can('people.merge');
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PEOPLE_PAGE_SIZE));

  return (
    <Stack gap="md">
      <div>
        <Anchor component={Link} to=".." relative="path" size="sm">
          ← {tp('title')}
        </Anchor>
        <Title order={1} size="h2">
          {tp('dup.title')}
        </Title>
        <Text c="dimmed" size="sm">
          {tp('dup.intro')}
        </Text>
      </div>
      {!mayMerge && <Alert color="gray">{tp('dup.noPermission')}</Alert>}
      {list.isError && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}
      {notSame.isError && <ErrorAlert error={notSame.error} />}
      {list.data?.items.length === 0 && <Text c="dimmed">{tp('dup.none')}</Text>}
      {list.data?.items.map((pair) => (
        <Card key={`${pair.a.id}-${pair.b.id}`} withBorder data-testid="duplicate-pair">
          <Group justify="space-between" align="flex-start">
            <Stack gap={4}>
              <Badge color="orange" variant="light">
                {tp(`dup.reasons.${pair.reason}`)}
              </Badge>
              {[pair.a, pair.b].map((p) => (
                <Text key={p.id} size="sm">
                  <Anchor component={Link} to={`../${p.id}`} relative="path">
                    {p.fullName}
                  </Anchor>{' '}
                  <Text span c="dimmed" size="xs">
                    {[p.birthYear, p.phoneMasked, p.nationalIdMasked, p.commune?.label].filter(Boolean).join(' · ')}
                  </Text>
                </Text>
              ))}
            </Stack>
            {mayMerge && (
              <Group gap="xs">
                <Button size="compact-sm" variant="default" loading={notSame.isPending && notSame.variables?.aId === pair.a.id} onClick={() => notSame.mutate({ aId: pair.a.id, bId: pair.b.id })}>
                  {tp('dup.notSame')}
                </Button>
                <Button size="compact-sm" onClick={() => setOpen(pair)}>
                  {tp('dup.compare')}
                </Button>
              </Group>
            )}
          </Group>
        </Card>
      ))}
      {pages > 1 && <Pagination size="sm" total={pages} value={page} onChange={setPage} />}
      <Modal opened={open !== null} onClose={() => setOpen(null)} title={tp('dup.compare')} size="xl">
        {open && <MergeDialog pair={open} onClose={() => setOpen(null)} />}
      </Modal>
      <Text size="xs" c="dimmed">
        {total > 0 && t('common.rangeSummary', { from: (page - 1) * PEOPLE_PAGE_SIZE + 1, to: Math.min(page * PEOPLE_PAGE_SIZE, total), total })}
      </Text>
    </Stack>
  );
}
