// The citizen's electronic health book ("Sổ sức khỏe điện tử"): for themself and each dependant their account
// manages, the personal QR, appointments (booking the next dose, moving or cancelling one), doses (with AEFI and the next dose due), test results and health declarations. Reads
// the people module's QR and dependants, the declarations module's list, this module's book and the certificates
// module's section (QR to show, PDF to print).
import { Alert, Badge, Button, Card, Center, Group, Image, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { PageLoader } from '../../app/pages';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useMyDeclarations } from '../declarations/api';
import { CertificateSection } from '../certificates';
import { MyResultsCard } from '../testing/MyResultsCard';
import { useMyDependants, useMyPerson, useMyQr } from '../people/api';
import { useHealthBook } from './api';
import { BookingCard, useCancelBooking } from './BookingCard';
import { useVaccT, type VaccKey } from './i18n';
import { useLang } from '../../app/i18n';

export default function HealthBookPage() {
  const t = useVaccT();
  const me = useMyPerson();
  const deps = useMyDependants();
  const [who, setWho] = useState<string | null>(null);
  if (me.isPending) return <PageLoader />;
  if (me.isError) return <ErrorAlert error={me.error} />;
  const own = me.data.person?.id ?? null;
  if (!own) return <Alert>{t('noDoses')}</Alert>;
  const people = [{ value: own, label: me.data.person!.fullName }, ...(deps.data?.items ?? []).map((d) => ({ value: d.id, label: d.fullName }))];
  const current = who ?? own;
  return (
    <Stack gap="sm" maw={640} mx="auto">
      <Title order={1} size="h3">
        {t('book')}
      </Title>
      {people.length > 1 && <SegmentedControl value={current} onChange={setWho} data={people} />}
      <Book personId={current} own={current === own} />
    </Stack>
  );
}

function Book({ personId, own }: { personId: string; own: boolean }) {
  const t = useVaccT();
  const fmt = useFormat();
  const lang = useLang();
  const book = useHealthBook(personId);
  const qr = useMyQr(own ? null : personId);
  const decl = useMyDeclarations(own ? null : personId, 1);
  const cancel = useCancelBooking(personId);
  const [moving, setMoving] = useState<string | null>(null);
  if (book.isPending) return <PageLoader />;
  if (book.isError) return <ErrorAlert error={book.error} />;
  const b = book.data;
  const last = b.doses[b.doses.length - 1];
  return (
    <Stack gap="sm">
      <Card withBorder>
        <Text fw={700} size="lg" data-testid="book-name">
          {b.person.fullName}
        </Text>
        {qr.data && (
          <Center>
            <Image src={`data:image/svg+xml;utf8,${encodeURIComponent(qr.data.svg)}`} alt={t('myQr')} w={200} h={200} />
          </Center>
        )}
      </Card>
      <Card withBorder data-testid="book-doses">
        <Title order={2} size="h5" mb="xs">
          {t('doses')}
        </Title>
        {b.doses.length === 0 && <Text c="dimmed">{t('noDoses')}</Text>}
        {b.doses.map((d) => (
          <Stack key={d.id} gap={2} mb="xs">
            <Text size="sm" data-testid="dose-line">
              {d.booster !== null
                ? t('boosterLine', { which: d.booster > 1 ? ` ${d.booster}` : '', product: d.productName, lot: d.lot ?? '—', date: fmt.day(d.givenOn), site: d.siteName ?? '—' })
                : t('doseLine', { n: d.doseNumber, of: d.seriesDoses, product: d.productName, lot: d.lot ?? '—', date: fmt.day(d.givenOn), site: d.siteName ?? '—' })}
            </Text>
            {d.aefi.map((a, i) => (
              <Text size="xs" c="orange" key={i}>
                {t('aefiLine', { severity: t(`sev.${a.severity}` as VaccKey), symptoms: a.symptoms.join(', '), outcome: t(`out.${a.outcome}` as VaccKey) })}
              </Text>
            ))}
          </Stack>
        ))}
        {b.nextDose && <Badge color="blue">{t('nextDose', { n: b.nextDose.doseNumber, date: fmt.day(b.nextDose.dueOn) })}</Badge>}
        {!b.nextDose && last && last.doseNumber >= last.seriesDoses && <Badge color="green">{t('fullyVaccinated')}</Badge>}
      </Card>
      <Card withBorder data-testid="book-registrations">
        <Title order={2} size="h5" mb="xs">
          {t('registrations')}
        </Title>
        {b.registrations.length === 0 && <Text c="dimmed">{t('noRegistrations')}</Text>}
        {b.registrations.map((r) => (
          <Stack key={r.id} gap={2} mb="xs">
            <Text size="sm" fw={600}>
              {r.campaignName}
            </Text>
            {r.priority && (
              <>
                <Text size="sm">
                  {t('priorityGroup', { group: lang === 'en' ? r.priority.nameEn : r.priority.nameVi })}{' '}
                  <Badge color={r.priority.status === 'accepted' ? 'green' : r.priority.status === 'review' ? 'yellow' : 'gray'}>{t(`priorityStatus.${r.priority.status}` as VaccKey)}</Badge>
                </Text>
                {r.priority.reason && (
                  <Text size="xs" c="dimmed" data-testid="priority-reason">
                    {t(`priorityReason.${r.priority.reason}` as VaccKey)}
                    {r.priority.note ? `: ${r.priority.note}` : ''}
                  </Text>
                )}
              </>
            )}
          </Stack>
        ))}
      </Card>
      <MyResultsCard personId={personId} />
      <CertificateSection personId={personId} />
      <Card withBorder>
        <Title order={2} size="h5" mb="xs">
          {t('appointments')}
        </Title>
        {b.appointments.length === 0 && <Text c="dimmed">{t('noAppointments')}</Text>}
        {b.appointments.map((a) => (
          <Group key={a.id} justify="space-between" wrap="nowrap" gap="xs" data-testid="appointment">
            <Text size="sm">
              {t('appointment', { dose: a.doseNumber, time: fmt.dateTime(a.startsAt), site: a.siteName })} · {t(`status.${a.status}` as VaccKey)}
            </Text>
            {a.status === 'booked' && (
              <Group gap={4} wrap="nowrap" style={{ flexShrink: 0 }}>
                <Button size="xs" variant="light" onClick={() => setMoving(moving === a.id ? null : a.id)} data-testid="rebook-open">
                  {t('rebook')}
                </Button>
                <Button size="xs" variant="default" loading={cancel.isPending && cancel.variables === a.id} onClick={() => cancel.mutate(a.id)}>
                  {t('cancelBooking')}
                </Button>
              </Group>
            )}
          </Group>
        ))}
        {cancel.isError && <ErrorAlert error={cancel.error} />}
      </Card>
      {b.appointments
        .filter((a) => a.id === moving && a.status === 'booked')
        .map((a) => (
          <BookingCard key={a.id} personId={personId} doseNumber={a.doseNumber} rebook={a} onDone={() => setMoving(null)} />
        ))}
      {(!last || last.doseNumber < last.seriesDoses) && !b.appointments.some((a) => a.status === 'booked') && <BookingCard personId={personId} doseNumber={b.doses.length + 1} />}
      <Card withBorder>
        <Title order={2} size="h5" mb="xs">
          {t('declarations')}
        </Title>
        {decl.data?.items.length === 0 && <Text c="dimmed">{t('noDeclarations')}</Text>}
        {decl.data?.items.map((d) => (
          <Text size="sm" key={d.id}>
            {fmt.dateTime(d.submittedAt)} · {d.form.title[lang]}
          </Text>
        ))}
      </Card>
    </Stack>
  );
}
