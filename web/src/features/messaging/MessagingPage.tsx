// Officers' SMS page (/messaging): campaigns (a list file or a saved filter, dry run first, progress per status),
// the messages sent in their area, daily figures per area and purpose, and the opt-out list.
import { Alert, Badge, Button, Card, FileInput, Group, Progress, Radio, Select, SimpleGrid, Stack, Table, Tabs, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useAuth } from '../../app/auth';
import { isApiError } from '../../lib/api';
import { ErrorAlert } from '../../lib/errors';
import { UnitPicker } from '../geo/UnitPicker';
import { TemplatesTab } from './TemplatesTab';
import { readListFile, useExposureNotices, useCampaignMutations, useCampaigns, useFigures, useNotifications, useOptOuts, type CampaignBody, type DryRunResponse } from './api';
import { useMsgT, usePurposeLabel, type MessagingKey } from './i18n';

const day = (d: Date) => d.toISOString().slice(0, 10);

function StatusBadge({ status }: { status: string }) {
  const tm = useMsgT();
  const color = { delivered: 'green', done: 'green', failed: 'red', cancelled: 'gray', opted_out: 'gray', running: 'blue', sending: 'blue', accepted: 'cyan' }[status] ?? 'yellow';
  return <Badge color={color}>{tm(`statuses.${status}` as MessagingKey)}</Badge>;
}

