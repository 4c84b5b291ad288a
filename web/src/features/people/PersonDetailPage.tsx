import { Alert, Anchor, Badge, Button, Card, Group, Modal, Radio, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { useAuth } from '../../app/auth';
import { PageLoader } from '../../app/pages';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { PersonDeclarations } from '../declarations/PersonDeclarations';
import { PersonResultsCard } from '../testing/PersonResultsCard';
import { PersonActivity } from '../venues/PersonActivity';
import { cardUrl, RELATIONSHIPS, useAddDependant, useDuplicates, usePeople, usePerson, useRemoveDependant, useUpdatePerson, type PersonDetail, type PersonLink, type PersonUpdateBody, type RelationshipValue } from './api';
import { usePeopleT, type PeopleKey } from './i18n';
import { relationshipLabel, sexLabel, sourceLabel } from './labels';
import { PersonForm, toBody, type PersonFormValues } from './PersonForm';

const REASONS: PeopleKey[] = ['reason.tracing', 'reason.verify', 'reason.declaration', 'reason.support', 'reason.card'];

/** Asks why the officer opens the record: the answer goes to the audit log with the read. */
function ReasonPrompt({ onReason }: { onReason(reason: string): void }) {
  const tp = usePeopleT();
  const [choice, setChoice] = useState<string>('');
  const [custom, setCustom] = useState('');
  const reason = choice === 'custom' ? custom.trim() : choice;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.length >= 3) onReason(reason);
  };
  return (
    <Card withBorder maw={560} p="lg">
      <form onSubmit={submit}>
        <Stack>
          <Title order={2} size="h4">
            {tp('reason.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {tp('reason.intro')}
          </Text>
          <Radio.Group value={choice} onChange={setChoice} label={tp('reason.label')}>
            <Stack gap={6} mt={6}>
              {REASONS.map((k) => (
                <Radio key={k} value={tp(k)} label={tp(k)} />
              ))}
              <Radio value="custom" label={tp('reason.custom')} />
            </Stack>
          </Radio.Group>
          {choice === 'custom' && <TextInput value={custom} onChange={(e) => setCustom(e.currentTarget.value)} maxLength={300} data-autofocus aria-label={tp('reason.custom')} />}
          <Group justify="flex-end">
            <Button type="submit" disabled={reason.length < 3} data-testid="reason-submit">
              {tp('reason.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={{ base: 120, sm: 180 }} fw={500} c="dimmed">
        {label}
      </Table.Th>
      <Table.Td>{children ?? '—'}</Table.Td>
    </Table.Tr>
  );
}

function toFormValues(p: PersonDetail): PersonFormValues {
  return {
    fullName: p.fullName,
    birthDate: p.birthDate ?? '',
    birthYear: p.birthYear ?? '',
    sex: (p.sex as PersonFormValues['sex']) ?? null,
    nationalId: p.nationalId ?? '',
    phone: p.phone ?? '',
    address: p.address ?? '',
    communeCode: p.commune?.code ?? null,
  };
}

function AddDependant({ person, onDone }: { person: PersonDetail; onDone(): void }) {
  const tp = usePeopleT();
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const found = usePeople(q, null, 1, q.length >= 2);
  const [dependantId, setDependantId] = useState<string | null>(null);
  const [relationship, setRelationship] = useState<RelationshipValue | null>(null);
  const add = useAddDependant();
  const options = (found.data?.items ?? [])
    .filter((p) => p.id !== person.id && !p.mergedInto)
    .map((p) => ({ value: p.id, label: `${p.fullName}${p.birthYear ? ` (${p.birthYear})` : ''} · ${p.commune?.name ?? ''} · ${p.phoneMasked ?? ''}` }));
  return (
    <Stack>
      {add.isError && <ErrorAlert error={add.error} />}
      <Select
        label={tp('detail.dependantSearch')}
        searchable
        searchValue={search}
        onSearchChange={setSearch}
        filter={({ options: o }) => o}
        data={options}
        value={dependantId}
        onChange={setDependantId}
        nothingFoundMessage={q.length >= 2 && !found.isFetching ? tp('noResults') : undefined}
      />
      <Select
        label={tp('detail.relationship')}
        data={RELATIONSHIPS.map((r) => ({ value: r, label: relationshipLabel(tp, r) }))}
        value={relationship}
        onChange={(v) => setRelationship(v as RelationshipValue | null)}
      />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button
          disabled={!dependantId || !relationship}
          loading={add.isPending}
          onClick={() =>
            dependantId &&
            relationship &&
            add.mutate({ id: person.id, body: { dependantId, relationship } }, { onSuccess: onDone })
          }
        >
          {tp('detail.addDependant')}
        </Button>
      </Group>
    </Stack>
  );
}

function LinkList({ items, empty, onRemove }: { items: PersonLink[]; empty: string; onRemove?: (l: PersonLink) => void }) {
  const tp = usePeopleT();
  if (!items.length)
    return (
      <Text size="sm" c="dimmed">
        {empty}
      </Text>
    );
  return (
    <Stack gap={4}>
      {items.map((l) => (
        <Group key={l.id} justify="space-between" wrap="nowrap">
          <Text size="sm">
            <Anchor component={Link} to={`../${l.id}`} relative="path">
              {l.fullName}
            </Anchor>{' '}
            <Text span c="dimmed" size="xs">
              {l.birthYear ?? ''} · {relationshipLabel(tp, l.relationship)}
            </Text>
          </Text>
          {onRemove && (
            <Button size="compact-xs" variant="subtle" color="red" onClick={() => onRemove(l)}>
              {tp('detail.remove')}
            </Button>
          )}
        </Group>
      ))}
    </Stack>
  );
}

export default function PersonDetailPage() {
  const tp = usePeopleT();
  const { t } = useTranslation();
  const fmt = useFormat();
  const { can } = useAuth();
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const [reason, setReason] = useState<string | null>(params.get('created') ? 'Vừa tạo hồ sơ / record just created' : params.get('reason'));
  const q = usePerson(id, reason);
  const dups = useDuplicates(1, reason ? id : undefined);
  const update = useUpdatePerson();
  const remove = useRemoveDependant();
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<PersonLink | null>(null);

  if (!reason) return <ReasonPrompt onReason={setReason} />;
  if (q.isPending) return <PageLoader />;
  if (q.isError) return <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  const p = q.data.person;
  const writable = can('people.write') && !p.mergedInto;
  const otherDups = (dups.data?.items ?? []).map((d) => (d.a.id === p.id ? { other: d.b, reason: d.reason } : { other: d.a, reason: d.reason }));

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Anchor component={Link} to=".." relative="path" size="sm">
            ← {tp('title')}
          </Anchor>
          <Title order={1} size="h2">
            {p.fullName}
          </Title>
          <Text c="dimmed" size="sm">
            {[p.birthYear, p.sex ? sexLabel(tp, p.sex) : null, p.commune?.label].filter(Boolean).join(' · ')}
          </Text>
        </div>
        <Group gap="xs">
          {writable && (
            <Button variant="light" onClick={() => setEditing(true)}>
              {t('common.edit')}
            </Button>
          )}
          {!p.mergedInto && (
            <>
              <Button variant="light" component="a" href={cardUrl(p.id, reason)} target="_blank" rel="noopener">
                {tp('detail.printCard')}
              </Button>
              {p.dependants.length > 0 && (
                <Button variant="subtle" component="a" href={cardUrl(p.id, reason, true)} target="_blank" rel="noopener">
                  {tp('detail.printHousehold')}
                </Button>
              )}
            </>
          )}
        </Group>
      </Group>

      {p.mergedInto && (
        <Alert color="yellow" title={tp('detail.mergedInto')}>
          <Anchor component={Link} to={`../${p.mergedInto}`} relative="path">
            {tp('detail.openKept')}
          </Anchor>
        </Alert>
      )}
      {update.isSuccess && !editing && <Alert color="teal">{tp('detail.saved')}</Alert>}

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {tp('detail.personal')}
          </Title>
          <Table variant="vertical" withRowBorders={false} verticalSpacing={4}>
            <Table.Tbody>
              <Field label={tp('fullName')}>{p.fullName}</Field>
              <Field label={tp('dup.birth')}>{p.birthDate ?? p.birthYear}</Field>
              <Field label={tp('sex')}>{sexLabel(tp, p.sex)}</Field>
              <Field label={tp('phone')}>{p.phone && <Anchor href={`tel:${p.phone}`}>{p.phone}</Anchor>}</Field>
              <Field label={tp('nationalId')}>{p.nationalId}</Field>
              <Field label={tp('address')}>{p.address}</Field>
              <Field label={tp('commune')}>{p.commune?.label}</Field>
              <Field label={tp('source')}>{sourceLabel(tp, p.source)}</Field>
              <Field label={tp('createdAt')}>{fmt.dateTime(p.createdAt)}</Field>
              <Field label={tp('updatedAt')}>{fmt.dateTime(p.updatedAt)}</Field>
              <Field label="">
                <Badge variant="light" color={p.hasAccount ? 'teal' : 'gray'}>
                  {p.hasAccount ? tp('hasAccount') : tp('noAccount')}
                </Badge>
              </Field>
            </Table.Tbody>
          </Table>
        </Card>

        <Stack gap="md">
          <Card withBorder>
            <Group justify="space-between" mb="xs">
              <Title order={2} size="h4">
                {tp('detail.household')}
              </Title>
              {writable && (
                <Button size="compact-sm" variant="light" onClick={() => setAdding(true)}>
                  {tp('detail.addDependant')}
                </Button>
              )}
            </Group>
            <Text fw={500} size="sm">
              {tp('detail.dependants')}
            </Text>
            <LinkList items={p.dependants} empty={tp('detail.noDependants')} onRemove={writable ? setRemoving : undefined} />
            <Text fw={500} size="sm" mt="sm">
              {tp('detail.managers')}
            </Text>
            <LinkList items={p.managers} empty={tp('detail.noManagers')} />
          </Card>

          {otherDups.length > 0 && (
            <Card withBorder>
              <Title order={2} size="h4" mb="xs">
                {tp('detail.possibleDuplicates')}
              </Title>
              <Stack gap={4}>
                {otherDups.map(({ other, reason: r }) => (
                  <Group key={other.id} justify="space-between">
                    <Anchor component={Link} to={`../${other.id}`} relative="path" size="sm">
                      {other.fullName} {other.birthYear ? `(${other.birthYear})` : ''}
                    </Anchor>
                    <Badge variant="light" color="orange" size="sm">
                      {tp(`dup.reasons.${r}`)}
                    </Badge>
                  </Group>
                ))}
                {can('people.merge') && (
                  <Anchor component={Link} to={`../duplicates?personId=${p.id}`} relative="path" size="sm">
                    {tp('dup.compare')} →
                  </Anchor>
                )}
              </Stack>
            </Card>
          )}

          {p.merges.length > 0 && (
            <Card withBorder>
              <Title order={2} size="h4" mb="xs">
                {tp('detail.merges')}
              </Title>
              <Stack gap="xs">
                {p.merges.map((m) => (
                  <div key={m.id}>
                    <Text size="sm">
                      {fmt.dateTime(m.mergedAt)} — {tp('detail.mergedFrom', { id: m.mergedId.slice(0, 8) })} {m.mergedBy ? tp('detail.mergedBy', { user: m.mergedBy }) : ''}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {m.snapshot.fullName} · {m.snapshot.birthYear ?? '—'} · {m.snapshot.phone ?? '—'} · «{m.reason}»
                    </Text>
                    {m.fieldsTaken.length > 0 && (
                      <Text size="xs" c="dimmed">
                        {tp('detail.fieldsTaken', { fields: m.fieldsTaken.join(', ') })}
                      </Text>
                    )}
                  </div>
                ))}
              </Stack>
            </Card>
          )}
        </Stack>
      </SimpleGrid>

      {can('checkins.read') && <PersonActivity personId={p.id} declarations={can('declarations.read')} />}
      {can('declarations.read') && <PersonDeclarations personId={p.id} />}
      {can('testing.read') && <PersonResultsCard personId={p.id} />}

      <Modal opened={editing} onClose={() => setEditing(false)} title={tp('editTitle')} size="lg">
        {editing && (
          <PersonForm
            initial={toFormValues(p)}
            communeLabel={p.commune?.label}
            submitLabel={t('common.save')}
            onCancel={() => setEditing(false)}
            onSubmit={async (v) => {
              await update.mutateAsync({ id: p.id, patch: toBody(v, 'edit') as PersonUpdateBody });
              setEditing(false);
            }}
          />
        )}
      </Modal>

      <Modal opened={adding} onClose={() => setAdding(false)} title={tp('detail.addDependant')}>
        {adding && <AddDependant person={p} onDone={() => setAdding(false)} />}
      </Modal>

      <Modal opened={removing !== null} onClose={() => setRemoving(null)} title={tp('detail.remove')}>
        <Stack>
          <Text size="sm">{tp('detail.confirmRemove', { name: removing?.fullName ?? '' })}</Text>
          {remove.isError && <ErrorAlert error={remove.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRemoving(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                removing &&
                remove.mutate({ id: p.id, dependantId: removing.id }, { onSuccess: () => setRemoving(null) })
              }
            >
              {tp('detail.remove')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
