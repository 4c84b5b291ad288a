// "Already registered at your health station?" on the citizen's page: details typed in here always make a new
// record, so the citizen proves an existing record is theirs (or their dependant's) with the code of its QR card,
// or asks the officers of their commune to link it (server: people/links.ts).
import { Badge, Button, Card, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SelfLinkRequest } from '../../../../server/src/modules/people/schema';
import { ME_KEY } from '../../app/auth';
import { api } from '../../lib/api';
import { ErrorAlert } from '../../lib/errors';
import { RELATIONSHIPS, type RelationshipValue } from './api';
import { usePeopleT } from './i18n';
import { relationshipLabel } from './labels';

export function LinkRecordCard({ household }: { household: { id: string; name: string }[] }) {
  const { t } = useTranslation();
  const tx = t('people.linkRecord', { returnObjects: true });
  const tp = usePeopleT();
  const client = useQueryClient();
  const requests = useQuery({ queryKey: ['me', 'link-requests'], queryFn: ({ signal }) => api.get<{ items: SelfLinkRequest[] }>('/api/me/link-requests', undefined, signal) });
  const [code, setCode] = useState('');
  const [target, setTarget] = useState<'self' | 'dependant'>('self');
  const [relationship, setRelationship] = useState<RelationshipValue>('child');
  const [chosen, setAskFor] = useState<string | null>(household[0]?.id ?? null);
  // the household changes after a link (the typed-in record is merged away): fall back to the first record
  const askFor = household.some((h) => h.id === chosen) ? chosen : (household[0]?.id ?? null);
  const [note, setNote] = useState('');
  // a link may give the account its own record (the session's personId): the menu then lists one's own pages
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: ['me'] }), client.invalidateQueries({ queryKey: ME_KEY })]);
  const card = useMutation({
    mutationFn: () =>
      target === 'self'
        ? api.post('/api/me/person/link', { proof: { method: 'personal_qr', token: code.trim() } })
        : api.post('/api/me/dependants/link', { relationship, proof: { method: 'personal_qr', token: code.trim() } }),
    onSuccess: () => {
      setCode('');
      void refresh();
    },
  });
  const ask = useMutation({
    mutationFn: () => api.post('/api/me/link-requests', { personId: askFor, ...(note.trim() && { note: note.trim() }) }),
    onSuccess: () => {
      setNote('');
      void refresh();
    },
  });
  return (
    <Card withBorder data-testid="link-record">
      <Title order={2} size="h4">
        {tx.title}
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        {tx.intro}
      </Text>
      <Stack gap="xs">
        <TextInput size="sm" label={tx.code} value={code} onChange={(e) => setCode(e.currentTarget.value)} maxLength={600} />
        <Group gap="xs" align="flex-end">
          <Select
            size="sm"
            value={target}
            onChange={(v) => setTarget(v === 'dependant' ? 'dependant' : 'self')}
            data={[
              { value: 'self', label: tx.forSelf },
              { value: 'dependant', label: tx.forDependant },
            ]}
            allowDeselect={false}
          />
          {target === 'dependant' && (
            <Select size="sm" value={relationship} onChange={(v) => v && setRelationship(v as RelationshipValue)} data={RELATIONSHIPS.map((r) => ({ value: r, label: relationshipLabel(tp, r) }))} allowDeselect={false} />
          )}
          <Button size="sm" disabled={!code.trim()} loading={card.isPending} onClick={() => card.mutate()}>
            {tx.linkCard}
          </Button>
        </Group>
        {card.isError && <ErrorAlert error={card.error} />}
        {card.isSuccess && <Text size="sm" c="teal">{tx.linked}</Text>}

        <Select size="sm" mt="sm" label={tx.askFor} value={askFor} onChange={setAskFor} data={household.map((h) => ({ value: h.id, label: h.name }))} allowDeselect={false} />
        <TextInput size="sm" label={tx.note} value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={500} />
        <Group justify="flex-end">
          <Button size="sm" variant="light" disabled={!askFor} loading={ask.isPending} onClick={() => ask.mutate()}>
            {tx.ask}
          </Button>
        </Group>
        {ask.isError && <ErrorAlert error={ask.error} />}
        {(requests.data?.items ?? []).map((r) => (
          <Group key={r.id} gap="xs">
            <Badge size="sm" variant="light" color={r.status === 'approved' ? 'teal' : r.status === 'pending' ? 'orange' : 'gray'}>
              {tx.statuses[r.status]}
            </Badge>
            <Text size="sm">{r.personName}</Text>
            {r.decisionNote && (
              <Text size="xs" c="dimmed">
                {r.decisionNote}
              </Text>
            )}
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
