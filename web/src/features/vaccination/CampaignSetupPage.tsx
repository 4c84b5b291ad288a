// Campaign set-up for the officers who run vaccination in an area: create a campaign (products, priority groups), add
// its sites (address, commune, capacity per hour, opening hours), receive vaccine lots at a site, plan a day's
// session (the server cuts its 30-minute slots from the site's hours) and invite registered people up to the free seats.
// Every form shows the server's complaint under the field it names.
import { Alert, Badge, Button, Card, Checkbox, Group, MultiSelect, NumberInput, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useLang } from '../../app/i18n';
import { api } from '../../lib/api';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { UnitPicker } from '../geo/UnitPicker';
import { useCampaigns, usePriorityGroups, useProducts, useSiteDetails, useSlots, useStock, type CampaignItem, type OpeningWindow, type StockItem } from './api';
import { CampaignSelect, DayInput, fieldErrorsOf, todayLocal, unplaced, useSeparators } from './forms';
import { useVaccT, type VaccKey } from './i18n';
import { CampaignEditCard, ReopenCard, SiteEditCard } from './EditClose';

const CAMPAIGN_KEY = 'vigil.vacc.setupCampaign';
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const num = (v: string | number) => (typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v.replace(/[.\s]/g, '').replace(',', '.')));

