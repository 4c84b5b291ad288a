// The site day on a phone: choose the site, scan the person's QR, screening, dose, 30-minute observation and AEFI.
import { Alert, Badge, Button, Card, Select, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useAuth } from '../../app/auth';
import { useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { PersonCertificatesCard } from '../certificates';
import { scan as scanQr, useSites, type ScanResult } from './api';
import { DoseStep } from './DoseStep';
import { useVaccT } from './i18n';
import { QrScanner } from './QrScanner';
import { OUTCOME_COLOR, ScreeningStep, WRAP, type Screening } from './ScreeningStep';

const SITE_KEY = 'vigil.vacc.site';

export default function SiteDayPage() {
  const t = useVaccT();
  const { user, can } = useAuth();
  const fmt = useFormat();
  const errorText = useErrorMessage();
  const sites = useSites(user.jurisdiction.code === 'VN' ? null : user.jurisdiction.code);
  const [siteId, setSiteId] = useState<string | null>(() => localStorage.getItem(SITE_KEY));
  const [person, setPerson] = useState<ScanResult | null>(null);
  const [screening, setScreening] = useState<Screening | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (siteId) localStorage.setItem(SITE_KEY, siteId);
  }, [siteId]);
  useEffect(() => {
    const items = sites.data?.items;
    if (!items) return;
    if (siteId && !items.some((s) => s.id === siteId)) setSiteId(null);
    if (!siteId && items.length === 1) setSiteId(items[0]!.id);
  }, [sites.data, siteId]);

  const onCode = useCallback(
    async (text: string) => {
      if (!siteId) return;
      setBusy(true);
      setError(null);
      try {
        setPerson(await scanQr(siteId, text));
        setScreening(null);
      } catch (e) {
        setError(errorText(e));
      } finally {
        setBusy(false);
      }
    },
    [siteId, errorText],
  );

  const next = () => {
    setPerson(null);
    setScreening(null);
    setError(null);
    setRound((r) => r + 1);
  };

  return (
    <Stack gap="sm" maw={520} mx="auto">
      <Title order={1} size="h3">
        {t('siteDay')}
      </Title>
      <Select label={t('site')} placeholder={t('chooseSite')} value={siteId} onChange={setSiteId} searchable data={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} />
      {siteId && !person && (
        <Card withBorder>
          <Title order={2} size="h5" mb="xs">
            {t('scanTitle')}
          </Title>
          <QrScanner key={round} onCode={(c) => void onCode(c)} busy={busy} />
          {error && (
            <Alert color="red" mt="xs" data-testid="scan-error">
              {error}
            </Alert>
          )}
        </Card>
      )}
      {person && siteId && (
        <>
          <Card withBorder data-testid="person-card">
            <Text fw={700} size="lg">
              {person.person.fullName}
            </Text>
            <Text size="sm">
              {person.person.age !== null && t('age', { age: person.person.age })} {person.person.phoneMasked ?? ''}
            </Text>
            {!person.registered && (
              <Text size="sm" c="dimmed">
                {t('notRegistered')}
              </Text>
            )}
            <Text size="sm">{t('dosesSoFar', { n: person.doses.length })}</Text>
            {person.appointments.map((a) => (
              <Text size="sm" key={a.id}>
                {t('appointment', { dose: a.doseNumber, time: fmt.dateTime(a.startsAt), site: a.siteName })}
              </Text>
            ))}
          </Card>
          <Card withBorder>
            <Title order={2} size="h5" mb="xs">
              {t('screeningTitle')}
            </Title>
            <ScreeningStep personId={person.person.id} siteId={siteId} onDone={setScreening} />
          </Card>
          {screening && (screening.outcome === 'eligible' || screening.outcome === 'caution') && (
            <Card withBorder>
              <Title order={2} size="h5" mb="xs">
                {t('doseTitle')}
              </Title>
              <Badge color={OUTCOME_COLOR[screening.outcome]} mb="xs" styles={WRAP}>
                {t(`outcome.${screening.outcome}` as 'outcome.eligible')}
              </Badge>
              <DoseStep scan={person} siteId={siteId} screeningId={screening.id} />
            </Card>
          )}
          {can('certificates.read') && <PersonCertificatesCard personId={person.person.id} />}
          <Button variant="default" onClick={next}>
            {t('nextPerson')}
          </Button>
          {user.personId === person.person.id && <Link to="/health-book">{t('book')}</Link>}
        </>
      )}
    </Stack>
  );
}
