import { Badge, Button, Group, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useHandleVoiceMessage, useVoiceMessages, type VoiceMessage } from './api';
import { CallsNav } from './CallsNav';
import { useCallsLabel, useCallsT } from './i18n';

const STATUSES = ['open', 'handled', 'all'] as const;

/** Voice messages left on the hotline: listen (the audio loads only when played: each play is audited), mark handled. */
export default function VoiceMessagesPage() {
  const t = useCallsT();
  const label = useCallsLabel();
  const [params, setParams] = useSearchParams();
  const status = (STATUSES as readonly string[]).includes(params.get('status') ?? '') ? params.get('status')! : 'open';
  const list = useVoiceMessages(status);
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('voice.title')}
      </Title>
      <CallsNav />
      <SegmentedControl data={STATUSES.map((s) => ({ value: s, label: label('voice.statuses', s) }))} value={status} onChange={(s) => setParams({ status: s })} w="fit-content" />
      {list.isError && <ErrorAlert error={list.error} />}
      <DataTable testId="voice-messages" minWidth={860} isEmpty={list.data?.items.length === 0} emptyText={t('voice.empty')} columns={[t('voice.received'), t('person'), t('phone'), t('voice.duration'), t('voice.listen'), t('voice.handling')]}>
        {list.data?.items.map((m) => <MessageRow key={m.id} m={m} />)}
      </DataTable>
    </Stack>
  );
}

function MessageRow({ m }: { m: VoiceMessage }) {
  const t = useCallsT();
  const label = useCallsLabel();
  const [note, setNote] = useState('');
  const handle = useHandleVoiceMessage();
  return (
    <Table.Tr data-testid={`voice-${m.id}`}>
      <Table.Td>{new Date(m.receivedAt).toLocaleString()}</Table.Td>
      <Table.Td fw={600}>{m.fullName || <Text c="dimmed">{t('voice.unknownCaller')}</Text>}</Table.Td>
      <Table.Td>{m.phone}</Table.Td>
      <Table.Td>
        {Math.round(m.durationMs / 1000)} s <Badge variant="light" color="gray">{label('voice.endedBy', m.endedBy)}</Badge>
      </Table.Td>
      <Table.Td>
        <audio controls preload="none" src={`/api/calls/voice-messages/${m.id}/audio`} aria-label={t('voice.listen')} style={{ height: 32 }} />
      </Table.Td>
      <Table.Td>
        {m.handledAt ? (
          <Stack gap={0}>
            <Badge color="green" variant="light">
              {t('voice.handledAt', { at: new Date(m.handledAt).toLocaleString() })}
            </Badge>
            {m.note && <Text size="sm">{m.note}</Text>}
          </Stack>
        ) : (
          <Group gap="xs" wrap="nowrap">
            <TextInput size="xs" w={140} placeholder={t('voice.note')} aria-label={t('voice.note')} value={note} maxLength={1000} onChange={(e) => setNote(e.currentTarget.value)} />
            <Button size="xs" style={{ flexShrink: 0 }} loading={handle.isPending} onClick={() => handle.mutate({ id: m.id, note })}>
              {t('voice.markHandled')}
            </Button>
          </Group>
        )}
        {handle.isError && <ErrorAlert error={handle.error} />}
      </Table.Td>
    </Table.Tr>
  );
}
