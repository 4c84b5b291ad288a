// Staff review of priority-group claims in their area: the claims a citizen made about themself (occupation, chronic
// disease, outbreak area) that only papers can prove. A list with filters (waiting / accepted / refused, group,
// commune, name), each claim's details, accept (with an optional note of what was checked) or refuse (the reason is
// required: the citizen is told). Every listing is audited by the server with the people it showed.
import { Alert, Badge, Button, Card, Group, SegmentedControl, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Static } from '@sinclair/typebox';
import type { PriorityReviewItem } from '../../../../server/src/modules/vaccination/schema';
import { api } from '../../lib/api';
import { ErrorAlert, useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { UnitPicker } from '../geo/UnitPicker';
import { useLang } from '../../app/i18n';
import { useVaccT, type VaccKey } from './i18n';

type Claim = Static<typeof PriorityReviewItem>;
type Status = 'review' | 'accepted' | 'refused';
interface Campaign {
  id: string;
  name: string;
  priorityCodes: string[];
}
interface PriorityGroup {
  code: string;
  nameVi: string;
  nameEn: string;
}

const CAMPAIGN_KEY = 'vigil.vacc.reviewCampaign';
const STATUS_COLOR: Record<Status, string> = { review: 'yellow', accepted: 'green', refused: 'red' };
const OCCUPATIONS = ['health_worker', 'abroad', 'diplomatic', 'customs', 'essential', 'frontline', 'military', 'police', 'teacher', 'public_contact'];

function ClaimCard({ claim, groupName }: { claim: Claim; groupName: string }) {
  const t = useVaccT();
  const fmt = useFormat();
  const errorText = useErrorMessage();
  const qc = useQueryClient();
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);
  const decide = useMutation({
    mutationFn: (accept: boolean) => api.post<{ ok: boolean; status: Status }>(`/api/vaccination/registrations/${claim.id}/priority`, { accept, ...(note.trim() && { note: note.trim() }) }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['vaccination', 'priority-review'] }),
  });
  const refuse = () => {
    if (!note.trim()) return setNoteError(t('review.noteRequired'));
    setNoteError(null);
    decide.mutate(false);
  };
  const occupation = claim.occupation && OCCUPATIONS.includes(claim.occupation) ? t(`review.occupations.${claim.occupation}` as VaccKey) : claim.occupation;
  return (
    <Card withBorder data-testid="claim" data-claim={claim.id}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" align="start">
          <div>
            <Text fw={700}>{claim.fullName}</Text>
            <Text size="sm" c="dimmed">
              {claim.birthYear ?? '—'} · {claim.communeName}
            </Text>
          </div>
          <Badge color={STATUS_COLOR[claim.status]} variant="light">
            {t(`priorityStatus.${claim.status}` as VaccKey)}
          </Badge>
        </Group>
        <Text size="sm">
          <b>{t('review.group')}:</b> {groupName}
        </Text>
        {claim.reason && (
          <Text size="sm">
            <b>{t(claim.status === 'review' ? 'review.why' : 'review.decision')}:</b> {t(`priorityReason.${claim.reason}` as VaccKey, { defaultValue: claim.reason })}
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={4}>
          {occupation && (
            <Text size="sm">
              <b>{t('review.occupation')}:</b> {occupation}
            </Text>
          )}
          {claim.organisation && (
            <Text size="sm">
              <b>{t('review.organisation')}:</b> {claim.organisation}
            </Text>
          )}
          <Text size="sm">
            <b>{t('review.channel')}:</b> {t(`review.channels.${claim.channel}` as VaccKey, { defaultValue: claim.channel })}
          </Text>
          <Text size="sm">
            <b>{t('review.registeredAt')}:</b> {fmt.dateTime(claim.createdAt)}
          </Text>
        </SimpleGrid>
        {claim.status === 'review' ? (
          <>
            <Textarea
              label={t('review.note')}
              description={t('review.noteHint')}
              value={note}
              maxLength={500}
              autosize
              minRows={2}
              error={noteError}
              onChange={(e) => setNote(e.currentTarget.value)}
              data-testid="claim-note"
            />
            {decide.isError && <Alert color="red">{errorText(decide.error)}</Alert>}
            <Group grow>
              <Button color="green" loading={decide.isPending && decide.variables === true} disabled={decide.isPending} onClick={() => decide.mutate(true)}>
                {t('review.accept')}
              </Button>
              <Button color="red" variant="light" loading={decide.isPending && decide.variables === false} disabled={decide.isPending} onClick={refuse}>
                {t('review.refuse')}
              </Button>
            </Group>
          </>
        ) : (
          <Text size="sm" c="dimmed" data-testid="claim-decision">
            {t('review.decidedBy', { who: claim.reviewedBy ?? '—', at: fmt.dateTime(claim.reviewedAt) })}
            {claim.note ? ` — ${claim.note}` : ''}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

export default function PriorityReviewPage() {
  const t = useVaccT();
  const lang = useLang();
  const [campaignId, setCampaignId] = useState<string | null>(() => localStorage.getItem(CAMPAIGN_KEY));
  const [status, setStatus] = useState<Status>('review');
  const [group, setGroup] = useState<string | null>(null);
  const [commune, setCommune] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [q, setQ] = useState('');
  const campaigns = useQuery({ queryKey: ['vaccination', 'campaigns'], queryFn: ({ signal }) => api.get<{ items: Campaign[] }>('/api/vaccination/campaigns', undefined, signal) });
  const groups = useQuery({ queryKey: ['vaccination', 'priority-groups'], queryFn: ({ signal }) => api.get<{ items: PriorityGroup[] }>('/api/vaccination/priority-groups', undefined, signal), staleTime: 10 * 60_000 });
  const withClaims = (campaigns.data?.items ?? []).filter((c) => c.priorityCodes.length);

  useEffect(() => {
    if (campaignId) localStorage.setItem(CAMPAIGN_KEY, campaignId);
  }, [campaignId]);
  useEffect(() => {
    if (!campaigns.data) return;
    if (campaignId && withClaims.some((c) => c.id === campaignId)) return;
    setCampaignId(withClaims[0]?.id ?? null);
  }, [campaigns.data]); // eslint-disable-line react-hooks/exhaustive-deps
  // the name filter asks the server once typing pauses
  useEffect(() => {
    const h = setTimeout(() => setQ(name.trim()), 300);
    return () => clearTimeout(h);
  }, [name]);

  const filters = { status, group: group ?? undefined, commune: commune ?? undefined, q: q || undefined };
  const list = useQuery({
    queryKey: ['vaccination', 'priority-review', campaignId, filters],
    queryFn: ({ signal }) => api.get<{ items: Claim[]; total: number }>(`/api/vaccination/campaigns/${campaignId}/priority-review`, filters, signal),
    enabled: !!campaignId,
  });
  const groupName = (code: string) => {
    const g = groups.data?.items.find((x) => x.code === code);
    return g ? (lang === 'en' ? g.nameEn : g.nameVi) : code;
  };
  const campaign = withClaims.find((c) => c.id === campaignId);

  return (
    <Stack gap="sm">
      <Title order={1} size="h3">
        {t('review.title')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('review.intro')}
      </Text>
      {campaigns.isError && <ErrorAlert error={campaigns.error} />}
      {campaigns.data && !withClaims.length && <Alert>{t('review.noCampaign')}</Alert>}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        <Select label={t('review.campaign')} data={withClaims.map((c) => ({ value: c.id, label: c.name }))} value={campaignId} onChange={setCampaignId} allowDeselect={false} data-testid="review-campaign" />
        <Select
          label={t('review.group')}
          data={(campaign?.priorityCodes ?? []).map((c) => ({ value: c, label: groupName(c) }))}
          value={group}
          onChange={setGroup}
          clearable
          placeholder={t('review.allGroups')}
          data-testid="review-group"
        />
        <UnitPicker label={t('review.commune')} w="100%" level="commune" value={commune} onChange={setCommune} clearable testId="review-commune" />
        <TextInput label={t('review.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="review-name" />
      </SimpleGrid>
      <SegmentedControl
        value={status}
        onChange={(v) => setStatus(v as Status)}
        data={(['review', 'accepted', 'refused'] as const).map((s) => ({ value: s, label: t(`review.tabs.${s}` as VaccKey) }))}
        data-testid="review-status"
      />
      {list.isError && <ErrorAlert error={list.error} onRetry={() => list.refetch()} />}
      {list.data && (
        <Text size="sm" data-testid="review-count">
          {t('review.count', { count: list.data.total })}
        </Text>
      )}
      {list.data && !list.data.items.length && <Alert color="gray">{t(status === 'review' ? 'review.emptyWaiting' : 'review.empty')}</Alert>}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {list.data?.items.map((c) => (
          <ClaimCard key={c.id} claim={c} groupName={groupName(c.priorityCode)} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}
