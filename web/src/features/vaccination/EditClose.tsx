// Editing and closing a campaign or a site on the set-up page. An edit applies to sessions planned afterwards; closing
// asks what becomes of the appointments not yet over — cancelled (the people are asked by SMS to book elsewhere) or
// kept (they are told it stands) — with no default, and why (the reason goes into the SMS). What was closed can be
// reopened with a reason; its future slots only when the officer asks.
import { Alert, Button, Card, Checkbox, Group, NumberInput, Radio, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useAuth } from '../../app/auth';
import { api } from '../../lib/api';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { UnitPicker } from '../geo/UnitPicker';
import type { CampaignItem, OpeningWindow, SiteDetail } from './api';
import { DayInput, fieldErrorsOf, unplaced } from './forms';
import { useVaccT } from './i18n';

interface CloseResult {
  bookings: number;
  cancelled: number;
  notified: number;
}

/** The close form shared by campaigns and sites: the bookings' fate (no default), the reason, the outcome. */
function CloseForm({ url, prefix, what, onClosed }: { url: string; prefix: string; what: string; onClosed(outcome: string): void }) {
  const t = useVaccT();
  const fmt = useFormat();
  const [bookings, setBookings] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [choiceError, setChoiceError] = useState<string | null>(null);
  const close = useMutation({
    mutationFn: () => api.post<CloseResult>(url, { bookings, reason: reason.trim() }),
    onSuccess: (r) => onClosed(t(bookings === 'cancel' ? 'close.doneCancelled' : 'close.doneKept', { what, bookings: fmt.number(r.bookings), notified: fmt.number(r.notified) })),
  });
  const fe = fieldErrorsOf(close.error);
  const submit = () => {
    if (!bookings) return setChoiceError(t('close.chooseBookings'));
    setChoiceError(null);
    close.mutate();
  };
  return (
    <Stack gap="xs" data-testid={`${prefix}-close-form`}>
      <Title order={4} size="h6">
        {t('close.title', { what })}
      </Title>
      <Text size="sm" c="dimmed">
        {t('close.hint')}
      </Text>
      <Radio.Group label={t('close.bookings')} value={bookings} onChange={setBookings} error={choiceError ?? fe.bookings}>
        <Stack gap={6} mt={4}>
          <Radio value="cancel" label={t('close.cancel')} data-testid={`${prefix}-close-cancel`} />
          <Radio value="keep" label={t('close.keep')} data-testid={`${prefix}-close-keep`} />
        </Stack>
      </Radio.Group>
      <TextInput label={t('close.reason')} placeholder={t('close.reasonHint')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={200} error={fe.reason} data-testid={`${prefix}-close-reason`} />
      {unplaced(close.error, ['bookings', 'reason']) && <ErrorAlert error={close.error} />}
      <Group>
        <Button color="red" variant="outline" onClick={submit} loading={close.isPending} data-testid={`${prefix}-close-submit`}>
          {t('close.submit', { what })}
        </Button>
      </Group>
    </Stack>
  );
}

/** Name, area and dates of a campaign; then closing it. */
export function CampaignEditCard({ campaign, onClosed }: { campaign: CampaignItem; onClosed(outcome: string): void }) {
  const t = useVaccT();
  const qc = useQueryClient();
  const [f, setF] = useState({ name: campaign.name, unitCode: campaign.unitCode as string | null, startsOn: campaign.startsOn, endsOn: campaign.endsOn });
  const save = useMutation({
    mutationFn: () => api.patch<{ changed: string[] }>(`/api/vaccination/campaigns/${campaign.id}`, { name: f.name.trim(), unitCode: f.unitCode ?? '', startsOn: f.startsOn, endsOn: f.endsOn }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['vaccination', 'campaigns'] }),
  });
  const fe = fieldErrorsOf(save.error);
  return (
    <Card withBorder data-testid="campaign-edit">
      <Stack gap="xs">
        <Title order={3} size="h6">
          {t('close.editCampaign')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('close.editCampaignHint')}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('setup.campaignName')} value={f.name} onChange={(e) => setF({ ...f, name: e.currentTarget.value })} error={fe.name} maxLength={200} data-testid="campaign-edit-name" />
          <div>
            <UnitPicker label={t('setup.area')} w="100%" value={f.unitCode} onChange={(c) => setF({ ...f, unitCode: c })} testId="campaign-edit-unit" />
            {fe.unitCode && (
              <Text size="xs" c="red" data-testid="campaign-edit-unit-error">
                {fe.unitCode}
              </Text>
            )}
          </div>
          <DayInput label={t('setup.startsOn')} value={f.startsOn} onChange={(v) => setF({ ...f, startsOn: v })} error={fe.startsOn} testId="campaign-edit-starts" />
          <DayInput label={t('setup.endsOn')} value={f.endsOn} onChange={(v) => setF({ ...f, endsOn: v })} error={fe.endsOn} testId="campaign-edit-ends" />
        </SimpleGrid>
        {unplaced(save.error, ['name', 'unitCode', 'startsOn', 'endsOn']) && <ErrorAlert error={save.error} />}
        {save.data && (
          <Alert color="green" data-testid="campaign-edit-saved">
            {t('close.saved')}
          </Alert>
        )}
        <Group>
          <Button onClick={() => save.mutate()} loading={save.isPending} data-testid="campaign-edit-save">
            {t('close.save')}
          </Button>
        </Group>
        <CloseForm url={`/api/vaccination/campaigns/${campaign.id}/close`} prefix="campaign" what={t('close.theCampaign')} onClosed={onClosed} />
      </Stack>
    </Card>
  );
}

