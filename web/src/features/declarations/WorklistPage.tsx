import { Anchor, Badge, Button, Group, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { DataTable, Pager } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { SEVERITIES, useDashboard, useWorklist, WORKLIST_PAGE_SIZE, WORKLIST_STATUSES, WORKLIST_VIEWS, type WorklistFilters } from './api';
import { useDeclT, useLang } from './i18n';
import { actionLabel, SEVERITY_COLOR, severityLabel, STATUS_COLOR, statusLabel } from './labels';

function Stat({ label, value, color }: { label: string; value: number | undefined; color?: string }) {
  const fmt = useFormat();
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={28} fw={700} c={color}>
        {fmt.number(value)}
      </Text>
    </div>
  );
}

export default function WorklistPage() {
  const td = useDeclT();
  const lang = useLang();
  const fmt = useFormat();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<WorklistFilters>({ view: 'all', status: 'active', severity: null, unit: null, from: null, to: null });
  const [page, setPage] = useState(1);
  const list = useWorklist(filters, page);
  const today = useDashboard(null, null, filters.unit);
  const total = list.data?.total ?? 0;
  const set = (patch: Partial<WorklistFilters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setPage(1);
  };
  const day = today.data?.byDay.at(-1); // the range ends today and lists every day, so this is today's row

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {td('worklist.title')}
        </Title>
        <Group gap="xs">
          <Button variant="light" component={Link} to="dashboard">
            {td('worklist.dashboard')}
          </Button>
          <Button variant="subtle" component={Link} to="config">
            {td('worklist.config')}
          </Button>
        </Group>
      </Group>

      {today.data && (
        <SimpleGrid cols={{ base: 3 }} maw={560}>
          <Stat label={td('dashboard.totalToday')} value={day?.declarations} />
          <Stat label={td('dashboard.flaggedToday')} value={day?.flagged} color="orange.7" />
          <Stat label={td('dashboard.open')} value={today.data.totals.open} color="red.7" />
        </SimpleGrid>
      )}

      <SegmentedControl
        aria-label={td('worklist.view')}
        data={WORKLIST_VIEWS.map((v) => ({ value: v, label: td(v === 'all' ? 'worklist.viewAll' : v === 'follow_up' ? 'worklist.viewFollowUp' : 'worklist.viewVenue') }))}
        value={filters.view}
        onChange={(v) => set({ view: WORKLIST_VIEWS.find((x) => x === v) ?? 'all' })}
        style={{ alignSelf: 'flex-start', maxWidth: '100%' }}
        styles={{ root: { flexWrap: 'wrap' } }}
      />

      <Group gap="sm" align="flex-end">
        <Select
          label={td('worklist.status')}
          data={WORKLIST_STATUSES.map((s) => ({ value: s, label: statusLabel(td, s) }))}
          value={filters.status}
          onChange={(v) => set({ status: WORKLIST_STATUSES.find((s) => s === v) ?? 'active' })}
          allowDeselect={false}
          w={200}
        />
        <Select
          label={td('worklist.severity')}
          placeholder={td('worklist.anySeverity')}
          data={SEVERITIES.map((s) => ({ value: s, label: severityLabel(td, s) }))}
          value={filters.severity}
          onChange={(v) => set({ severity: SEVERITIES.find((s) => s === v) ?? null })}
          clearable
          w={170}
        />
        <TextInput type="date" label={td('worklist.from')} value={filters.from ?? ''} onChange={(e) => set({ from: e.currentTarget.value || null })} w={160} />
        <TextInput type="date" label={td('worklist.to')} value={filters.to ?? ''} onChange={(e) => set({ to: e.currentTarget.value || null })} w={160} />
        <TextInput
          label={td('worklist.unit')}
          placeholder="40 / 412 / 16681"
          value={filters.unit ?? ''}
          onChange={(e) => set({ unit: e.currentTarget.value.trim() || null })}
          w={150}
        />
      </Group>

      {list.isError && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}

      <DataTable
        minWidth={900}
        testId="worklist"
        columns={[
          td('worklist.severity'),
          td('worklist.submittedAt'),
          td('worklist.person'),
          td('worklist.reasons'),
          td('worklist.followedBy'),
          td('worklist.status'),
          td('worklist.lastAction'),
        ]}
        emptyText={td('worklist.empty')}
        isEmpty={list.data?.items.length === 0}
      >
        {list.data?.items.map((d) => (
          <Table.Tr key={d.id} style={{ cursor: 'pointer' }} onClick={() => navigate(d.id)}>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              {d.severity && (
                <Badge color={SEVERITY_COLOR[d.severity]} variant="filled" style={{ overflow: 'visible' }}>
                  {severityLabel(td, d.severity)}
                </Badge>
              )}
            </Table.Td>
            <Table.Td fz="sm">
              <Anchor component={Link} to={d.id} onClick={(e) => e.stopPropagation()}>
                {fmt.dateTime(d.submittedAt)}
              </Anchor>
              <Text size="xs" c="dimmed">
                {d.form.title[lang]}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">
                {d.subject.fullName}
                {d.subject.birthYear ? ` (${d.subject.birthYear})` : ''}
              </Text>
              <Text size="xs" c="dimmed" ff="monospace">
                {d.subject.phoneMasked ?? ''} {d.forDependant ? `· ${td('worklist.forDependant')}` : ''}
              </Text>
            </Table.Td>
            <Table.Td>
              <Group gap={4}>
                {d.hits.map((h) => (
                  <Badge key={h.key} size="sm" variant="light" color={SEVERITY_COLOR[h.severity]}>
                    {h.name[lang]}
                  </Badge>
                ))}
              </Group>
            </Table.Td>
            <Table.Td fz="sm" data-testid="followed-by">
              <Text size="sm">{d.responsibleUnit.name}</Text>
              {!d.mayAct && (
                <Tooltip label={td('worklist.readOnlyHint')} multiline maw={320} withinPortal>
                  <Badge size="sm" variant="outline" color="gray" style={{ overflow: 'visible' }}>
                    {td('worklist.readOnly')}
                  </Badge>
                </Tooltip>
              )}
              {d.venue && (
                <Text size="xs" c="dimmed">
                  {td('worklist.atVenue', { name: d.venue.name })}
                </Text>
              )}
            </Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              <Badge color={STATUS_COLOR[d.status]} variant="dot" style={{ overflow: 'visible' }}>
                {statusLabel(td, d.status)}
              </Badge>
            </Table.Td>
            <Table.Td fz="xs">
              {d.lastAction && (
                <Tooltip label={d.lastAction.note} multiline maw={320} withinPortal>
                  <span>
                    {actionLabel(td, d.lastAction.action)} · {fmt.dateTime(d.lastAction.at)}
                    {d.lastAction.by ? ` · ${d.lastAction.by}` : ''}
                  </span>
                </Tooltip>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>

      <Pager page={page} pageSize={WORKLIST_PAGE_SIZE} total={total} onChange={setPage} />
    </Stack>
  );
}
