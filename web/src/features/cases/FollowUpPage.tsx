import { Alert, Badge, Button, Card, Checkbox, Group, Modal, SegmentedControl, Select, Stack, Table, Tabs, Text, Title, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { useAuth } from '../../app/auth';
import { CardList, DataTable } from '../../lib/DataTable';
import { TemperatureInput, parseTemperature } from '../../lib/TemperatureInput';
import { usePhone } from '../../lib/media';
import { ErrorAlert, useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { UnitPicker } from '../geo/UnitPicker';
import { useAssign, useDue, useGrid, useRecordFollowUp, useTracers, useSeries, useTaskDone, useTasks, type GridCell, type Subject } from './api';
import { TemperatureChart } from './charts';
import { PhoneLink } from './ContactsTable';
import { useCasesT, useLabel } from './i18n';
import './i18n';

const CELL: Record<GridCell['state'], { bg: string; mark: string }> = {
  well: { bg: '#d3f9d8', mark: '✓' },
  symptoms: { bg: '#ffe8cc', mark: '!' },
  fever: { bg: '#ffc9c9', mark: '°' },
  missing: { bg: '#f1f3f5', mark: '·' },
  out: { bg: 'transparent', mark: '' },
};
const SYMPTOMS = ['cough', 'sore_throat', 'shortness_of_breath', 'loss_of_taste_smell', 'fatigue', 'diarrhea', 'headache'];

/** /followups: the grid of days per person, today's non-reporting list, test referrals; record a day; temperature chart. */
export default function FollowUpPage() {
  const tc = useCasesT();
  const [tab, setTab] = useState<string | null>('due');
  const [person, setPerson] = useState<Subject | null>(null);
  const { user } = useAuth();
  // a tracer opens on their own list for today; officers on their area's
  const [whose, setWhose] = useState<string>(user.role === 'contact_tracer' ? 'mine' : 'area');
  const { can } = useAuth();
  const [unit, setUnit] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const assigning = whose === 'area' && can('cases.write');
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {tc('followups.title')}
      </Title>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="due">{tc('followups.due')}</Tabs.Tab>
          <Tabs.Tab value="grid">{tc('followups.grid')}</Tabs.Tab>
          <Tabs.Tab value="tasks">{tc('followups.tasks')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="due" pt="md">
          <SegmentedControl
            mb="sm"
            value={whose}
            onChange={setWhose}
            data={[
              { value: 'mine', label: tc('followups.mine') },
              { value: 'area', label: tc('followups.area') },
            ]}
          />
          {whose === 'area' && <UnitPicker label={tc('followups.areaFilter')} testId="due-unit" value={unit} onChange={(c) => (setUnit(c), setSelected(new Set()))} clearable />}
          {assigning && <AssignBar unit={unit} selected={selected} onDone={() => setSelected(new Set())} />}
          <SubjectGrid useData={useDue} query={whose === 'mine' ? { mine: true } : unit ? { unit } : {}} onPick={setPerson} selected={assigning ? selected : undefined} onSelect={setSelected} />
        </Tabs.Panel>
        <Tabs.Panel value="grid" pt="md">
          <SubjectGrid useData={useGrid} onPick={setPerson} />
        </Tabs.Panel>
        <Tabs.Panel value="tasks" pt="md">
          <Tasks />
        </Tabs.Panel>
      </Tabs>
      <PersonModal person={person} onClose={() => setPerson(null)} />
    </Stack>
  );
}

/** Give the selected people to a tracer of the area (their daily list), or take them off every list. */
function AssignBar({ unit, selected, onDone }: { unit: string | null; selected: Set<string>; onDone(): void }) {
  const tc = useCasesT();
  const errorText = useErrorMessage();
  const tracers = useTracers(unit, true);
  const assign = useAssign();
  const [tracer, setTracer] = useState<string | null>(null);
  const go = (tracerUserId: string | null) => assign.mutate({ tracerUserId, personIds: [...selected] }, { onSuccess: onDone });
  return (
    <Card withBorder my="sm" data-testid="assign-bar">
      <Group align="flex-end" gap="sm">
        <Select
          label={tc('followups.tracer')}
          data-testid="assign-tracer"
          value={tracer}
          onChange={setTracer}
          data={(tracers.data?.items ?? []).map((x) => ({ value: x.id, label: `${x.displayName} · ${x.unitName} (${x.assigned})` }))}
          w={320}
        />
        <Button disabled={!tracer || selected.size === 0} loading={assign.isPending} onClick={() => go(tracer)}>
          {tc('followups.assign', { n: selected.size })}
        </Button>
        <Button variant="light" color="gray" disabled={selected.size === 0} loading={assign.isPending} onClick={() => go(null)}>
          {tc('followups.unassign')}
        </Button>
      </Group>
      {assign.isError && (
        <Alert color="red" mt="sm">
          {errorText(assign.error)}
        </Alert>
      )}
    </Card>
  );
}

function SubjectGrid({ useData, query = {}, onPick, selected, onSelect }: { useData: typeof useGrid; query?: Record<string, string | boolean>; onPick(s: Subject): void; selected?: Set<string>; onSelect?(s: Set<string>): void }) {
  const tc = useCasesT();
  const label = useLabel();
  const fmt = useFormat();
  const q = useData(query);
  // on a phone: a card per person (today, last temperature, days left, one tap to record), not a grid to scroll
  const phone = usePhone();
  if (q.isError) return <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return null;
  const all = q.data.items.map((s) => s.personId);
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    onSelect?.(next);
  };
  const selectAll = selected && (
    <Checkbox
      my="xs"
      label={tc('followups.selectAll')}
      data-testid="select-all"
      checked={all.length > 0 && all.every((id) => selected.has(id))}
      onChange={(e) => onSelect?.(e.currentTarget.checked ? new Set(all) : new Set())}
    />
  );
  if (phone)
    return (
      <>
        {selectAll}
        <SubjectCards items={q.data.items} onPick={onPick} selected={selected} onToggle={toggle} />
      </>
    );
  return (
    <>
    {selectAll}
    <DataTable
      testId="followup-grid"
      minWidth={800}
      isEmpty={q.data.items.length === 0}
      emptyText={tc('followups.empty')}
      columns={[
        ...(selected ? [''] : []),
        tc('fields.fullName'), tc('fields.phone'), tc('fields.unit'), tc('fields.level'), tc('followups.tracer'), ...q.data.days.map((d) => fmt.shortDay(d)), '']}>
      {q.data.items.map((s) => (
        <Table.Tr key={s.personId}>
          {selected && (
            <Table.Td>
              <Checkbox aria-label={s.fullName} checked={selected.has(s.personId)} onChange={(e) => toggle(s.personId, e.currentTarget.checked)} />
            </Table.Td>
          )}
          <Table.Td>
            {s.fullName}
            {s.flagged && (
              <Badge ml={6} color="red" size="xs">
                {tc('contacts.flagged')}
              </Badge>
            )}
          </Table.Td>
          <Table.Td>
            <PhoneLink phone={s.phone} />
          </Table.Td>
          <Table.Td>{s.unitName}</Table.Td>
          <Table.Td>{s.kind === 'case' ? tc('followups.case') : `F${s.level}`}</Table.Td>
          <Table.Td>{s.tracer ?? '—'}</Table.Td>
          {s.cells.map((c) => (
            <Table.Td key={c.day} style={{ background: CELL[c.state].bg, textAlign: 'center' }} data-state={c.state}>
              <Tooltip label={`${label('followups.states', c.state)}${c.temperature !== null ? ` · ${fmt.number(c.temperature)} °C` : ''}`} disabled={c.state === 'out'}>
                <span>{c.temperature !== null ? fmt.number(c.temperature) : CELL[c.state].mark}</span>
              </Tooltip>
            </Table.Td>
          ))}
          <Table.Td>
            <Button size="xs" variant="light" onClick={() => onPick(s)}>
              {tc('followups.record')}
            </Button>
          </Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
    </>
  );
}

const STATE_COLOR: Record<GridCell['state'], string> = { well: 'teal', symptoms: 'orange', fever: 'red', missing: 'gray', out: 'gray' };

/** The phone's follow-up list: one card per person, what a tracer needs before the call, one tap to record. */
function SubjectCards({ items, onPick, selected, onToggle }: { items: Subject[]; onPick(s: Subject): void; selected?: Set<string>; onToggle(id: string, on: boolean): void }) {
  const tc = useCasesT();
  const label = useLabel();
  const fmt = useFormat();
  return (
    <CardList testId="followup-grid" isEmpty={items.length === 0} emptyText={tc('followups.empty')}>
      {items.map((s) => (
        <Card key={s.personId} withBorder padding="sm" data-testid="followup-card" data-today={s.today.state}>
          <Group gap="xs" wrap="nowrap" align="flex-start">
            {selected && <Checkbox aria-label={s.fullName} checked={selected.has(s.personId)} onChange={(e) => onToggle(s.personId, e.currentTarget.checked)} mt={2} />}
            <Stack gap={4} style={{ flex: 1, minWidth: 0 }}>
              <Group gap={6} wrap="nowrap" justify="space-between">
                <Text fw={600} size="sm" style={{ minWidth: 0 }}>
                  {s.fullName}
                  {s.flagged && (
                    <Badge ml={6} color="red" size="xs">
                      {tc('contacts.flagged')}
                    </Badge>
                  )}
                </Text>
                <Badge variant="light" style={{ flexShrink: 0 }}>
                  {s.kind === 'case' ? tc('followups.case') : `F${s.level}`}
                </Badge>
              </Group>
              <Group gap="xs">
                <PhoneLink phone={s.phone} />
                <Text size="xs" c="dimmed">
                  {[s.unitName, s.tracer].filter(Boolean).join(' · ')}
                </Text>
              </Group>
              <Group gap="xs" data-testid="followup-today">
                <Text size="xs">{tc('followups.today')}:</Text>
                <Badge size="sm" color={STATE_COLOR[s.today.state]} variant={s.today.state === 'missing' ? 'outline' : 'filled'}>
                  {s.today.state === 'out' ? '—' : label('followups.states', s.today.state)}
                </Badge>
              </Group>
              <Text size="xs" data-testid="followup-facts">
                {tc('followups.lastTemperature')}: {s.lastTemperature ? `${fmt.number(s.lastTemperature.value)} °C (${fmt.shortDay(s.lastTemperature.day)})` : tc('followups.noTemperature')}
                {s.daysLeft !== null && ` · ${s.daysLeft === 0 ? tc('followups.lastDay') : tc('followups.daysLeft', { n: s.daysLeft })}`}
              </Text>
              <Button fullWidth size="sm" variant={s.today.state === 'missing' ? 'filled' : 'light'} onClick={() => onPick(s)}>
                {tc('followups.record')}
              </Button>
            </Stack>
          </Group>
        </Card>
      ))}
    </CardList>
  );
}

function PersonModal({ person, onClose }: { person: Subject | null; onClose(): void }) {
  const tc = useCasesT();
  const label = useLabel();
  const errorText = useErrorMessage();
  const { can } = useAuth();
  const series = useSeries(person?.personId ?? null);
  const record = useRecordFollowUp();
  const [temp, setTemp] = useState('');
  const [tempError, setTempError] = useState<string | null>(null);
  const [symptoms, setSymptoms] = useState<string[]>([]);
  const [channel, setChannel] = useState('tracer');
  const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' });
  const save = () => {
    if (!person) return;
    const temperature = parseTemperature(temp);
    if (temperature === undefined) return setTempError(tc('followups.temperatureInvalid'));
    setTempError(null);
    record.mutate({ personId: person.personId, day: today, symptoms: symptoms.length > 0, temperature, symptomList: symptoms, channel });
  };
  return (
    <Modal opened={!!person} onClose={onClose} title={person?.fullName} size="lg">
      <Stack>
        <Text fw={600}>{tc('followups.chart')}</Text>
        {series.data && <TemperatureChart points={series.data.items} threshold={series.data.feverThreshold} />}
        {can('followup.write') && (
          <Card withBorder>
            <Stack>
              <TemperatureInput label={tc('followups.temperature')} value={temp} onChange={(v) => (setTemp(v), setTempError(null))} placeholder="37,0" error={tempError} w={180} />
              <Checkbox.Group label={tc('followups.symptoms')} value={symptoms} onChange={setSymptoms}>
                <Group mt={4}>
                  {SYMPTOMS.map((s) => (
                    <Checkbox key={s} value={s} label={label('symptomNames', s)} />
                  ))}
                </Group>
              </Checkbox.Group>
              <SegmentedControl value={channel} onChange={setChannel} data={['tracer', 'robot_call', 'self'].map((v) => ({ value: v, label: label('followups.channels', v) }))} />
              {record.isError && <Alert color="red">{errorText(record.error)}</Alert>}
              {record.data?.fever && <Alert color="red">{tc('followups.fever')}</Alert>}
              {record.isSuccess && !record.data.fever && <Alert color="teal">{tc('followups.saved')}</Alert>}
              <Button onClick={save} loading={record.isPending}>
                {tc('save')}
              </Button>
            </Stack>
          </Card>
        )}
      </Stack>
    </Modal>
  );
}

function Tasks() {
  const tc = useCasesT();
  const label = useLabel();
  const fmt = useFormat();
  const tasks = useTasks();
  // the server writes why in codes ("symptoms: cough, fever"; "symptoms: reported" when none was named)
  const reason = (r: string) => {
    const m = /^symptoms: (.*)$/.exec(r);
    if (!m) return r;
    const named = m[1] === 'reported' ? [] : m[1]!.split(', ').map((x) => label('symptomNames', x));
    return [tc('followups.symptoms'), ...(named.length ? [named.join(', ')] : [])].join(': ');
  };
  const done = useTaskDone();
  const { can } = useAuth();
  if (!tasks.data) return null;
  return (
    <DataTable testId="tasks-table" minWidth={600} isEmpty={tasks.data.items.length === 0} emptyText={tc('followups.empty')} columns={[tc('fields.fullName'), tc('fields.phone'), tc('fields.notes'), tc('followups.since'), '']}>
      {tasks.data.items.map((t) => (
        <Table.Tr key={t.id}>
          <Table.Td>{t.fullName}</Table.Td>
          <Table.Td>
            <PhoneLink phone={t.phone} />
          </Table.Td>
          <Table.Td>{reason(t.reason)}</Table.Td>
          <Table.Td>{fmt.dateTime(t.createdAt)}</Table.Td>
          <Table.Td>
            {can('followup.write') && (
              <Button size="xs" variant="light" onClick={() => done.mutate(t.id)}>
                {tc('followups.done')}
              </Button>
            )}
          </Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}