/** Name, address, capacity and hours of a site (for the sessions planned afterwards); then closing it. */
export function SiteEditCard({ site, hoursEditor, onClosed }: { site: SiteDetail; hoursEditor(value: OpeningWindow[], onChange: (v: OpeningWindow[]) => void, errors: Record<string, string>): ReactNode; onClosed(outcome: string): void }) {
  const t = useVaccT();
  const qc = useQueryClient();
  const [f, setF] = useState({ name: site.name, address: site.address, capacity: site.capacityPerHour as string | number, hours: site.openingHours });
  const save = useMutation({
    mutationFn: () =>
      api.patch<{ changed: string[] }>(`/api/vaccination/sites/${site.id}`, { name: f.name.trim(), address: f.address.trim(), capacityPerHour: typeof f.capacity === 'number' ? f.capacity : Number(f.capacity), openingHours: f.hours }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['vaccination', 'sites'] }),
  });
  const fe = fieldErrorsOf(save.error);
  return (
    <Card withBorder data-testid="site-edit">
      <Stack gap="xs">
        <Title order={3} size="h6">
          {t('close.editSite')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('close.editSiteHint')}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('setup.siteName')} value={f.name} onChange={(e) => setF({ ...f, name: e.currentTarget.value })} error={fe.name} maxLength={200} data-testid="site-edit-name" />
          <TextInput label={t('setup.address')} value={f.address} onChange={(e) => setF({ ...f, address: e.currentTarget.value })} error={fe.address} maxLength={500} data-testid="site-edit-address" />
          <NumberInput label={t('setup.capacityPerHour')} value={f.capacity} onChange={(v) => setF({ ...f, capacity: v })} min={1} max={10000} allowDecimal={false} thousandSeparator={false} error={fe.capacityPerHour} data-testid="site-edit-capacity" />
        </SimpleGrid>
        {hoursEditor(f.hours, (hours) => setF({ ...f, hours }), fe)}
        {unplaced(save.error, ['name', 'address', 'capacityPerHour', 'openingHours']) && <ErrorAlert error={save.error} />}
        {save.data && (
          <Alert color="green" data-testid="site-edit-saved">
            {t('close.saved')}
          </Alert>
        )}
        <Group>
          <Button onClick={() => save.mutate()} loading={save.isPending} data-testid="site-edit-save">
            {t('close.save')}
          </Button>
        </Group>
        <CloseForm url={`/api/vaccination/sites/${site.id}/close`} prefix="site" what={t('close.theSite')} onClosed={onClosed} />
      </Stack>
    </Card>
  );
}

