import {
  Button,
  Card,
  Code,
  Collapse,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { DataTable, Pager } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { usePhone } from '../../lib/media';
import { AUDIT_PAGE_SIZE, EMPTY_FILTERS, useAudit, type AuditFilters, type AuditItem } from './api';

const KEYS = Object.keys(EMPTY_FILTERS) as (keyof AuditFilters)[];

/** The label of an audit action or subject type in the UI language (codes contain dots: looked up, not t(key)). */
function useAuditLabels() {
  const { t } = useTranslation();
  const actions = t('auditActions', { returnObjects: true }) as Record<string, string>;
  const subjects = t('auditSubjects', { returnObjects: true }) as Record<string, string>;
  return { action: (code: string) => actions[code] ?? code, subject: (code: string) => subjects[code] ?? code };
}

/** An action as people read it, with its code (what the filter takes) small beside it. */
function ActionLabel({ code }: { code: string }) {
  const labels = useAuditLabels();
  const label = labels.action(code);
  return (
    <>
      <Text span inherit fw={500}>
        {label}
      </Text>
      {label !== code && (
        <Text span c="dimmed" ff="monospace" fz="xs">
          {' '}
          {code}
        </Text>
      )}
    </>
  );
}

function filtersFrom(params: URLSearchParams): AuditFilters {
  const f = { ...EMPTY_FILTERS };
  for (const k of KEYS) f[k] = params.get(k) ?? '';
  return f;
}

export default function AuditPage() {
  const { t } = useTranslation();
  const labels = useAuditLabels();
  const fmt = useFormat();
  // Filters live in the URL so a search can be shared and survives reloads.
  const [params, setParams] = useSearchParams();
  const applied = filtersFrom(params);
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [draft, setDraft] = useState<AuditFilters>(applied);
  const [rangeError, setRangeError] = useState<string | null>(null);
  const [open, setOpen] = useState<AuditItem | null>(null);
  const phone = usePhone();
  const activeFilters = KEYS.filter((k) => applied[k] !== '').length;
  const [filtersOpen, setFiltersOpen] = useState(false);

  const list = useAudit(applied, page);
  const total = list.data?.total ?? 0;

  function apply(f: AuditFilters, p = 1) {
    const next = new URLSearchParams();
    for (const k of KEYS) if (f[k].trim()) next.set(k, f[k].trim());
    if (p > 1) next.set('page', String(p));
    setParams(next);
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (draft.from && draft.to && draft.from > draft.to) {
      setRangeError(t('audit.invalidRange'));
      return;
    }
    setRangeError(null);
    setFiltersOpen(false);
    apply(draft);
  }

  const field = (k: keyof AuditFilters, label: string, type = 'text') => (
    <TextInput
      label={label}
      type={type}
      value={draft[k]}
      onChange={(e) => {
        const v = e.currentTarget.value;
        setDraft((d) => ({ ...d, [k]: v }));
      }}
      error={(k === 'to' && rangeError) || undefined}
      autoCapitalize="none"
      autoCorrect="off"
      spellCheck={false}
    />
  );

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('audit.title')}
        </Title>
        {phone && (
          <Button variant="light" size="compact-md" onClick={() => setFiltersOpen((o) => !o)} aria-expanded={filtersOpen}>
            {activeFilters > 0 ? t('audit.filtersActive', { count: activeFilters }) : t('audit.filters')}
          </Button>
        )}
      </Group>

      {/* Filters take a whole phone screen: folded away there until asked for. */}
      <Collapse in={!phone || filtersOpen}>
        <Card withBorder radius="md" p="sm">
          <form onSubmit={onSubmit} noValidate>
            <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm" verticalSpacing="xs">
              {field('actor', t('audit.actor'))}
              {field('action', t('audit.action'))}
              {field('subjectType', t('audit.subjectType'))}
              {field('subjectId', t('audit.subjectId'))}
              {field('from', t('audit.from'), 'date')}
              {field('to', t('audit.to'), 'date')}
            </SimpleGrid>
            <Group justify="flex-end" mt="sm" gap="xs">
              <Button
                variant="default"
                onClick={() => {
                  setDraft(EMPTY_FILTERS);
                  setRangeError(null);
                  apply(EMPTY_FILTERS);
                }}
              >
                {t('common.clear')}
              </Button>
              <Button type="submit" loading={list.isFetching}>
                {t('common.search')}
              </Button>
            </Group>
          </form>
        </Card>
      </Collapse>

      {list.isError && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}

      {phone ? (
        <Stack gap="xs" data-testid="audit-cards">
          {list.data?.items.length === 0 && (
            <Text c="dimmed" ta="center" size="sm" py="md">
              {t('audit.noEntries')}
            </Text>
          )}
          {list.data?.items.map((a) => (
            <Card key={a.id} withBorder radius="md" p="sm" onClick={() => setOpen(a)} style={{ cursor: 'pointer' }}>
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text fz="sm" truncate>
                  <ActionLabel code={a.action} />
                </Text>
                <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {fmt.dateTime(a.at)}
                </Text>
              </Group>
              <Text size="sm">
                {a.actor ? a.actor.username : t('audit.system')} → {labels.subject(a.subjectType)}
                {a.subjectId && (
                  <Text span c="dimmed" ff="monospace" fz="xs">
                    {' '}
                    {a.subjectId}
                  </Text>
                )}
              </Text>
              {a.reason && (
                <Text size="xs" c="dimmed">
                  {t('audit.reason')}: {a.reason}
                </Text>
              )}
            </Card>
          ))}
        </Stack>
      ) : (
        <DataTable
          minWidth={760}
          testId="audit-table"
          columns={[t('audit.at'), t('audit.actor'), t('audit.action'), t('audit.subject'), t('audit.reason'), t('audit.details')]}
          emptyText={t('audit.noEntries')}
          isEmpty={list.data?.items.length === 0}
        >
          {list.data?.items.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td fz="sm" style={{ whiteSpace: 'nowrap' }}>
                {fmt.dateTime(a.at)}
              </Table.Td>
              <Table.Td fz="sm">{a.actor ? a.actor.username : <Text span c="dimmed" inherit>{t('audit.system')}</Text>}</Table.Td>
              <Table.Td fz="sm">
                <ActionLabel code={a.action} />
              </Table.Td>
              <Table.Td fz="sm">
                {labels.subject(a.subjectType)}
                {a.subjectId && (
                  <Text span c="dimmed" ff="monospace" fz="xs">
                    {' '}
                    {a.subjectId}
                  </Text>
                )}
              </Table.Td>
              <Table.Td fz="sm">{a.reason ?? t('common.none')}</Table.Td>
              <Table.Td>
                <Button size="compact-xs" variant="subtle" onClick={() => setOpen(a)}>
                  {t('audit.view')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}

      <Pager page={page} pageSize={AUDIT_PAGE_SIZE} total={total} onChange={(p) => apply(applied, p)} />

      <Modal opened={open !== null} onClose={() => setOpen(null)} title={t('audit.detailsTitle')} size="lg">
        {open && (
          <Stack gap="xs">
            <Table variant="vertical" withTableBorder layout="fixed">
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th w={140}>{t('audit.at')}</Table.Th>
                  <Table.Td>{fmt.dateTime(open.at)}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>{t('audit.actor')}</Table.Th>
                  <Table.Td>{open.actor?.username ?? t('audit.system')}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>{t('audit.action')}</Table.Th>
                  <Table.Td>
                    <ActionLabel code={open.action} />
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>{t('audit.subject')}</Table.Th>
                  <Table.Td style={{ wordBreak: 'break-all' }}>
                    {labels.subject(open.subjectType)} {open.subjectId ?? ''}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>{t('audit.reason')}</Table.Th>
                  <Table.Td>{open.reason ?? t('common.none')}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
            <Code block style={{ maxHeight: 360, overflow: 'auto' }}>
              {JSON.stringify(open.details ?? null, null, 2)}
            </Code>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
