// The registration desk: staff register a person for a campaign from typed details (assisted registration: people
// without a phone or an account), an organisation's Excel list (download the template, upload the filled list; the
// good rows are registered, each bad row is listed with its line and the field at fault), and a walk-in at one of
// today's sessions (registered on the spot, then given the first free seat of the session).
import { Alert, Anchor, Badge, Button, Card, FileButton, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useLang } from '../../app/i18n';
import { api } from '../../lib/api';
import { ErrorAlert } from '../../lib/errors';
import { localizeFieldMessage } from '../../lib/fieldMessages';
import { useFormat } from '../../lib/format';
import { UnitPicker } from '../geo/UnitPicker';
import { useCampaigns, usePriorityGroups, useSlots, type CampaignItem, type ImportResult, type RegistrationResult } from './api';
import { CampaignSelect, DayInput, fieldErrorsOf, todayLocal, unplaced } from './forms';
import { useVaccT, type VaccKey } from './i18n';

const CAMPAIGN_KEY = 'vigil.vacc.deskCampaign';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface PersonDraft {
  fullName: string;
  nationalId: string;
  birthDate: string;
  sex: string | null;
  phone: string;
  communeCode: string | null;
  address: string;
}
const EMPTY: PersonDraft = { fullName: '', nationalId: '', birthDate: '', sex: null, phone: '', communeCode: null, address: '' };

/** The person as the server takes it: blank optional fields left out. */
function personBody(p: PersonDraft) {
  const s = (v: string) => v.trim() || undefined;
  return { fullName: p.fullName.trim(), nationalId: s(p.nationalId), birthDate: s(p.birthDate), sex: p.sex ?? undefined, phone: s(p.phone), communeCode: p.communeCode ?? '', address: s(p.address) };
}

function PersonFields({ value, onChange, errors, prefix }: { value: PersonDraft; onChange(p: PersonDraft): void; errors: Record<string, string>; prefix: string }) {
  const t = useVaccT();
  const e = (k: string) => errors[`person.${k}`];
  const set = (p: Partial<PersonDraft>) => onChange({ ...value, ...p });
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }}>
      <TextInput label={t('desk.fullName')} value={value.fullName} onChange={(x) => set({ fullName: x.currentTarget.value })} error={e('fullName')} maxLength={200} required data-testid={`${prefix}-name`} />
      <TextInput label={t('desk.nationalId')} value={value.nationalId} onChange={(x) => set({ nationalId: x.currentTarget.value })} error={e('nationalId')} maxLength={20} inputMode="numeric" data-testid={`${prefix}-nid`} />
      <DayInput label={t('desk.birthDate')} value={value.birthDate} onChange={(v) => set({ birthDate: v })} error={e('birthDate')} testId={`${prefix}-birth`} />
      <Select
        label={t('desk.sex')}
        data={(['male', 'female', 'other'] as const).map((s) => ({ value: s, label: t(`desk.sexes.${s}` as VaccKey) }))}
        value={value.sex}
        onChange={(v) => set({ sex: v })}
        error={e('sex')}
        clearable
        data-testid={`${prefix}-sex`}
      />
      <TextInput type="tel" label={t('desk.phone')} value={value.phone} onChange={(x) => set({ phone: x.currentTarget.value })} error={e('phone')} maxLength={30} data-testid={`${prefix}-phone`} />
      <div>
        <UnitPicker label={t('commune')} w="100%" level="commune" value={value.communeCode} onChange={(c) => set({ communeCode: c })} testId={`${prefix}-commune`} />
        {e('communeCode') && (
          <Text size="xs" c="red" data-testid={`${prefix}-commune-error`}>
            {e('communeCode')}
          </Text>
        )}
      </div>
      <TextInput label={t('desk.address')} value={value.address} onChange={(x) => set({ address: x.currentTarget.value })} error={e('address')} maxLength={500} data-testid={`${prefix}-address`} />
    </SimpleGrid>
  );
}

function RegisteredAlert({ r, testId }: { r: RegistrationResult & { name: string }; testId: string }) {
  const t = useVaccT();
  return (
    <Alert color={r.created ? 'green' : 'blue'} data-testid={testId}>
      {t(r.created ? 'desk.registered' : 'desk.alreadyRegistered', { name: r.name })}
      {r.priority && (
        <>
          {' '}
          <Badge variant="light">{t(`priorityStatus.${r.priority.status}` as VaccKey)}</Badge>
        </>
      )}
    </Alert>
  );
}

interface DeskMatch {
  id: string | null;
  fullName: string;
  birthYear: number | null;
  phoneMasked: string | null;
  nationalIdMasked: string | null;
  communeName: string | null;
  unverified: boolean;
  registered: boolean | null;
}

