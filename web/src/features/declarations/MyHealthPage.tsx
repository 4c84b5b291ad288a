import { Alert, Badge, Button, Card, Center, Group, Image, Modal, Pagination, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useAuth } from '../../app/auth';
import { PageLoader } from '../../app/pages';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { LinkRecordCard } from '../people/LinkRecordCard';
import { MyResultsCard } from '../testing/MyResultsCard';
import { myCardUrl, RELATIONSHIPS, useAddMyDependant, useMyDependants, useMyPerson, useMyQr, useRemoveMyDependant, useSaveMyPerson, type RelationshipValue, type SelfDependantBody, type SelfPerson, type SelfPersonBody } from '../people/api';
import '../people/i18n';
import { usePeopleT } from '../people/i18n';
import { relationshipLabel } from '../people/labels';
import { emptyPerson, PersonForm, toBody, type PersonFormValues } from '../people/PersonForm';
import { useMyDeclaration, useMyDeclarations, type Question } from './api';
import { AnswersView } from './AnswersView';
import { useDeclT, useLang } from './i18n';
import { STATUS_COLOR, statusLabel } from './labels';

const toValues = (p: SelfPerson): PersonFormValues => ({
  fullName: p.fullName,
  birthDate: p.birthDate ?? '',
  birthYear: p.birthYear ?? '',
  sex: (p.sex as PersonFormValues['sex']) ?? null,
  nationalId: p.nationalId ?? '',
  phone: p.phone ?? '',
  address: p.address ?? '',
  communeCode: p.commune?.code ?? null,
});