function CampaignForm({ onCreated }: { onCreated(id: string): void }) {
  const t = useVaccT();
  const lang = useLang();
  const qc = useQueryClient();
  const products = useProducts();
  const groups = usePriorityGroups();
  const [f, setF] = useState({ name: '', unitCode: null as string | null, startsOn: '', endsOn: '', productCodes: [] as string[], priorityCodes: [] as string[] });
  const create = useMutation({
    mutationFn: () => api.post<{ id: string }>('/api/vaccination/campaigns', { ...f, unitCode: f.unitCode ?? '' }),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: ['vaccination', 'campaigns'] });
      onCreated(r.id);
      setF({ name: '', unitCode: null, startsOn: '', endsOn: '', productCodes: [], priorityCodes: [] });
    },
  });
  const fe = fieldErrorsOf(create.error);
  return (
    <Card withBorder data-testid="campaign-form">
      <Stack gap="xs">
        <Title order={2} size="h5">
          {t('setup.newCampaign')}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('setup.campaignName')} value={f.name} onChange={(e) => setF({ ...f, name: e.currentTarget.value })} error={fe.name} maxLength={200} required data-testid="campaign-name" />
          <div>
            <UnitPicker label={t('setup.area')} w="100%" value={f.unitCode} onChange={(c) => setF({ ...f, unitCode: c })} testId="campaign-unit" />
            {fe.unitCode && (
              <Text size="xs" c="red" data-testid="campaign-unit-error">
                {fe.unitCode}
              </Text>
            )}
          </div>
          <DayInput label={t('setup.startsOn')} value={f.startsOn} onChange={(v) => setF({ ...f, startsOn: v })} error={fe.startsOn} required testId="campaign-starts" />
          <DayInput label={t('setup.endsOn')} value={f.endsOn} onChange={(v) => setF({ ...f, endsOn: v })} error={fe.endsOn} required testId="campaign-ends" />
          <MultiSelect
            label={t('setup.products')}
            data={(products.data?.items ?? []).map((p) => ({ value: p.code, label: `${p.name} (${p.manufacturerName})` }))}
            value={f.productCodes}
            onChange={(v) => setF({ ...f, productCodes: v })}
            error={fe.productCodes ?? fe['productCodes.0']}
            searchable
            data-testid="campaign-products"
          />
          <MultiSelect
            label={t('setup.priorityGroups')}
            data={(groups.data?.items ?? []).map((g) => ({ value: g.code, label: `${g.rank}. ${lang === 'en' ? g.nameEn : g.nameVi}` }))}
            value={f.priorityCodes}
            onChange={(v) => setF({ ...f, priorityCodes: v })}
            error={fe.priorityCodes}
            searchable
            data-testid="campaign-groups"
          />
        </SimpleGrid>
        {unplaced(create.error, ['name', 'unitCode', 'startsOn', 'endsOn', 'productCodes', 'priorityCodes']) && <ErrorAlert error={create.error} />}
        <Group>
          <Button onClick={() => create.mutate()} loading={create.isPending} data-testid="campaign-create">
            {t('setup.createCampaign')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function HoursEditor({ value, onChange, errors, testId = 'site-window' }: { value: OpeningWindow[]; onChange(v: OpeningWindow[]): void; errors: Record<string, string>; testId?: string }) {
  const t = useVaccT();
  const set = (i: number, w: Partial<OpeningWindow>) => onChange(value.map((x, j) => (j === i ? { ...x, ...w } : x)));
  return (
    <Stack gap={6} data-testid="site-hours">
      <Text size="sm" fw={500}>
        {t('setup.openingHours')}
      </Text>
      {value.map((w, i) => {
        const err = errors[`openingHours.${i}.days`] ?? errors[`openingHours.${i}.from`] ?? errors[`openingHours.${i}.to`] ?? errors[`openingHours.${i}`];
        return (
          <Card key={i} withBorder p="xs" data-testid={testId}>
            <Checkbox.Group value={w.days.map(String)} onChange={(v) => set(i, { days: v.map(Number).sort() })}>
              <Group gap={8} wrap="wrap">
                {WEEKDAYS.map((d) => (
                  <Checkbox key={d} value={String(d)} label={t(`setup.weekday.${d}` as VaccKey)} />
                ))}
              </Group>
            </Checkbox.Group>
            <Group gap="xs" mt={6} wrap="wrap" align="end">
              <TextInput placeholder="07:30" maxLength={5} inputMode="numeric" label={t('setup.from')} value={w.from} onChange={(e) => set(i, { from: e.currentTarget.value })} w={120} />
              <TextInput placeholder="07:30" maxLength={5} inputMode="numeric" label={t('setup.to')} value={w.to} onChange={(e) => set(i, { to: e.currentTarget.value })} w={120} />
              <Button variant="subtle" color="red" onClick={() => onChange(value.filter((_, j) => j !== i))}>
                {t('setup.removeWindow')}
              </Button>
            </Group>
            {err && (
              <Text size="xs" c="red">
                {err}
              </Text>
            )}
          </Card>
        );
      })}
      {errors.openingHours && (
        <Text size="xs" c="red">
          {errors.openingHours}
        </Text>
      )}
      <Group>
        <Button variant="light" size="xs" onClick={() => onChange([...value, { days: [1, 2, 3, 4, 5], from: '07:30', to: '11:30' }])} data-testid="site-add-window">
          {t('setup.addWindow')}
        </Button>
      </Group>
    </Stack>
  );
}

function SiteForm({ onCreated }: { onCreated(id: string): void }) {
  const t = useVaccT();
  const qc = useQueryClient();
  const empty = { code: '', name: '', address: '', communeCode: null as string | null, capacity: '' as string | number, hours: [{ days: [1, 2, 3, 4, 5], from: '07:30', to: '11:30' }] as OpeningWindow[] };
  const [f, setF] = useState(empty);
  const create = useMutation({
    mutationFn: () =>
      api.post<{ id: string }>('/api/vaccination/sites', { code: f.code.trim(), name: f.name.trim(), address: f.address.trim(), communeCode: f.communeCode ?? '', capacityPerHour: num(f.capacity), openingHours: f.hours }),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: ['vaccination', 'sites'] });
      onCreated(r.id);
      setF(empty);
    },
  });
  const fe = fieldErrorsOf(create.error);
  return (
    <Card withBorder data-testid="site-form">
      <Stack gap="xs">
        <Title order={3} size="h6">
          {t('setup.newSite')}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('setup.siteCode')} description={t('setup.siteCodeHint')} value={f.code} onChange={(e) => setF({ ...f, code: e.currentTarget.value })} error={fe.code} maxLength={40} data-testid="site-code" />
          <TextInput label={t('setup.siteName')} value={f.name} onChange={(e) => setF({ ...f, name: e.currentTarget.value })} error={fe.name} maxLength={200} data-testid="site-name" />
          <TextInput label={t('setup.address')} value={f.address} onChange={(e) => setF({ ...f, address: e.currentTarget.value })} error={fe.address} maxLength={500} data-testid="site-address" />
          <div>
            <UnitPicker label={t('commune')} w="100%" level="commune" value={f.communeCode} onChange={(c) => setF({ ...f, communeCode: c })} testId="site-commune" />
            {fe.communeCode && (
              <Text size="xs" c="red" data-testid="site-commune-error">
                {fe.communeCode}
              </Text>
            )}
          </div>
          <NumberInput
            label={t('setup.capacityPerHour')}
            value={f.capacity}
            onChange={(v) => setF({ ...f, capacity: v })}
            min={1}
            max={10000}
            allowDecimal={false}
            thousandSeparator={false}
            error={fe.capacityPerHour}
            data-testid="site-capacity"
          />
        </SimpleGrid>
        <HoursEditor value={f.hours} onChange={(hours) => setF({ ...f, hours })} errors={fe} />
        {unplaced(create.error, ['code', 'name', 'address', 'communeCode', 'capacityPerHour', 'openingHours']) && <ErrorAlert error={create.error} />}
        <Group>
          <Button onClick={() => create.mutate()} loading={create.isPending} data-testid="site-create">
            {t('setup.addSite')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function LotForm({ siteId, campaign }: { siteId: string; campaign: CampaignItem }) {
  const t = useVaccT();
  const fmt = useFormat();
  const qc = useQueryClient();
  const products = useProducts();
  const stock = useStock(siteId);
  const sep = useSeparators();
  const productName = (code: string) => products.data?.items.find((p) => p.code === code)?.name ?? code;
  const empty = { productCode: campaign.productCodes[0] ?? null, lotNumber: '', expiresOn: '', quantity: '' as string | number };
  const [f, setF] = useState(empty);
  const [wasting, setWasting] = useState<string | null>(null);
  const receive = useMutation({
    mutationFn: () => api.post<{ id: string }>(`/api/vaccination/sites/${siteId}/lots`, { productCode: f.productCode ?? '', lotNumber: f.lotNumber.trim(), expiresOn: f.expiresOn, quantity: num(f.quantity) }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['vaccination', 'stock', siteId] });
      setF(empty);
    },
  });
  const fe = fieldErrorsOf(receive.error);
  return (
    <Card withBorder data-testid="lot-form">
      <Stack gap="xs">
        <Title order={3} size="h6">
          {t('setup.stockTitle')}
        </Title>
        {stock.isError && <ErrorAlert error={stock.error} />}
        {stock.data && !stock.data.items.length && <Text size="sm" c="dimmed">{t('setup.noStock')}</Text>}
        {!!stock.data?.items.length && (
          <Table.ScrollContainer minWidth={420}>
            <Table striped data-testid="stock-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('product')}</Table.Th>
                  <Table.Th>{t('lot')}</Table.Th>
                  <Table.Th>{t('expiresOn')}</Table.Th>
                  <Table.Th ta="right">{t('quantity')}</Table.Th>
                  <Table.Th ta="right">{t('wasted')}</Table.Th>
                  <Table.Th ta="right">{t('left')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {stock.data.items.map((l) => (
                  <Table.Tr key={l.id} data-testid="stock-row">
                      <Table.Td>{productName(l.productCode)}</Table.Td>
                      <Table.Td>{l.lotNumber}</Table.Td>
                      <Table.Td>{fmt.day(l.expiresOn)}</Table.Td>
                      <Table.Td ta="right">{fmt.number(l.quantity)}</Table.Td>
                      <Table.Td ta="right">{fmt.number(l.wasted)}</Table.Td>
                      <Table.Td ta="right" data-testid="stock-left">
                        {fmt.number(l.left)}
                      </Table.Td>
                      <Table.Td>
                        <Button size="compact-xs" variant="subtle" onClick={() => setWasting(wasting === l.id ? null : l.id)} data-testid="wastage-open">
                          {t('setup.wastage')}
                        </Button>
                      </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {stock.data?.items
          .filter((l) => l.id === wasting)
          .map((l) => (
            <WastageForm key={l.id} lot={l} siteId={siteId} onDone={() => setWasting(null)} />
          ))}
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
          <Select label={t('product')} data={campaign.productCodes.map((c) => ({ value: c, label: productName(c) }))} value={f.productCode} onChange={(v) => setF({ ...f, productCode: v })} error={fe.productCode} data-testid="lot-product" />
          <TextInput label={t('setup.lotNumber')} value={f.lotNumber} onChange={(e) => setF({ ...f, lotNumber: e.currentTarget.value })} error={fe.lotNumber} maxLength={60} data-testid="lot-number" />
          <DayInput label={t('expiresOn')} value={f.expiresOn} onChange={(v) => setF({ ...f, expiresOn: v })} error={fe.expiresOn} testId="lot-expires" />
          <NumberInput label={t('setup.doses')} value={f.quantity} onChange={(v) => setF({ ...f, quantity: v })} min={1} allowDecimal={false} {...sep} error={fe.quantity} data-testid="lot-quantity" />
        </SimpleGrid>
        {unplaced(receive.error, ['productCode', 'lotNumber', 'expiresOn', 'quantity']) && <ErrorAlert error={receive.error} />}
        <Group>
          <Button onClick={() => receive.mutate()} loading={receive.isPending} data-testid="lot-receive">
            {t('setup.receiveLot')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** Doses of a lot lost (broken vial, cold chain, expired opened vial…): the stock left goes down. */
function WastageForm({ lot, siteId, onDone }: { lot: StockItem; siteId: string; onDone(): void }) {
  const t = useVaccT();
  const qc = useQueryClient();
  const fmt = useFormat();
  const sep = useSeparators();
  const [f, setF] = useState({ doses: '' as string | number, reason: '' });
  const save = useMutation({
    mutationFn: () => api.post(`/api/vaccination/lots/${lot.id}/wastage`, { doses: num(f.doses), reason: f.reason.trim() }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['vaccination', 'stock', siteId] });
      onDone();
    },
  });
  const fe = fieldErrorsOf(save.error);
  return (
    <Paper withBorder p="sm" maw={420}>
      <Stack gap="xs" data-testid="wastage-form">
        <Text size="sm" fw={600}>
          {t('setup.wastageTitle', { lot: lot.lotNumber, left: fmt.number(lot.left) })}
        </Text>
        <NumberInput label={t('setup.wastageDoses')} value={f.doses} onChange={(v) => setF({ ...f, doses: v })} min={1} allowDecimal={false} {...sep} error={fe.doses} data-testid="wastage-doses" />
        <TextInput label={t('setup.wastageReason')} placeholder={t('setup.wastageReasonHint')} value={f.reason} onChange={(e) => setF({ ...f, reason: e.currentTarget.value })} maxLength={200} error={fe.reason} data-testid="wastage-reason" />
        {unplaced(save.error, ['doses', 'reason']) && <ErrorAlert error={save.error} />}
        <Group gap="xs">
          <Button size="xs" onClick={() => save.mutate()} loading={save.isPending} data-testid="wastage-save">
            {t('setup.wastageSave')}
          </Button>
          <Button size="xs" variant="default" onClick={onDone}>
            {t('setup.wastageClose')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function SessionForm({ campaign, siteId }: { campaign: CampaignItem; siteId: string }) {
  const t = useVaccT();
  const fmt = useFormat();
  const qc = useQueryClient();
  const products = useProducts();
  const [day, setDay] = useState(todayLocal());
  const [productCode, setProductCode] = useState<string | null>(campaign.productCodes[0] ?? null);
  const slots = useSlots(campaign.id, day, siteId);
  const plan = useMutation({
    mutationFn: () => api.post<{ id: string; slots: number }>(`/api/vaccination/campaigns/${campaign.id}/sessions`, { siteId, day, productCode: productCode ?? '' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['vaccination', 'slots'] }),
  });
  const fe = fieldErrorsOf(plan.error);
  const items = slots.data?.items ?? [];
  const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
  return (
    <Card withBorder data-testid="session-form">
      <Stack gap="xs">
        <Title order={3} size="h6">
          {t('setup.sessionTitle')}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <DayInput label={t('day')} value={day} onChange={(v) => setDay(v)} error={fe.day} testId="session-day" />
          <Select
            label={t('product')}
            data={campaign.productCodes.map((c) => ({ value: c, label: products.data?.items.find((p) => p.code === c)?.name ?? c }))}
            value={productCode}
            onChange={setProductCode}
            error={fe.productCode}
            data-testid="session-product"
          />
        </SimpleGrid>
        {unplaced(plan.error, ['day', 'productCode']) && <ErrorAlert error={plan.error} />}
        {plan.data && (
          <Alert color="green" data-testid="session-created">
            {t('setup.sessionCreated', { day: fmt.day(day), slots: plan.data.slots })}
          </Alert>
        )}
        <Group>
          <Button onClick={() => plan.mutate()} loading={plan.isPending} data-testid="session-create">
            {t('setup.planSession')}
          </Button>
        </Group>
        {slots.data && (
          <Text size="sm" data-testid="session-slots">
            {items.length ? t('setup.slotsOfDay', { count: items.length, seats: fmt.number(items.reduce((a, s) => a + s.capacity - s.booked, 0)) }) : t('setup.noSession')}
          </Text>
        )}
        {!!items.length && (
          <Group gap={4} wrap="wrap">
            {items.map((s) => (
              <Badge key={s.id} variant="light" color={s.booked >= s.capacity ? 'gray' : 'blue'}>
                {time(s.startsAt)} · {s.capacity - s.booked}/{s.capacity}
              </Badge>
            ))}
          </Group>
        )}
      </Stack>
    </Card>
  );
}

function InviteCard({ campaign }: { campaign: CampaignItem }) {
  const t = useVaccT();
  const fmt = useFormat();
  const sep = useSeparators();
  const [limit, setLimit] = useState<string | number>(100);
  const invite = useMutation({ mutationFn: () => api.post<{ invited: number; freeSeats: number; openInvitations: number }>(`/api/vaccination/campaigns/${campaign.id}/invitations`, { limit: num(limit) }) });
  const fe = fieldErrorsOf(invite.error);
  return (
    <Card withBorder data-testid="invite-form">
      <Stack gap="xs">
        <Title order={2} size="h5">
          {t('setup.inviteTitle')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('setup.inviteHint')}
        </Text>
        <Group align="end" wrap="wrap">
          <NumberInput label={t('setup.inviteLimit')} value={limit} onChange={setLimit} min={1} max={100000} allowDecimal={false} {...sep} error={fe.limit} w={200} data-testid="invite-limit" />
          <Button onClick={() => invite.mutate()} loading={invite.isPending} data-testid="invite-send">
            {t('setup.inviteSend')}
          </Button>
        </Group>
        {unplaced(invite.error, ['limit']) && <ErrorAlert error={invite.error} />}
        {invite.data && (
          <Alert color="green" data-testid="invite-result">
            {t('setup.inviteResult', { invited: fmt.number(invite.data.invited), free: fmt.number(invite.data.freeSeats), open: fmt.number(invite.data.openInvitations) })}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}

export default function CampaignSetupPage() {
  const t = useVaccT();
  const fmt = useFormat();
  const campaigns = useCampaigns();
  const [campaignId, setCampaignId] = useState<string | null>(null);
  const [siteId, setSiteId] = useState<string | null>(null);
  const campaign = campaigns.data?.items.find((c) => c.id === campaignId) ?? null;
  const sites = useSiteDetails(campaign?.unitCode ?? null);
  const site = sites.data?.items.find((s) => s.id === siteId) ?? null;
  const qc = useQueryClient();
  const [editing, setEditing] = useState<'campaign' | 'site' | null>(null);
  const [closed, setClosed] = useState<{ prefix: string; text: string } | null>(null);
  const closedRef = useRef<HTMLDivElement>(null);
  // the outcome of a close is shown at the top: bring it into view once (the form that closed it is gone)
  useEffect(() => closedRef.current?.scrollIntoView({ block: 'nearest' }), [closed]);
  const closedNow = (prefix: 'campaign' | 'site') => async (text: string) => {
    setClosed({ prefix, text });
    setEditing(null);
    if (prefix === 'site') setSiteId(null);
    else setCampaignId(null);
    await qc.invalidateQueries({ queryKey: ['vaccination', prefix === 'site' ? 'sites' : 'campaigns'] });
  };
  return (
    <Stack gap="sm">
      <Title order={1} size="h3">
        {t('setup.title')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('setup.intro')}
      </Text>
      {campaigns.isError && <ErrorAlert error={campaigns.error} onRetry={() => campaigns.refetch()} />}
      {closed && (
        <Alert ref={closedRef} color="orange" withCloseButton onClose={() => setClosed(null)} data-testid={`${closed.prefix}-close-result`}>
          {closed.text}
        </Alert>
      )}
      <CampaignForm onCreated={setCampaignId} />
      <ReopenCard />
      <CampaignSelect label={t('campaign')} campaigns={campaigns.data?.items} value={campaignId} onChange={setCampaignId} storageKey={CAMPAIGN_KEY} testId="setup-campaign" />
      {campaign && (
        <Group gap="xs" justify="space-between" wrap="wrap">
          <Text size="sm" data-testid="setup-campaign-facts">
            {t('setup.campaignFacts', { from: fmt.day(campaign.startsOn), to: fmt.day(campaign.endsOn), products: campaign.productCodes.length, groups: campaign.priorityCodes.length })}
          </Text>
          <Button size="compact-sm" variant="light" onClick={() => setEditing(editing === 'campaign' ? null : 'campaign')} data-testid="campaign-edit-open">
            {t('close.editOrClose')}
          </Button>
        </Group>
      )}
      {campaign && editing === 'campaign' && <CampaignEditCard key={campaign.id} campaign={campaign} onClosed={closedNow('campaign')} />}
      {campaign && (
        <>
          <Title order={2} size="h5">
            {t('setup.sitesTitle')}
          </Title>
          {sites.isError && <ErrorAlert error={sites.error} />}
          <Select
            label={t('site')}
            placeholder={t('chooseSite')}
            data={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.name} — ${s.address}` }))}
            value={siteId}
            onChange={setSiteId}
            searchable
            nothingFoundMessage={t('setup.noSites')}
            data-testid="setup-site"
          />
          {site && (
            <Group gap="xs" justify="space-between" wrap="wrap">
              <Text size="sm" c="dimmed" data-testid="setup-site-facts">
                {t('setup.siteFacts', { capacity: fmt.number(site.capacityPerHour) })}{' '}
                {site.openingHours.map((w) => `${w.days.map((d) => t(`setup.weekday.${d}` as VaccKey)).join(', ')} ${w.from}–${w.to}`).join('; ')}
              </Text>
              <Button size="compact-sm" variant="light" onClick={() => setEditing(editing === 'site' ? null : 'site')} data-testid="site-edit-open">
                {t('close.editOrClose')}
              </Button>
            </Group>
          )}
          {site && editing === 'site' && (
            <SiteEditCard key={site.id} site={site} hoursEditor={(value, onChange, errors) => <HoursEditor value={value} onChange={onChange} errors={errors} testId="site-edit-window" />} onClosed={closedNow('site')} />
          )}
          <SiteForm onCreated={setSiteId} />
          {site && <LotForm key={`lot-${site.id}`} siteId={site.id} campaign={campaign} />}
          {site && <SessionForm key={`session-${site.id}-${campaign.id}`} siteId={site.id} campaign={campaign} />}
          <InviteCard key={`invite-${campaign.id}`} campaign={campaign} />
        </>
      )}
    </Stack>
  );
}