interface ClosedItem {
  id: string;
  name: string;
  closedAt: string | null;
  closeReason: string | null;
}

/** One closed campaign or site: when and why it closed; reopen with a reason, its future slots only when asked. */
function ReopenRow({ item, kind, onReopened }: { item: ClosedItem; kind: 'campaign' | 'site'; onReopened(text: string): void }) {
  const t = useVaccT();
  const fmt = useFormat();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [slots, setSlots] = useState(false);
  const what = t(kind === 'site' ? 'close.theSite' : 'close.theCampaign');
  const reopen = useMutation({
    mutationFn: () => api.post<{ slotsReopened: number; seats: number }>(`/api/vaccination/${kind === 'site' ? 'sites' : 'campaigns'}/${item.id}/reopen`, { reason: reason.trim(), reopenSlots: slots }),
    onSuccess: (r) => onReopened(t('close.reopened', { what, name: item.name, slots: fmt.number(r.slotsReopened), seats: fmt.number(r.seats) })),
  });
  const fe = fieldErrorsOf(reopen.error);
  return (
    <Stack gap={4} data-testid={`reopen-${kind}`} data-id={item.id}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <div style={{ minWidth: 0 }}>
          <Text size="sm" fw={600}>
            {item.name}
          </Text>
          <Text size="xs" c="dimmed">
            {t('close.closedOn', { at: item.closedAt ? fmt.dateTime(item.closedAt) : '—', reason: item.closeReason ?? '—' })}
          </Text>
        </div>
        {!open && (
          <Button size="compact-sm" variant="light" onClick={() => setOpen(true)} data-testid={`reopen-${kind}-open`}>
            {t('close.reopen')}
          </Button>
        )}
      </Group>
      {open && (
        <Stack gap="xs" pl="sm">
          <TextInput label={t('close.reopenReason')} value={reason} onChange={(e) => (setReason(e.currentTarget.value), reopen.reset())} maxLength={200} error={fe.reason} data-testid={`reopen-${kind}-reason`} />
          <Checkbox label={t('close.reopenSlots')} checked={slots} onChange={(e) => setSlots(e.currentTarget.checked)} data-testid={`reopen-${kind}-slots`} />
          {unplaced(reopen.error, ['reason', 'reopenSlots']) && <ErrorAlert error={reopen.error} />}
          <Group>
            <Button onClick={() => reopen.mutate()} loading={reopen.isPending} data-testid={`reopen-${kind}-submit`}>
              {t('close.reopenSubmit', { what })}
            </Button>
          </Group>
        </Stack>
      )}
    </Stack>
  );
}

/** The campaigns and sites of the officer's area that were closed, each to reopen (nothing shown when none). */
export function ReopenCard() {
  const t = useVaccT();
  const qc = useQueryClient();
  const { can } = useAuth();
  const closed = useQuery({
    queryKey: ['vaccination', 'closed'],
    queryFn: ({ signal }) => api.get<{ campaigns: ClosedItem[]; sites: ClosedItem[] }>('/api/vaccination/closed', undefined, signal),
    enabled: can('vaccination.manage'),
  });
  const [done, setDone] = useState<string | null>(null);
  const reopened = async (text: string) => {
    setDone(text);
    await qc.invalidateQueries({ queryKey: ['vaccination'] });
  };
  if (closed.isError) return <ErrorAlert error={closed.error} />;
  const items = closed.data;
  if (!items || (!items.campaigns.length && !items.sites.length && !done)) return null;
  return (
    <Card withBorder data-testid="reopen-card">
      <Stack gap="sm">
        <Title order={2} size="h5">
          {t('close.reopenTitle')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('close.reopenHint')}
        </Text>
        {done && (
          <Alert color="green" data-testid="reopen-result" withCloseButton onClose={() => setDone(null)}>
            {done}
          </Alert>
        )}
        {items.campaigns.map((c) => (
          <ReopenRow key={c.id} item={c} kind="campaign" onReopened={reopened} />
        ))}
        {items.sites.map((s) => (
          <ReopenRow key={s.id} item={s} kind="site" onReopened={reopened} />
        ))}
      </Stack>
    </Card>
  );
}