function CampaignForm() {
  const tm = useMsgT();
  const { user } = useAuth();
  const m = useCampaignMutations();
  const [name, setName] = useState('');
  const [textVi, setTextVi] = useState('');
  const [textEn, setTextEn] = useState('');
  const [unitCode, setUnitCode] = useState(user.jurisdiction.code);
  const [kind, setKind] = useState<'list' | 'venue_exposure' | 'exposure_notice' | 'commune_contacts' | 'commune_residents'>('list');
  const [noticeId, setNoticeId] = useState<string | null>(null);
  const notices = useExposureNotices(kind === 'exposure_notice');
  const [rows, setRows] = useState<{ phone: string; name?: string; lang?: 'vi' | 'en' }[]>([]);
  const [rowErrors, setRowErrors] = useState<{ row: number; phone: string; message: string }[]>([]);
  const [venueId, setVenueId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [commune, setCommune] = useState<string | null>(null);
  const [scheduledAt, setScheduledAt] = useState('');
  const [dry, setDry] = useState<DryRunResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState(false);

  const body = (): CampaignBody => ({
    name: name.trim(),
    textVi,
    textEn: textEn.trim() || null,
    unitCode,
    scheduledAt: scheduledAt ? new Date(scheduledAt).toISOString() : null,
    source:
      kind === 'list'
        ? { kind, rows }
        : kind === 'venue_exposure'
          ? { kind, venueId: venueId.trim(), from: from ? new Date(from).toISOString() : '', to: to ? new Date(to).toISOString() : '' }
          : kind === 'exposure_notice'
            ? { kind, noticeId: noticeId ?? '' }
            : { kind, communeCode: commune ?? '' },
  });

  async function onFile(file: File | null) {
    setError(null);
    if (!file) return;
    try {
      const r = await readListFile(file);
      setRows(r.rows);
      setRowErrors(r.errors);
    } catch (err) {
      setError(err);
    }
  }

  async function run(e: FormEvent, real: boolean) {
    e.preventDefault();
    setError(null);
    setCreated(false);
    try {
      if (real) {
        await m.create.mutateAsync(body());
        setCreated(true);
        setDry(null);
      } else setDry(await m.dryRun.mutateAsync(body()));
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Card withBorder>
      <form onSubmit={(e) => void run(e, false)} noValidate>
        <Stack>
          <Title order={3} size="h4">
            {tm('campaign.new')}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={tm('campaign.name')} name="name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <UnitPicker label={tm('campaign.unit')} testId="campaign-unit" value={unitCode} onChange={(c) => setUnitCode(c ?? user.jurisdiction.code)} w="100%" />
          </SimpleGrid>
          <Textarea label={tm('campaign.textVi')} description={tm('campaign.textHint')} name="textVi" autosize minRows={2} value={textVi} onChange={(e) => setTextVi(e.currentTarget.value)} />
          <Textarea label={tm('campaign.textEn')} name="textEn" autosize minRows={1} value={textEn} onChange={(e) => setTextEn(e.currentTarget.value)} />
          <Radio.Group label={tm('campaign.source')} value={kind} onChange={(v) => setKind(v as typeof kind)}>
            <Stack gap={4} mt={4}>
              <Radio value="list" label={tm('campaign.sourceList')} />
              <Radio value="venue_exposure" label={tm('campaign.sourceVenue')} />
              <Radio value="exposure_notice" label={tm('campaign.sourceNotice')} />
              <Radio value="commune_contacts" label={tm('campaign.sourceContacts')} />
              <Radio value="commune_residents" label={tm('campaign.sourceCommune')} />
            </Stack>
          </Radio.Group>
          {kind === 'list' && (
            <>
              <FileInput label={tm('campaign.file')} accept=".csv,.xlsx,text/csv" onChange={(f) => void onFile(f)} clearable />
              {rows.length > 0 && <Text size="sm">{tm('campaign.rowsRead', { count: rows.length })}</Text>}
              {rowErrors.length > 0 && (
                <Alert color="orange" title={tm('campaign.rowErrors')}>
                  {rowErrors.slice(0, 20).map((r) => (
                    <div key={r.row}>
                      {r.row}: {r.phone} — {r.message}
                    </div>
                  ))}
                </Alert>
              )}
            </>
          )}
          {kind === 'venue_exposure' && (
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput label={tm('campaign.venueId')} value={venueId} onChange={(e) => setVenueId(e.currentTarget.value)} />
              <TextInput type="datetime-local" label={tm('campaign.from')} value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
              <TextInput type="datetime-local" label={tm('campaign.to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
            </SimpleGrid>
          )}
          {(kind === 'commune_residents' || kind === 'commune_contacts') && <UnitPicker label={tm('campaign.commune')} testId="campaign-commune" value={commune} onChange={setCommune} level="commune" w="100%" />}
          {kind === 'exposure_notice' && (
            <Select
              label={tm('campaign.notice')}
              data-testid="campaign-notice"
              searchable
              value={noticeId}
              onChange={setNoticeId}
              data={(notices.data?.items ?? []).map((n) => ({ value: n.id, label: `${n.venueName}${n.entranceName ? ` (${n.entranceName})` : ''} · ${new Date(n.from).toLocaleString()} – ${new Date(n.to).toLocaleTimeString()}` }))}
            />
          )}
          <TextInput type="datetime-local" label={tm('campaign.scheduledAt')} value={scheduledAt} onChange={(e) => setScheduledAt(e.currentTarget.value)} />
          {error ? <ErrorAlert error={error} /> : null}
          {dry && (
            <Alert color="blue" role="status" title={tm('campaign.dryResult', { count: dry.count, optedOut: dry.optedOut, invalid: dry.invalidCount })}>
              {dry.sample.map((s, i) => (
                <Text key={i} size="sm">
                  {s.phone}: {s.text} ({tm('campaign.parts', { count: s.parts })})
                </Text>
              ))}
              {dry.invalid.slice(0, 20).map((r) => (
                <Text key={`x${r.row}`} size="sm" c="orange.8">
                  {r.row}: {r.phone} — {r.message}
                </Text>
              ))}
            </Alert>
          )}
          {created && (
            <Alert color="green" role="status">
              {tm('campaign.created')}
            </Alert>
          )}
          <Group>
            <Button type="submit" variant="default" loading={m.dryRun.isPending}>
              {tm('campaign.dryRun')}
            </Button>
            <Button onClick={(e) => void run(e as unknown as FormEvent, true)} loading={m.create.isPending} disabled={!dry}>
              {tm('campaign.send')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function Campaigns() {
  const tm = useMsgT();
  const { can } = useAuth();
  const list = useCampaigns();
  const m = useCampaignMutations();
  if (list.isError) return <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <Stack>
      {can('messaging.send') && <CampaignForm />}
      <Table.ScrollContainer minWidth={560}>
        <Table striped aria-label={tm('tabs.campaigns')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{tm('campaign.name')}</Table.Th>
              <Table.Th>{tm('campaign.status')}</Table.Th>
              <Table.Th>{tm('campaign.recipients')}</Table.Th>
              <Table.Th>{tm('campaign.progress')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data?.items ?? []).map((c) => {
              const done = (c.counts.delivered ?? 0) + (c.counts.failed ?? 0) + (c.counts.opted_out ?? 0) + (c.counts.cancelled ?? 0);
              return (
                <Table.Tr key={c.id}>
                  <Table.Td>{c.name}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={c.status} />
                  </Table.Td>
                  <Table.Td>{c.recipients}</Table.Td>
                  <Table.Td miw={160}>
                    <Progress value={c.recipients ? (100 * done) / c.recipients : 0} />
                    <Text size="xs">
                      {Object.entries(c.counts)
                        .map(([k, v]) => `${tm(`statuses.${k}` as MessagingKey)} ${v}`)
                        .join(' · ')}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {can('messaging.send') && (c.status === 'scheduled' || c.status === 'running') && (
                      <Button size="xs" variant="subtle" color="red" onClick={() => m.cancel.mutate(c.id)}>
                        {tm('campaign.cancel')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {list.data?.items.length === 0 && <Text c="dimmed">{tm('campaign.empty')}</Text>}
    </Stack>
  );
}

function Notifications() {
  const tm = useMsgT();
  const purpose = usePurposeLabel();
  const list = useNotifications();
  if (list.isError) return <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped aria-label={tm('tabs.notifications')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{tm('list.createdAt')}</Table.Th>
            <Table.Th>{tm('list.phone')}</Table.Th>
            <Table.Th>{tm('list.purpose')}</Table.Th>
            <Table.Th>{tm('list.text')}</Table.Th>
            <Table.Th>{tm('list.status')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(list.data?.items ?? []).map((n) => (
            <Table.Tr key={n.id}>
              <Table.Td>{new Date(n.createdAt).toLocaleString()}</Table.Td>
              <Table.Td>{n.phone}</Table.Td>
              <Table.Td>{purpose(n.purpose)}</Table.Td>
              <Table.Td maw={360}>{n.text}</Table.Td>
              <Table.Td>
                <StatusBadge status={n.status} />
                {n.error && (
                  <Text size="xs" c="red">
                    {n.error}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Figures() {
  const tm = useMsgT();
  const purpose = usePurposeLabel();
  const [range, setRange] = useState({ from: day(new Date(Date.now() - 6 * 86400_000)), to: day(new Date()) });
  const figures = useFigures(range.from, range.to);
  return (
    <Stack>
      <Group>
        <TextInput type="date" label={tm('figures.from')} value={range.from} onChange={(e) => setRange({ ...range, from: e.currentTarget.value })} />
        <TextInput type="date" label={tm('figures.to')} value={range.to} onChange={(e) => setRange({ ...range, to: e.currentTarget.value })} />
      </Group>
      {figures.isError ? (
        <ErrorAlert error={figures.error} />
      ) : (
        <Table striped aria-label={tm('tabs.figures')}>
          <Table.Thead>
            <Table.Tr>
              {(['day', 'unit', 'purpose', 'sent', 'delivered', 'failed', 'optedOut'] as const).map((k) => (
                <Table.Th key={k}>{tm(`figures.${k}`)}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(figures.data?.items ?? []).map((f, i) => (
              <Table.Tr key={i}>
                <Table.Td>{f.day}</Table.Td>
                <Table.Td>{f.unitName ?? f.unitCode ?? '—'}</Table.Td>
                <Table.Td>{purpose(f.purpose)}</Table.Td>
                <Table.Td>{f.sent}</Table.Td>
                <Table.Td>{f.delivered}</Table.Td>
                <Table.Td>{f.failed}</Table.Td>
                <Table.Td>{f.optedOut}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function OptOuts() {
  const tm = useMsgT();
  const list = useOptOuts();
  const m = useCampaignMutations();
  const [phone, setPhone] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await m.addOptOut.mutateAsync({ phone, reason: reason || undefined });
      setPhone('');
      setReason('');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Stack>
      <form onSubmit={(e) => void add(e)}>
        <Group align="end">
          <TextInput label={tm('optOut.phone')} value={phone} onChange={(e) => setPhone(e.currentTarget.value)} error={isApiError(error) ? error.message : undefined} />
          <TextInput label={tm('optOut.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
          <Button type="submit" loading={m.addOptOut.isPending}>
            {tm('optOut.add')}
          </Button>
        </Group>
      </form>
      {list.isError ? (
        <ErrorAlert error={list.error} />
      ) : (
        <Table striped>
          <Table.Tbody>
            {(list.data?.items ?? []).map((o) => (
              <Table.Tr key={o.phone + o.createdAt}>
                <Table.Td>{o.phone}</Table.Td>
                <Table.Td>{o.source === 'sms' ? tm('optOut.sms') : tm('optOut.officer')}</Table.Td>
                <Table.Td>{o.reason}</Table.Td>
                <Table.Td>{new Date(o.createdAt).toLocaleString()}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

export default function MessagingPage() {
  const tm = useMsgT();
  const { can } = useAuth();
  return (
    <Stack>
      <Title order={2}>{tm('nav')}</Title>
      <Tabs defaultValue="campaigns" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="campaigns">{tm('tabs.campaigns')}</Tabs.Tab>
          <Tabs.Tab value="notifications">{tm('tabs.notifications')}</Tabs.Tab>
          <Tabs.Tab value="figures">{tm('tabs.figures')}</Tabs.Tab>
          {can('messaging.send') && <Tabs.Tab value="optouts">{tm('tabs.optOuts')}</Tabs.Tab>}
          <Tabs.Tab value="templates">{tm('tabs.templates')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="campaigns" pt="md">
          <Campaigns />
        </Tabs.Panel>
        <Tabs.Panel value="notifications" pt="md">
          <Notifications />
        </Tabs.Panel>
        <Tabs.Panel value="figures" pt="md">
          <Figures />
        </Tabs.Panel>
        <Tabs.Panel value="optouts" pt="md">
          <OptOuts />
        </Tabs.Panel>
        <Tabs.Panel value="templates" pt="md">
          <TemplatesTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