/**
 * Before typing someone in: look for them on file by national ID, phone, or name + birth date (inside the desk's
 * area). A registry record can be registered as it is; a record a citizen typed in is shown marked and cannot be
 * picked (anyone can type a neighbour's details): staff check the ID card and register from it below.
 */
function FindOnFile({ campaign }: { campaign: CampaignItem }) {
  const t = useVaccT();
  const [q, setQ] = useState({ nationalId: '', phone: '', fullName: '', birthDate: '' });
  const find = useMutation({
    mutationFn: () => {
      const nid = q.nationalId.trim();
      const phone = q.phone.trim();
      const query = nid ? { nationalId: nid } : phone ? { phone } : { fullName: q.fullName.trim() || undefined, birthDate: q.birthDate || undefined };
      return api.get<{ items: DeskMatch[] }>('/api/vaccination/people/search', { campaignId: campaign.id, ...query });
    },
  });
  const register = useMutation({
    mutationFn: async (p: DeskMatch) => ({ ...(await api.post<RegistrationResult>('/api/vaccination/registrations', { campaignId: campaign.id, personId: p.id })), name: p.fullName }),
    onSuccess: () => find.mutate(),
  });
  const fe = fieldErrorsOf(find.error);
  const e = (k: string) => fe[`querystring.${k}`] ?? fe[k];
  return (
    <Card withBorder data-testid="find-form">
      <Stack gap="xs">
        <Title order={2} size="h6">
          {t('find.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('find.hint')}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('desk.nationalId')} value={q.nationalId} onChange={(x) => setQ({ ...q, nationalId: x.currentTarget.value })} error={e('nationalId')} maxLength={12} inputMode="numeric" data-testid="find-nid" />
          <TextInput type="tel" label={t('desk.phone')} value={q.phone} onChange={(x) => setQ({ ...q, phone: x.currentTarget.value })} error={e('phone')} maxLength={30} data-testid="find-phone" />
          <TextInput label={t('desk.fullName')} value={q.fullName} onChange={(x) => setQ({ ...q, fullName: x.currentTarget.value })} error={e('fullName')} maxLength={200} data-testid="find-name" />
          <DayInput label={t('desk.birthDate')} value={q.birthDate} onChange={(v) => setQ({ ...q, birthDate: v })} error={e('birthDate')} testId="find-birth" />
        </SimpleGrid>
        {unplaced(find.error, ['querystring.nationalId', 'querystring.phone', 'querystring.fullName', 'querystring.birthDate']) && <ErrorAlert error={find.error} />}
        <Group>
          <Button variant="light" onClick={() => find.mutate()} loading={find.isPending} data-testid="find-submit">
            {t('find.submit')}
          </Button>
        </Group>
        {find.data && !find.data.items.length && (
          <Text size="sm" data-testid="find-none">
            {t('find.none')}
          </Text>
        )}
        {!!find.data?.items.length && (
          <Stack gap={6} data-testid="find-results">
            {find.data.items.map((p, i) => (
              <Paper key={p.id ?? `u${i}`} withBorder p="xs" data-testid="find-match" data-unverified={p.unverified}>
                <Group justify="space-between" wrap="wrap" gap="xs">
                  <div>
                    <Text size="sm" fw={600}>
                      {p.fullName}
                      {p.birthYear ? ` · ${p.birthYear}` : ''}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {[p.nationalIdMasked && `${t('find.idShort')} ${p.nationalIdMasked}`, p.phoneMasked && `${t('find.phoneShort')} ${p.phoneMasked}`, p.communeName].filter(Boolean).join(' · ')}
                    </Text>
                  </div>
                  {p.unverified ? (
                    <Badge color="orange" variant="light" data-testid="find-unverified">
                      {t('find.unverified')}
                    </Badge>
                  ) : p.registered ? (
                    <Badge color="green" variant="light">
                      {t('find.registered')}
                    </Badge>
                  ) : (
                    <Button size="compact-sm" onClick={() => register.mutate(p)} loading={register.isPending && register.variables?.id === p.id} data-testid="find-register">
                      {t('find.register')}
                    </Button>
                  )}
                </Group>
                {p.unverified && (
                  <Text size="xs" c="orange.8" mt={4}>
                    {t('find.unverifiedHint')}
                  </Text>
                )}
              </Paper>
            ))}
          </Stack>
        )}
        {register.isError && <ErrorAlert error={register.error} />}
        {register.data && <RegisteredAlert r={register.data} testId="find-result" />}
      </Stack>
    </Card>
  );
}

function TypedRegistration({ campaign }: { campaign: CampaignItem }) {
  const t = useVaccT();
  const lang = useLang();
  const groups = usePriorityGroups();
  const [person, setPerson] = useState<PersonDraft>(EMPTY);
  const [priorityCode, setPriorityCode] = useState<string | null>(null);
  const [occupation, setOccupation] = useState('');
  const register = useMutation({
    mutationFn: async () => ({
      ...(await api.post<RegistrationResult>('/api/vaccination/registrations', { campaignId: campaign.id, person: personBody(person), ...(priorityCode && { priorityCode }), ...(occupation.trim() && { occupation: occupation.trim() }) })),
      name: person.fullName.trim(),
    }),
    onSuccess: () => {
      setPerson(EMPTY);
      setPriorityCode(null);
      setOccupation('');
    },
  });
  const fe = fieldErrorsOf(register.error);
  const groupName = (code: string) => {
    const g = groups.data?.items.find((x) => x.code === code);
    return g ? (lang === 'en' ? g.nameEn : g.nameVi) : code;
  };
  return (
    <Stack gap="xs" data-testid="typed-form">
      <Text size="sm" c="dimmed">
        {t('desk.typedHint')}
      </Text>
      <PersonFields value={person} onChange={setPerson} errors={fe} prefix="reg" />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select label={t('review.group')} data={campaign.priorityCodes.map((c) => ({ value: c, label: groupName(c) }))} value={priorityCode} onChange={setPriorityCode} error={fe.priorityCode} clearable data-testid="reg-group" />
        <TextInput label={t('review.occupation')} value={occupation} onChange={(e) => setOccupation(e.currentTarget.value)} error={fe.occupation} maxLength={80} data-testid="reg-occupation" />
      </SimpleGrid>
      {unplaced(register.error, ['person', 'priorityCode', 'occupation']) && <ErrorAlert error={register.error} />}
      {register.data && <RegisteredAlert r={register.data} testId="reg-result" />}
      <Group>
        <Button onClick={() => register.mutate()} loading={register.isPending} data-testid="reg-submit">
          {t('desk.register')}
        </Button>
      </Group>
    </Stack>
  );
}

function ListImport({ campaign }: { campaign: CampaignItem }) {
  const t = useVaccT();
  const fmt = useFormat();
  const [organisation, setOrganisation] = useState('');
  const [orgError, setOrgError] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: (file: File) => api.upload<ImportResult>(`/api/vaccination/campaigns/${campaign.id}/registrations/import`, file.type ? file : new Blob([file], { type: XLSX }), { organisation: organisation.trim() }),
  });
  const pick = (file: File | null) => {
    if (!file) return;
    if (!organisation.trim()) return setOrgError(t('desk.organisationRequired'));
    setOrgError(null);
    upload.mutate(file);
  };
  const fe = fieldErrorsOf(upload.error);
  const r = upload.data;
  return (
    <Stack gap="xs" data-testid="import-form">
      <Text size="sm" c="dimmed">
        {t('desk.importHint')}
      </Text>
      <Anchor href="/api/vaccination/registrations/template.xlsx" download data-testid="import-template">
        {t('desk.template')}
      </Anchor>
      <TextInput label={t('review.organisation')} value={organisation} onChange={(e) => setOrganisation(e.currentTarget.value)} error={orgError ?? fe.organisation} maxLength={200} required data-testid="import-organisation" />
      <Group>
        <FileButton onChange={pick} accept={`.xlsx,${XLSX}`}>
          {(props) => (
            <Button {...props} loading={upload.isPending} data-testid="import-upload">
              {t('desk.upload')}
            </Button>
          )}
        </FileButton>
      </Group>
      {upload.isError && <ErrorAlert error={upload.error} />}
      {r && (
        <Card withBorder data-testid="import-result">
          <Text size="sm" fw={600} data-testid="import-summary">
            {t('desk.importSummary', { total: fmt.number(r.total), registered: fmt.number(r.registered), already: fmt.number(r.already), errors: fmt.number(r.errors.length) })}
          </Text>
          {!!r.errors.length && (
            <Table.ScrollContainer minWidth={320}>
              <Table data-testid="import-errors">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('desk.line')}</Table.Th>
                    <Table.Th>{t('desk.column')}</Table.Th>
                    <Table.Th>{t('desk.problem')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {r.errors.map((e, i) => (
                    <Table.Tr key={i} data-testid="import-error">
                      <Table.Td>{e.line}</Table.Td>
                      <Table.Td>{e.path.replace(/^line \d+\.?/, '').replace(/^person\./, '') || '—'}</Table.Td>
                      <Table.Td>{localizeFieldMessage(e.message)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Card>
      )}
    </Stack>
  );
}

function WalkIn({ campaign }: { campaign: CampaignItem }) {
  const t = useVaccT();
  const fmt = useFormat();
  const day = todayLocal();
  const slots = useSlots(campaign.id, day);
  const sessions = useMemo(() => {
    const m = new Map<string, { id: string; label: string; free: number }>();
    for (const s of slots.data?.items ?? []) {
      const cur = m.get(s.sessionId) ?? { id: s.sessionId, label: s.siteName, free: 0 };
      if (new Date(s.endsAt).getTime() > Date.now()) cur.free += s.capacity - s.booked;
      m.set(s.sessionId, cur);
    }
    return [...m.values()];
  }, [slots.data]);
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [person, setPerson] = useState<PersonDraft>(EMPTY);
  const [dose, setDose] = useState<string | number>(1);
  const [fieldErrs, setFieldErrs] = useState<Record<string, string>>({});
  const walkIn = useMutation({
    mutationFn: async () => {
      if (!sessionId) throw new Error(t('desk.chooseSession'));
      const reg = await api.post<RegistrationResult>('/api/vaccination/registrations', { campaignId: campaign.id, person: personBody(person) });
      const r = await api.post<{ ids: string[] }>(`/api/vaccination/sessions/${sessionId}/walk-ins`, { personId: reg.personId, doseNumber: Number(dose) });
      return { ...r, created: reg.created, name: person.fullName.trim() };
    },
    onMutate: () => setFieldErrs({}),
    onError: (e) => setFieldErrs(fieldErrorsOf(e)),
    onSuccess: () => {
      setPerson(EMPTY);
      void slots.refetch();
    },
  });
  return (
    <Stack gap="xs" data-testid="walkin-form">
      <Text size="sm" c="dimmed">
        {t('desk.walkInHint', { day: fmt.day(day) })}
      </Text>
      <Select
        label={t('desk.session')}
        data={sessions.map((s) => ({ value: s.id, label: `${s.label} — ${t('freeSeats', { n: s.free })}` }))}
        value={sessionId}
        onChange={setSessionId}
        nothingFoundMessage={t('desk.noSessionToday')}
        data-testid="walkin-session"
      />
      {slots.data && !sessions.length && <Alert color="yellow">{t('desk.noSessionToday')}</Alert>}
      <PersonFields value={person} onChange={setPerson} errors={fieldErrs} prefix="walkin" />
      <NumberInput label={t('doseNumber')} value={dose} onChange={setDose} min={1} max={5} allowDecimal={false} w={160} error={fieldErrs.doseNumber} data-testid="walkin-dose" />
      {unplaced(walkIn.error, ['person', 'doseNumber']) && <ErrorAlert error={walkIn.error} />}
      {walkIn.data && (
        <Alert color="green" data-testid="walkin-result">
          {t('desk.walkInDone', { name: walkIn.data.name })}
        </Alert>
      )}
      <Group>
        <Button onClick={() => walkIn.mutate()} loading={walkIn.isPending} data-testid="walkin-submit">
          {t('desk.walkInSubmit')}
        </Button>
      </Group>
    </Stack>
  );
}

export default function RegistrationDeskPage() {
  const t = useVaccT();
  const campaigns = useCampaigns();
  const [campaignId, setCampaignId] = useState<string | null>(null);
  const campaign = campaigns.data?.items.find((c) => c.id === campaignId) ?? null;
  return (
    <Stack gap="sm">
      <Title order={1} size="h3">
        {t('desk.title')}
      </Title>
      {campaigns.isError && <ErrorAlert error={campaigns.error} onRetry={() => campaigns.refetch()} />}
      {campaigns.data && !campaigns.data.items.length && <Alert>{t('desk.noCampaign')}</Alert>}
      <CampaignSelect label={t('campaign')} campaigns={campaigns.data?.items} value={campaignId} onChange={setCampaignId} storageKey={CAMPAIGN_KEY} testId="desk-campaign" />
      {campaign && (
        <Tabs defaultValue="typed" keepMounted={false}>
          <Tabs.List grow>
            <Tabs.Tab value="typed" data-testid="tab-typed">
              {t('desk.tabTyped')}
            </Tabs.Tab>
            <Tabs.Tab value="list" data-testid="tab-list">
              {t('desk.tabList')}
            </Tabs.Tab>
            <Tabs.Tab value="walkin" data-testid="tab-walkin">
              {t('desk.tabWalkIn')}
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="typed" pt="sm">
            <Stack gap="sm">
              <FindOnFile key={`find-${campaign.id}`} campaign={campaign} />
              <TypedRegistration key={campaign.id} campaign={campaign} />
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="list" pt="sm">
            <ListImport key={campaign.id} campaign={campaign} />
          </Tabs.Panel>
          <Tabs.Panel value="walkin" pt="sm">
            <WalkIn key={campaign.id} campaign={campaign} />
          </Tabs.Panel>
        </Tabs>
      )}
    </Stack>
  );
}
