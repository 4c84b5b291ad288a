import { Alert, Anchor, Badge, Button, Card, Group, Loader, Select, SimpleGrid, Stack, Tabs, Text, TextInput, Timeline, Title } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useAuth } from '../../app/auth';
import { PageLoader } from '../../app/pages';
import { ErrorAlert, useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useCase, useCaseContacts, useCaseGraph, useCaseMutations, useTimeline, type CaseItem, type TimelineEntry } from './api';
import { TransmissionGraph } from './charts';
import { ContactsTable, PhoneLink } from './ContactsTable';
import { useCasesT, useLabel } from './i18n';
import { STATUS_COLOR } from './CaseListPage';

const TRACE_COLOR: Record<string, string> = { pending: 'gray', running: 'blue', done: 'teal', failed: 'red' };

export default function CaseDetailPage() {
  const { id = '' } = useParams();
  const tc = useCasesT();
  const label = useLabel();
  const fmt = useFormat();
  const { can } = useAuth();
  const q = useCase(id);
  const traceKey = q.data ? `${q.data.case.trace.status}:${q.data.case.trace.finishedAt}` : undefined;
  const contacts = useCaseContacts(id, traceKey);
  const timeline = useTimeline(id, traceKey);
  const graph = useCaseGraph(id, traceKey);
  const m = useCaseMutations(id);
  const [tab, setTab] = useState<string | null>('timeline');
  // the server's timeline carries codes and ISO days; say them in the page's language
  const timelineTitle = (e: TimelineEntry) =>
    e.kind === 'isolated' ? label('isolations', e.title) : e.kind === 'followup' ? label('followups.states', e.title) : e.kind === 'declaration' ? label('declarationKinds', e.title) : e.title;
  const timelineDetail = (e: TimelineEntry) => {
    if (e.kind === 'confirmed') return label('sources', e.detail);
    // where it was declared (name and code), and whether it raised a flag
    if (e.kind === 'declaration') return [e.venue ? `${e.venue.name} (${e.venue.code})` : '', e.detail === 'flagged' ? tc('timelineFlagged') : ''].filter(Boolean).join(' · ');
    if (e.kind === 'contacts') {
      const [n, origin] = e.detail.split(' · ');
      return `${tc('timelinePeople', { n: Number(n) })} · ${label('origins', origin ?? '')}`;
    }
    if (e.kind === 'followup') return e.detail.split(', ').map((x) => (/°C$/.test(x) ? `${fmt.number(Number(x.replace(' °C', '')))} °C` : label('symptomNames', x))).join(', ');
    return e.detail;
  };

  if (q.isPending) return <PageLoader />;
  if (q.isError) return <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  const c = q.data.case;
  const tracing = c.trace.status === 'pending' || c.trace.status === 'running';
  return (
    <Stack gap="md">
      <div>
        <Anchor component={Link} to=".." relative="path" size="sm">
          ← {tc('back')}
        </Anchor>
        <Group gap="sm" align="center">
          <Title order={1} size="h2" data-testid="case-code">
            {c.code}
          </Title>
          <Text fz="xl">{c.person.fullName}</Text>
          <Badge color={STATUS_COLOR[c.status]} data-testid="case-status">
            {label('statuses', c.status)}
          </Badge>
        </Group>
      </div>
      {c.status === 'discarded' && c.statusReason && (
        <Alert color="gray" title={tc('discarded.title')} data-testid="case-discarded">
          {c.statusReason}
        </Alert>
      )}
      {c.review && (
        <Alert color="orange" title={tc('review.title')} data-testid="case-review">
          <Text size="sm">{c.review.reason}</Text>
          <Button mt="sm" size="xs" variant="light" loading={m.update.isPending} onClick={() => m.update.mutate({ reviewed: true })}>
            {tc('review.done')}
          </Button>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Info c={c} />
        </Card>
        <Card withBorder data-testid="trace-card">
          <Group justify="space-between">
            <Text fw={600}>{tc('trace.title')}</Text>
            <Badge color={TRACE_COLOR[c.trace.status]} data-testid="trace-status" data-status={c.trace.status}>
              {tracing && <Loader size={10} mr={6} color="white" />}
              {label('trace', c.trace.status)}
            </Badge>
          </Group>
          <Group mt="sm" gap="xl">
            <Stat label="F1" value={c.contactCounts.f1} />
            <Stat label="F2" value={c.contactCounts.f2} />
            {c.contactCounts.deeper > 0 && <Stat label="F3+" value={c.contactCounts.deeper} />}
          </Group>
          {c.trace.massExposures.length > 0 && (
            <Alert color="orange" mt="sm" title={tc('trace.mass.title')} data-testid="mass-exposures">
              {c.trace.massExposures.map((x) => (
                <Text size="sm" key={`${x.level}:${x.venue.id}:${x.from}`} data-testid="mass-exposure">
                  {tc('trace.mass.item', { people: x.peopleCount, venue: x.venue.name, code: x.venue.code, from: fmt.dateTime(x.from), to: fmt.dateTime(x.to), sources: x.sourcesCount, level: x.level, prev: x.level - 1 })}
                  {x.withdrawn ? ` (${tc('trace.mass.withdrawn')})` : ''}
                </Text>
              ))}
              <Text size="xs" c="dimmed" mt={4}>
                {tc('trace.mass.rule', { threshold: c.trace.counts.massThreshold ?? '?' })}
              </Text>
            </Alert>
          )}
          {c.trace.error && (
            <Alert color="red" mt="sm">
              {c.trace.error}
            </Alert>
          )}
          <Text size="xs" c="dimmed" mt="sm">
            {tc('fields.window')}: {fmt.dateTime(c.window.from)} → {fmt.dateTime(c.window.to)}
          </Text>
          {can('cases.write') && (
            <Button mt="sm" size="xs" variant="light" onClick={() => m.retrace.mutate()} loading={m.retrace.isPending} disabled={tracing}>
              {tc('trace.again')}
            </Button>
          )}
        </Card>
      </SimpleGrid>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="timeline">{tc('tabs.timeline')}</Tabs.Tab>
          <Tabs.Tab value="contacts">
            {tc('tabs.contacts')} ({contacts.data?.total ?? '…'})
          </Tabs.Tab>
          <Tabs.Tab value="graph">{tc('tabs.graph')}</Tabs.Tab>
          {can('cases.write') && <Tabs.Tab value="add">{tc('tabs.add')}</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="timeline" pt="md">
          {timeline.data && (
            <Timeline bulletSize={14} lineWidth={2} data-testid="case-timeline">
              {timeline.data.items.map((e, i) => (
                <Timeline.Item key={i} title={['window', 'onset', 'test'].includes(e.kind) ? label('timeline', e.kind) : `${label('timeline', e.kind)} · ${timelineTitle(e)}`} color={e.kind === 'confirmed' ? 'red' : e.kind === 'checkin' ? 'blue' : 'gray'}>
                  <Text size="xs" c="dimmed">
                    {e.kind === 'onset' || e.kind === 'test' ? fmt.day(e.title) : fmt.dateTime(e.at)} {(e.detail || e.venue) && `· ${timelineDetail(e)}`}
                  </Text>
                </Timeline.Item>
              ))}
            </Timeline>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="contacts" pt="md">
          {contacts.isError && <ErrorAlert error={contacts.error} />}
          {contacts.data && <ContactsTable items={contacts.data.items} />}
        </Tabs.Panel>
        <Tabs.Panel value="graph" pt="md">
          {graph.data && <TransmissionGraph graph={graph.data} />}
          {graph.data?.truncated && <Text c="dimmed">{tc('graph.truncated')}</Text>}
        </Tabs.Panel>
        <Tabs.Panel value="add" pt="md">
          <AddContact caseId={c.id} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text fz={28} fw={700} data-testid={`count-${label}`}>
        {value}
      </Text>
    </div>
  );
}

function Info({ c }: { c: CaseItem }) {
  const tc = useCasesT();
  const label = useLabel();
  const fmt = useFormat();
  const rows: [string, ReactNode][] = [
    [tc('fields.phone'), <PhoneLink key="phone" phone={c.person.phone} />],
    [tc('fields.commune'), c.commune?.name ?? '—'],
    [tc('fields.confirmedAt'), fmt.dateTime(c.confirmedAt)],
    [tc('fields.onset'), fmt.day(c.onsetDate)],
    [tc('fields.test'), fmt.day(c.testDate)],
    [tc('fields.source'), label('sources', c.source)],
    [tc('fields.isolation'), `${label('isolations', c.isolation)}${c.place ? ` · ${c.place.name}` : ''}`],
  ];
  return (
    <Stack gap={4}>
      {rows.map(([k, v]) => (
        <Group key={k} gap="xs">
          <Text size="sm" c="dimmed" w={170}>
            {k}
          </Text>
          <Text size="sm">{v}</Text>
        </Group>
      ))}
    </Stack>
  );
}

function AddContact({ caseId }: { caseId: string }) {
  const tc = useCasesT();
  const label = useLabel();
  const errorText = useErrorMessage();
  const { addContact } = useCaseMutations(caseId);
  const [f, setF] = useState({ fullName: '', phone: '', nationalId: '', communeCode: '', relation: 'household', lastExposureDate: new Date().toISOString().slice(0, 10) });
  const [done, setDone] = useState(false);
  const submit = () =>
    addContact.mutate(
      { person: { fullName: f.fullName, phone: f.phone || null, nationalId: f.nationalId || null, communeCode: f.communeCode || null }, relation: f.relation, lastExposureDate: f.lastExposureDate },
      { onSuccess: () => setDone(true) },
    );
  return (
    <Stack maw={520}>
      <TextInput label={tc('fields.fullName')} value={f.fullName} onChange={(e) => setF({ ...f, fullName: e.currentTarget.value })} required />
      <TextInput label={tc('fields.phone')} value={f.phone} onChange={(e) => setF({ ...f, phone: e.currentTarget.value })} />
      <TextInput label={tc('fields.nationalId')} value={f.nationalId} onChange={(e) => setF({ ...f, nationalId: e.currentTarget.value })} />
      <TextInput label={tc('fields.commune')} value={f.communeCode} onChange={(e) => setF({ ...f, communeCode: e.currentTarget.value })} />
      <Select label={tc('fields.relation')} value={f.relation} onChange={(v) => setF({ ...f, relation: v ?? 'household' })} data={['household', 'workplace', 'travel', 'other'].map((v) => ({ value: v, label: label('relations', v) }))} />
      <TextInput type="date" label={tc('fields.lastExposureDate')} value={f.lastExposureDate} onChange={(e) => setF({ ...f, lastExposureDate: e.currentTarget.value })} />
      {addContact.isError && <Alert color="red">{errorText(addContact.error)}</Alert>}
      {done && !addContact.isError && <Alert color="teal">{tc('followups.saved')}</Alert>}
      <Button onClick={submit} loading={addContact.isPending}>
        {tc('save')}
      </Button>
    </Stack>
  );
}
