// The SMS templates per purpose (vi/en): what each text says now, its variables, a preview with sample values,
// editing (national staff) and the history of changes.
import { Alert, Badge, Button, Card, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useAuth } from '../../app/auth';
import { api } from '../../lib/api';
import { ErrorAlert } from '../../lib/errors';
import { useMsgT, usePurposeLabel } from './i18n';

interface TemplateItem {
  purpose: string;
  textVi: string;
  textEn: string;
  variables: string[];
  required: string[];
  edited: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}
type Preview = { vi: { text: string; parts: number }; en: { text: string; parts: number } };

export function TemplatesTab() {
  const tm = useMsgT();
  const list = useQuery({ queryKey: ['messaging', 'templates'], queryFn: ({ signal }) => api.get<{ items: TemplateItem[] }>('/api/messaging/templates', undefined, signal) });
  if (list.isError) return <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <Stack data-testid="templates">
      {(list.data?.items ?? []).map((t) => (
        <TemplateCard key={`${t.purpose}:${t.updatedAt ?? ''}`} t={t} />
      ))}
      {list.data && <Text size="sm" c="dimmed">{tm('templates.nationalOnly')}</Text>}
    </Stack>
  );
}

function TemplateCard({ t }: { t: TemplateItem }) {
  const tm = useMsgT();
  const { user } = useAuth();
  const qc = useQueryClient();
  const mayEdit = user.role === 'national_admin';
  const [vi, setVi] = useState(t.textVi);
  const [en, setEn] = useState(t.textEn);
  const [preview, setPreview] = useState<Preview | null>(null);
  const body = { textVi: vi, textEn: en };
  const doPreview = useMutation({ mutationFn: () => api.post<Preview>(`/api/messaging/templates/${t.purpose}/preview`, body), onSuccess: setPreview });
  const save = useMutation({ mutationFn: () => api.put<TemplateItem>(`/api/messaging/templates/${t.purpose}`, body), onSuccess: () => void qc.invalidateQueries({ queryKey: ['messaging', 'templates'] }) });
  const purpose = usePurposeLabel();
  const history = useQuery({ queryKey: ['messaging', 'templates', t.purpose, 'history'], queryFn: ({ signal }) => api.get<{ items: { textVi: string; changedBy: string; changedAt: string }[] }>(`/api/messaging/templates/${t.purpose}/history`, undefined, signal), enabled: t.edited });
  return (
    <Card withBorder data-testid={`template-${t.purpose}`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={3} size="h5">
            {purpose(t.purpose)}{' '}
            <Text span c="dimmed" size="xs" ff="monospace">
              {t.purpose}
            </Text>
          </Title>
          {t.edited && <Badge color="blue">{tm('templates.edited', { by: t.updatedBy ?? '', at: t.updatedAt ? new Date(t.updatedAt).toLocaleString() : '' })}</Badge>}
        </Group>
        <Text size="sm">{tm('templates.variables', { list: t.variables.map((v) => `{${v}}`).join(', ') })}</Text>
        <Textarea label={tm('campaign.textVi')} autosize minRows={2} value={vi} readOnly={!mayEdit} onChange={(e) => setVi(e.currentTarget.value)} />
        <Textarea label={tm('templates.textEn')} autosize minRows={2} value={en} readOnly={!mayEdit} onChange={(e) => setEn(e.currentTarget.value)} />
        {(doPreview.error || save.error) && <ErrorAlert error={doPreview.error ?? save.error} />}
        {preview && (
          <Alert color="blue" role="status" title={tm('templates.preview')}>
            <Text size="sm">{preview.vi.text} ({tm('campaign.parts', { count: preview.vi.parts })})</Text>
            <Text size="sm">{preview.en.text} ({tm('campaign.parts', { count: preview.en.parts })})</Text>
          </Alert>
        )}
        <Group>
          <Button variant="default" size="xs" onClick={() => doPreview.mutate()} loading={doPreview.isPending}>
            {tm('templates.previewButton')}
          </Button>
          {mayEdit && (
            <Button size="xs" onClick={() => save.mutate()} loading={save.isPending}>
              {tm('templates.save')}
            </Button>
          )}
        </Group>
        {history.data && history.data.items.length > 0 && (
          <Stack gap={2}>
            <Text size="sm" fw={600}>
              {tm('templates.history')}
            </Text>
            {history.data.items.map((h, i) => (
              <Text key={i} size="xs" c="dimmed">
                {new Date(h.changedAt).toLocaleString()} · {h.changedBy}: {h.textVi}
              </Text>
            ))}
          </Stack>
        )}
      </Stack>
    </Card>
  );
}