function QrCard({ people }: { people: { id: string; name: string }[] }) {
  const tp = usePeopleT();
  const [who, setWho] = useState(people[0]!.id);
  const own = people[0]!.id;
  const qr = useMyQr(who === own ? null : who);
  return (
    <Card withBorder>
      <Title order={2} size="h4">
        {tp('me.qr')}
      </Title>
      {people.length > 1 && (
        <SegmentedControl mt="xs" fullWidth value={who} onChange={setWho} data={people.map((p) => ({ value: p.id, label: p.name }))} />
      )}
      <Center py="md">
        {qr.isPending ? (
          <PageLoader />
        ) : qr.isError ? (
          <ErrorAlert error={qr.error} />
        ) : (
          <Image src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qr.data.svg)}`} alt={`${tp('me.qr')}: ${qr.data.fullName}`} w={260} h={260} data-testid="my-qr" />
        )}
      </Center>
      <Text ta="center" fw={600}>
        {qr.data?.fullName}
      </Text>
      <Text ta="center" size="xs" c="dimmed">
        {tp('me.qrHint')}
      </Text>
      <Group justify="center" mt="sm">
        <Button variant="light" size="xs" component="a" href={myCardUrl(who === own ? null : who)} target="_blank" rel="noopener">
          {tp('me.printCard')}
        </Button>
        {people.length > 1 && who === own && (
          <Button variant="subtle" size="xs" component="a" href={myCardUrl(null, true)} target="_blank" rel="noopener">
            {tp('me.printHousehold')}
          </Button>
        )}
      </Group>
    </Card>
  );
}

function AddDependantForm({ onDone }: { onDone(): void }) {
  const tp = usePeopleT();
  const { t } = useTranslation();
  const add = useAddMyDependant();
  const [relationship, setRelationship] = useState<RelationshipValue | null>(null);
  return (
    <Stack>
      <Select
        label={tp('detail.relationship')}
        required
        data={RELATIONSHIPS.map((r) => ({ value: r, label: relationshipLabel(tp, r) }))}
        value={relationship}
        onChange={(v) => setRelationship(v as RelationshipValue | null)}
      />
      <PersonForm
        initial={emptyPerson}
        submitLabel={t('common.save')}
        errorPrefix="person"
        onCancel={onDone}
        onSubmit={async (v) => {
          if (!relationship) throw new Error(tp('detail.relationship'));
          const body = toBody(v, 'create');
          await add.mutateAsync({ relationship, person: body as SelfDependantBody['person'] });
          onDone();
        }}
      />
    </Stack>
  );
}

function DeclarationModal({ id, onClose }: { id: string; onClose(): void }) {
  const lang = useLang();
  const q = useMyDeclaration(id);
  if (q.isPending) return <PageLoader />;
  if (q.isError) return <ErrorAlert error={q.error} />;
  const d = q.data.declaration;
  return (
    <Stack>
      <Text fw={600}>
        {d.form.title[lang]} — {d.subject.fullName}
      </Text>
      <AnswersView questions={d.questions as Question[]} answers={d.answers} lang={lang} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          OK
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * The details a citizen's account already gives: the name typed at sign-up, and the phone the account was made with
 * (a phone sign-up's user name is the number without '+': 84912345678 → 0912345678).
 */
export function accountPrefill(user: { username: string; displayName: string }): PersonFormValues {
  const phone = /^84[35789]\d{8}$/.test(user.username) ? `0${user.username.slice(2)}` : '';
  return { ...emptyPerson, fullName: user.displayName !== user.username ? user.displayName : '', phone };
}

/** The citizen's own page: register details, personal QR (and dependants'), dependants, past declarations. */
export default function MyHealthPage() {
  const { user } = useAuth();
  const td = useDeclT();
  const tp = usePeopleT();
  const { t } = useTranslation();
  const lang = useLang();
  const fmt = useFormat();
  const me = useMyPerson();
  const person = me.data?.person ?? null;
  const deps = useMyDependants(!!person);
  const save = useSaveMyPerson();
  const remove = useRemoveMyDependant();
  const [page, setPage] = useState(1);
  const list = useMyDeclarations(null, page, !!person);
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const [viewing, setViewing] = useState<string | null>(null);

  if (me.isPending) return <PageLoader />;
  if (me.isError) return <ErrorAlert error={me.error} onRetry={() => void me.refetch()} />;

  if (!person)
    return (
      <Card withBorder maw={720} p="lg">
        <Title order={1} size="h3">
          {tp('me.register')}
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          {tp('me.registerIntro')}
        </Text>
        <PersonForm initial={accountPrefill(user)} phoneRequired submitLabel={tp('me.save')} onSubmit={(v) => save.mutateAsync({ ...toBody(v, 'create'), phone: v.phone.trim() } as SelfPersonBody)} />
      </Card>
    );

  const household = [{ id: person.id, name: person.fullName }, ...(deps.data?.items ?? []).map((d) => ({ id: d.id, name: d.fullName }))];
  const pages = Math.max(1, Math.ceil((list.data?.total ?? 0) / 20));

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {td('mine.title')}
        </Title>
        <Button component={Link} to="/declare">
          {td('mine.declare')}
        </Button>
      </Group>

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <QrCard key={household.length} people={household} />

        <Stack gap="md">
          <Card withBorder>
            <Group justify="space-between">
              <Title order={2} size="h4">
                {person.fullName}
              </Title>
              <Button size="compact-sm" variant="light" onClick={() => setEditing(true)}>
                {t('common.edit')}
              </Button>
            </Group>
            <Text size="sm" c="dimmed">
              {[person.birthYear, person.phone, person.commune?.label].filter(Boolean).join(' · ')}
            </Text>
          </Card>

          <Card withBorder>
            <Group justify="space-between">
              <Title order={2} size="h4">
                {tp('me.dependants')}
              </Title>
              <Button size="compact-sm" variant="light" onClick={() => setAdding(true)}>
                {tp('me.addDependant')}
              </Button>
            </Group>
            <Text size="xs" c="dimmed" mb="xs">
              {tp('me.dependantsIntro')}
            </Text>
            {remove.isError && <ErrorAlert error={remove.error} />}
            <Stack gap={6}>
              {(deps.data?.items ?? []).map((d) => (
                <Group key={d.id} justify="space-between" wrap="nowrap">
                  <Text size="sm">
                    {d.fullName}{' '}
                    <Text span c="dimmed" size="xs">
                      {d.birthYear ?? ''} · {relationshipLabel(tp, d.relationship)}
                    </Text>
                  </Text>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="light" component={Link} to={`/declare?for=${d.id}`}>
                      {td('mine.declare')}
                    </Button>
                    <Button size="compact-xs" variant="subtle" color="red" loading={remove.isPending && remove.variables === d.id} onClick={() => remove.mutate(d.id)}>
                      {tp('me.removeDependant')}
                    </Button>
                  </Group>
                </Group>
              ))}
            </Stack>
          </Card>

          <LinkRecordCard household={household} />
        </Stack>
      </SimpleGrid>

      <MyResultsCard />

      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          {td('mine.declarations')}
        </Title>
        {list.isError && <ErrorAlert error={list.error} />}
        {list.data?.items.length === 0 && (
          <Text size="sm" c="dimmed">
            {td('mine.none')}
          </Text>
        )}
        {(list.data?.items.length ?? 0) > 0 && (
          <Table verticalSpacing="xs" highlightOnHover>
            <Table.Tbody>
              {list.data!.items.map((d) => (
                <Table.Tr key={d.id} style={{ cursor: 'pointer' }} onClick={() => setViewing(d.id)}>
                  <Table.Td fz="sm">{fmt.dateTime(d.submittedAt)}</Table.Td>
                  <Table.Td fz="sm">{d.subject.fullName}</Table.Td>
                  <Table.Td fz="sm">{d.form.title[lang]}</Table.Td>
                  <Table.Td>
                    {d.followUp ? (
                      <Badge color={STATUS_COLOR[d.status]} variant="light">
                        {td('mine.followUp')} · {statusLabel(td, d.status)}
                      </Badge>
                    ) : (
                      <Badge color="teal" variant="light">
                        {td('mine.ok')}
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {pages > 1 && <Pagination mt="sm" size="sm" total={pages} value={page} onChange={setPage} />}
      </Card>

      <Modal opened={editing} onClose={() => setEditing(false)} title={tp('me.register')} size="lg">
        {editing && (
          <PersonForm
            initial={toValues(person)}
            communeLabel={person.commune?.label}
            phoneRequired
            submitLabel={tp('me.save')}
            onCancel={() => setEditing(false)}
            onSubmit={async (v) => {
              await save.mutateAsync({ ...toBody(v, 'edit'), phone: v.phone.trim() } as SelfPersonBody);
              setEditing(false);
            }}
          />
        )}
      </Modal>
      <Modal opened={adding} onClose={() => setAdding(false)} title={tp('me.addDependant')} size="lg">
        {adding && <AddDependantForm onDone={() => setAdding(false)} />}
      </Modal>
      <Modal opened={viewing !== null} onClose={() => setViewing(null)} title={td('detail.title')} size="lg">
        {viewing && <DeclarationModal id={viewing} onClose={() => setViewing(null)} />}
      </Modal>
      {save.isSuccess && !editing && (
        <Alert color="teal" variant="light">
          {tp('detail.saved')}
        </Alert>
      )}
    </Stack>
  );
}
