// Retest tasks (everyone in a positive pool gets an individual test) and resampling tasks (an invalid result): the
// open work of the caller's area, filtered by status and area, each marked done (or cancelled) with a note.
import { Button, Card, Group, Popover, SegmentedControl, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useAuth } from '../../app/auth';
import { DataTable, Pager } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { TESTING_PAGE_SIZE, useCloseTask, useTasks, type Task, type TaskKind, type TaskListQuery } from './api';
import { useTestingT } from './i18n';

function CloseButton({ task }: { task: Task }) {
  const t = useTestingT();
  const close = useCloseTask();
  const [note, setNote] = useState('');
  const [opened, setOpened] = useState(false);
  const run = (status: 'done' | 'cancelled') =>
    close.mutate({ id: task.id, status, note: note.trim() || undefined }, { onSuccess: () => setOpened(false) });
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" withArrow trapFocus>
      <Popover.Target>
        <Button size="compact-sm" variant="light" onClick={() => setOpened((o) => !o)}>
          {t('tasks.markDone')}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" w={260}>
          <Textarea label={t('tasks.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={500} autosize minRows={2} />
          {close.isError && <ErrorAlert error={close.error} />}
          <Group justify="space-between">
            <Button size="xs" variant="subtle" color="gray" loading={close.isPending && close.variables?.status === 'cancelled'} onClick={() => run('cancelled')}>
              {t('tasks.cancel')}
            </Button>
            <Button size="xs" loading={close.isPending && close.variables?.status === 'done'} onClick={() => run('done')}>
              {t('tasks.confirmDone')}
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

export default function TasksPage({ kind }: { kind: TaskKind }) {
  const t = useTestingT();
  const fmt = useFormat();
  const { can } = useAuth();
  const [status, setStatus] = useState<TaskListQuery['status']>('open');
  const [unit, setUnit] = useState('');
  const [page, setPage] = useState(1);
  const q = useTasks({ kind, status, unit: unit.trim() || null, page });
  const items = q.data?.items ?? [];
  const mayClose = can('testing.manage');
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={3} size="h4">
          {kind === 'retest' ? t('tasks.retests') : t('tasks.resamples')}
        </Title>
        <Group gap="sm" align="end">
          <SegmentedControl
            value={status}
            onChange={(v) => (setStatus(v as TaskListQuery['status']), setPage(1))}
            data={[
              { value: 'open', label: t('tasks.open') },
              { value: 'done', label: t('tasks.done') },
              { value: 'cancelled', label: t('tasks.cancelled') },
            ]}
          />
          <TextInput label={t('tasks.unit')} placeholder="40 / 412" value={unit} onChange={(e) => (setUnit(e.currentTarget.value), setPage(1))} w={140} />
          <Text size="sm" c="dimmed" data-testid="tasks-total">
            {t('tasks.total', { n: fmt.number(q.data?.total ?? 0) })}
          </Text>
        </Group>
        {q.isError && <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />}
        <DataTable
          columns={[t('tasks.person'), t('tasks.phone'), t('tasks.tube'), t('tasks.area'), t('tasks.since'), status === 'open' ? '' : t('tasks.closed')]}
          minWidth={720}
          testId={`tasks-${kind}`}
          emptyText={t('tasks.none')}
          isEmpty={!q.isPending && items.length === 0}
        >
          {items.map((x) => (
            <Table.Tr key={x.id} data-testid="task-row">
              <Table.Td>
                <Text size="sm" fw={500}>
                  {x.person.fullName}
                </Text>
                {x.person.birthYear && (
                  <Text size="xs" c="dimmed">
                    {x.person.birthYear}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {x.person.phone ? (
                  <Text size="sm" component="a" href={`tel:${x.person.phone}`}>
                    {x.person.phone}
                  </Text>
                ) : (
                  '—'
                )}
              </Table.Td>
              <Table.Td>
                <Text ff="monospace" size="sm">
                  {x.tubeCode}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{x.communeCode}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{fmt.dateTime(x.since)}</Text>
              </Table.Td>
              <Table.Td>
                {status === 'open' ? (
                  mayClose && <CloseButton task={x} />
                ) : (
                  <Text size="xs" c="dimmed">
                    {fmt.dateTime(x.closedAt)}
                    {x.note ? ` · ${x.note}` : ''}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
        <Pager page={page} pageSize={TESTING_PAGE_SIZE} total={q.data?.total ?? 0} onChange={setPage} />
      </Stack>
    </Card>
  );
}
