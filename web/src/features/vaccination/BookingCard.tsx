// A citizen books the next dose for themself or a dependant (health book): a campaign, a day, a free slot; the person is
// registered in the campaign on the way (registering again changes nothing). A live appointment is cancelled here too.
// The server decides everything (age limits, registration, seats): the page shows its answer. With `rebook` the same
// picker moves a live appointment to another slot of its campaign; the old one stays shown until the server confirms.
import { Alert, Button, Card, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api';
import { useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useVaccT } from './i18n';

interface Campaign {
  id: string;
  name: string;
  status: string;
}
interface Slot {
  id: string;
  startsAt: string;
  capacity: number;
  booked: number;
  siteName: string;
  siteAddress: string | null;
}

export function BookingCard({ personId, doseNumber, rebook, onDone }: { personId: string; doseNumber: number; rebook?: { id: string; startsAt: string; siteName: string }; onDone?(): void }) {
  const t = useVaccT();
  const fmt = useFormat();
  const errorText = useErrorMessage();
  const qc = useQueryClient();
  const campaigns = useQuery({ queryKey: ['vaccination', 'campaigns'], queryFn: ({ signal }) => api.get<{ items: Campaign[] }>('/api/vaccination/campaigns', undefined, signal) });
  const active = (campaigns.data?.items ?? []).filter((c) => c.status === 'active');
  const [picked, setCampaign] = useState<string | null>(null);
  const campaignId = picked ?? (active.length === 1 ? active[0]!.id : null);
  const [day, setDay] = useState('');
  const validDay = /^\d{4}-\d{2}-\d{2}$/.test(day);
  const slots = useQuery({
    queryKey: ['vaccination', 'slots', campaignId, day],
    enabled: !!campaignId && validDay,
    queryFn: ({ signal }) => api.get<{ items: Slot[] }>('/api/vaccination/slots', { campaignId: campaignId!, day }, signal),
  });
  const book = useMutation({
    mutationFn: async (slotId: string) => {
      if (rebook) return api.post<{ ids: string[] }>(`/api/vaccination/bookings/${rebook.id}/rebook`, { slotId });
      await api.post('/api/vaccination/registrations', { campaignId, personId });
      return api.post<{ ids: string[] }>('/api/vaccination/bookings', { personId, slotId, doseNumber });
    },
    onSuccess: async () => {
      await Promise.all([qc.invalidateQueries({ queryKey: ['vaccination', 'book', personId] }), qc.invalidateQueries({ queryKey: ['vaccination', 'slots'] })]);
      onDone?.();
    },
  });
  const now = Date.now();
  const open = (slots.data?.items ?? []).filter((s) => Date.parse(s.startsAt) > now);
  return (
    <Card withBorder data-testid={rebook ? 'rebook-appointment' : 'book-appointment'}>
      <Group justify="space-between" wrap="nowrap" gap="xs" mb="xs">
        <Title order={2} size="h5">
          {rebook ? t('rebookTitle', { n: doseNumber }) : t('bookTitle', { n: doseNumber })}
        </Title>
        {onDone && (
          <Button size="xs" variant="subtle" onClick={onDone}>
            {t('rebookClose')}
          </Button>
        )}
      </Group>
      <Stack gap="xs">
        <Select label={t('campaign')} value={campaignId} onChange={setCampaign} data={active.map((c) => ({ value: c.id, label: c.name }))} />
        <TextInput type="date" label={t('bookDay')} value={day} onChange={(e) => setDay(e.currentTarget.value)} />
        {slots.data && open.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('noSlots')}
          </Text>
        )}
        {open.map((s) => {
          const current = !!rebook && Date.parse(s.startsAt) === Date.parse(rebook.startsAt) && s.siteName === rebook.siteName;
          return (
            <Group key={s.id} justify="space-between" wrap="nowrap" gap="xs" data-testid="slot">
              <Text size="sm">
                {fmt.dateTime(s.startsAt)} · {s.siteName} · {t('freeSeats', { n: Math.max(0, s.capacity - s.booked) })}
              </Text>
              <Button size="xs" style={{ flexShrink: 0 }} disabled={current || s.booked >= s.capacity} loading={book.isPending && book.variables === s.id} onClick={() => book.mutate(s.id)}>
                {current ? t('rebookCurrent') : rebook ? t('rebookButton') : t('bookButton')}
              </Button>
            </Group>
          );
        })}
        {book.isError && <Alert color="red">{errorText(book.error)}</Alert>}
        {book.isSuccess && <Text size="sm" c="green">{t('bookDone')}</Text>}
      </Stack>
    </Card>
  );
}

/** Cancel a live appointment (the seat is freed for someone else). */
export function useCancelBooking(personId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post(`/api/vaccination/bookings/${id}/cancel`, {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['vaccination', 'book', personId] }),
  });
}
