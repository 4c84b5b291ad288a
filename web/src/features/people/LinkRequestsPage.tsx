// /people/link-requests: citizens ask to have the record they typed in (their own, or a dependant's) linked to the
// registry record it describes. The officer compares it with the candidates found in their area and approves one,
// or rejects with a note. Approving merges the typed-in record into the chosen one (server: people/links.ts).
import { Alert, Anchor, Badge, Button, Card, Group, Radio, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { LinkRequestItem, LinkRequestList, PersonListItem } from '../../../../server/src/modules/people/schema';
import { api } from '../../lib/api';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';

type Status = 'pending' | 'approved' | 'rejected' | 'cancelled';

function useText() {
  const { t } = useTranslation();
  return t('people.linkRequests', { returnObjects: true });
}

function PersonLine({ p }: { p: PersonListItem }) {
  return (
    <Text size="sm">
      <Anchor component={Link} to={`../${p.id}`} relative="path">
        {p.fullName}
      </Anchor>{' '}
      <Text span c="dimmed" size="xs">
        {[p.birthYear, p.phoneMasked, p.nationalIdMasked, p.commune?.label].filter(Boolean).join(' · ')}
      </Text>
    </Text>
  );
}

function RequestCard({ r }: { r: LinkRequestItem }) {
  const tx = useText();
  const fmt = useFormat();
  const client = useQueryClient();
  const [target, setTarget] = useState<string | null>(r.candidates.length === 1 ? r.candidates[0]!.id : null);
  const [note, setNote] = useState('');
  const done = () => client.invalidateQueries({ queryKey: ['people'] });
  const approve = useMutation({
    mutationFn: () => api.post(`/api/people/link-requests/${r.id}/approve`, { targetId: target, ...(note.trim() && { note: note.trim() }) }),
    onSuccess: done,
  });
  const reject = useMutation({ mutationFn: () => api.post(`/api/people/link-requests/${r.id}/reject`, { note: note.trim() }), onSuccess: done });
  return (
    <Card withBorder data-testid="link-request">
      <Stack gap="xs">
        <Group gap="xs">
          <Badge variant="light" color={r.status === 'pending' ? 'orange' : r.status === 'approved' ? 'teal' : 'gray'}>
            {tx[r.status]}
          </Badge>
          <Badge variant="outline">{tx[r.kind]}</Badge>
          <Text size="xs" c="dimmed">
            {fmt.dateTime(r.createdAt)} · {tx.account}: <span style={{ fontFamily: 'monospace' }}>{r.account.username}</span>
          </Text>
        </Group>
        <div>
          <Text size="xs" c="dimmed">
            {tx.typed}
          </Text>
          <PersonLine p={r.claimant} />
          {r.manager && (
            <Text size="xs" c="dimmed">
              {tx.manager}: {r.manager.fullName}
            </Text>
          )}
        </div>
        {r.note && (
          <Text size="sm">
            <Text span c="dimmed" size="xs">
              {tx.note}:{' '}
            </Text>
            {r.note}
          </Text>
        )}
        {r.status === 'pending' ? (
          <>
            <Text size="xs" c="dimmed">
              {tx.candidates}
            </Text>
            {r.candidates.length === 0 && <Text size="sm">{tx.noCandidates}</Text>}
            <Radio.Group value={target} onChange={setTarget}>
              <Stack gap={4}>
                {r.candidates.map((c) => (
                  <Group key={c.id} gap="xs" wrap="nowrap">
                    <Radio value={c.id} aria-label={c.fullName} />
                    <PersonLine p={c} />
                  </Group>
                ))}
              </Stack>
            </Radio.Group>
            {approve.isError && <ErrorAlert error={approve.error} />}
            {reject.isError && <ErrorAlert error={reject.error} />}
            <TextInput size="sm" label={tx.decisionNote} value={note} maxLength={500} onChange={(e) => setNote(e.currentTarget.value)} />
            <Group justify="flex-end">
              <Button variant="default" color="red" disabled={!note.trim()} loading={reject.isPending} onClick={() => reject.mutate()}>
                {tx.reject}
              </Button>
              <Button disabled={!target} loading={approve.isPending} onClick={() => approve.mutate()}>
                {tx.approve}
              </Button>
            </Group>
          </>
        ) : (
          <Text size="sm">
            <Text span c="dimmed" size="xs">
              {tx.decided}:{' '}
            </Text>
            {[r.decidedBy, r.decidedAt && fmt.dateTime(r.decidedAt), r.decisionNote].filter(Boolean).join(' · ')}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

export default function LinkRequestsPage() {
  const tx = useText();
  const [status, setStatus] = useState<Status>('pending');
  const list = useQuery({
    queryKey: ['people', 'link-requests', status],
    queryFn: ({ signal }) => api.get<LinkRequestList>('/api/people/link-requests', { status, limit: 50 }, signal),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack gap="md">
      <div>
        <Anchor component={Link} to=".." relative="path" size="sm">
          ← {tx.back}
        </Anchor>
        <Title order={1} size="h2">
          {tx.title}
        </Title>
        <Text c="dimmed" size="sm">
          {tx.intro}
        </Text>
      </div>
      <SegmentedControl
        value={status}
        onChange={(v) => setStatus(v as Status)}
        data={(['pending', 'approved', 'rejected', 'cancelled'] as const).map((s) => ({ value: s, label: tx[s] }))}
      />
      {list.isError && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}
      {list.data?.items.length === 0 && <Alert color="gray">{tx.none}</Alert>}
      {list.data?.items.map((r) => <RequestCard key={r.id} r={r} />)}
    </Stack>
  );
}
