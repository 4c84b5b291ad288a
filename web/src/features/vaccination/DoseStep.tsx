// Steps 3 and 4 of the site day: the dose (lot, dose number, vaccinator; warnings to acknowledge), then the
// 30-minute observation timer and AEFI.
import { Alert, Badge, Button, Group, List, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { isApiError } from '../../lib/api';
import { useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { endObservation, recordAefi, recordDose, type ScanResult } from './api';
import { useVaccT, type VaccKey } from './i18n';

const VACCINATOR_KEY = 'vigil.vacc.vaccinator';
const SEVERITIES = ['mild', 'moderate', 'severe', 'serious'] as const;
const OUTCOMES = ['recovered', 'recovering', 'not_recovered', 'recovered_with_sequelae', 'died', 'unknown'] as const;

const mmss = (ms: number) => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

export function DoseStep({ scan, siteId, screeningId }: { scan: ScanResult; siteId: string; screeningId: string }) {
  const t = useVaccT();
  const fmt = useFormat();
  const errorText = useErrorMessage();
  const [lotId, setLotId] = useState<string | null>(scan.lots[0]?.id ?? null);
  const [doseNumber, setDoseNumber] = useState(String(scan.nextDoseNumber));
  const [vaccinator, setVaccinator] = useState(() => localStorage.getItem(VACCINATOR_KEY) ?? '');
  const [warnings, setWarnings] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dose, setDose] = useState<{ id: string; observeUntil: number; skew: number } | null>(null);

  const give = async (acknowledgeWarnings: boolean) => {
    setBusy(true);
    setError(null);
    try {
      localStorage.setItem(VACCINATOR_KEY, vaccinator);
      const r = await recordDose({ personId: scan.person.id, siteId, lotId, doseNumber: Number(doseNumber), vaccinator, screeningId, acknowledgeWarnings });
      const until = Date.parse(r.observeUntil);
      // the server's clock: the dose was given 30 minutes before observeUntil, i.e. now on the server
      setDose({ id: r.id, observeUntil: until, skew: until - 30 * 60_000 - Date.now() });
      setWarnings([]);
    } catch (e) {
      if (isApiError(e) && e.code === 'WARNINGS') setWarnings(e.details.map((d) => d.message));
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  if (dose) return <Observation doseId={dose.id} observeUntil={dose.observeUntil} skew={dose.skew} />;
  return (
    <Stack gap="xs">
      <Select
        label={t('lot')}
        value={lotId}
        onChange={setLotId}
        data={scan.lots.map((l) => ({ value: l.id, label: t('lotOption', { product: l.productName, lot: l.lotNumber, expires: fmt.day(l.expiresOn), left: l.left }) }))}
      />
      <Select label={t('doseNumber')} value={doseNumber} onChange={(v) => setDoseNumber(v ?? '1')} data={['1', '2', '3', '4', '5']} />
      <TextInput label={t('vaccinator')} value={vaccinator} onChange={(e) => setVaccinator(e.currentTarget.value)} />
      {error && <Alert color="red">{error}</Alert>}
      {warnings.length > 0 && (
        <Alert color="orange" title={t('warningsTitle')} data-testid="dose-warnings">
          <List size="sm">
            {warnings.map((w) => (
              <List.Item key={w}>{t(`warning.${w}` as VaccKey)}</List.Item>
            ))}
          </List>
          <Button mt="xs" color="orange" onClick={() => void give(true)} loading={busy}>
            {t('giveAnyway')}
          </Button>
        </Alert>
      )}
      {!warnings.length && (
        <Button onClick={() => void give(false)} loading={busy} disabled={!lotId || !vaccinator.trim()}>
          {t('recordDose')}
        </Button>
      )}
    </Stack>
  );
}

function Observation({ doseId, observeUntil, skew }: { doseId: string; observeUntil: number; skew: number }) {
  const t = useVaccT();
  const errorText = useErrorMessage();
  const [now, setNow] = useState(() => Date.now() + skew);
  const [ended, setEnded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [aefi, setAefi] = useState({ severity: 'mild', symptoms: '', outcome: 'recovered' });
  const [aefiSaved, setAefiSaved] = useState(false);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() + skew), 1000);
    return () => clearInterval(timer);
  }, [skew]);
  const left = observeUntil - now;

  const end = async () => {
    setError(null);
    try {
      await endObservation(doseId, false);
      setEnded(true);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const saveAefi = async () => {
    setError(null);
    try {
      await recordAefi(doseId, { severity: aefi.severity, symptoms: aefi.symptoms.split(',').map((s) => s.trim()).filter(Boolean), onsetAt: new Date(Date.now() + skew).toISOString(), outcome: aefi.outcome });
      setAefiSaved(true);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <Stack gap="xs" data-testid="observation">
      <Title order={3} size="h5">
        {t('observationTitle')}
      </Title>
      <Badge size="xl" color={left > 0 ? 'blue' : 'green'} data-testid="observation-timer">
        {left > 0 ? t('remaining', { time: mmss(left) }) : t('observationDone')}
      </Badge>
      {error && <Alert color="red">{error}</Alert>}
      {ended ? (
        <Alert color="green" data-testid="observation-ended">
          {t('observationEnded')}
        </Alert>
      ) : (
        <Button onClick={() => void end()}>{t('endObservation')}</Button>
      )}
      <Title order={4} size="h6">
        {t('aefiTitle')}
      </Title>
      {aefiSaved ? (
        <Text c="orange">{t('aefiRecorded')}</Text>
      ) : (
        <Group grow align="end">
          <Select label={t('severity')} value={aefi.severity} onChange={(v) => setAefi({ ...aefi, severity: v ?? 'mild' })} data={SEVERITIES.map((s) => ({ value: s, label: t(`sev.${s}` as VaccKey) }))} />
          <Select label={t('aefiOutcome')} value={aefi.outcome} onChange={(v) => setAefi({ ...aefi, outcome: v ?? 'unknown' })} data={OUTCOMES.map((s) => ({ value: s, label: t(`out.${s}` as VaccKey) }))} />
        </Group>
      )}
      {!aefiSaved && (
        <>
          <TextInput label={t('symptoms')} value={aefi.symptoms} onChange={(e) => setAefi({ ...aefi, symptoms: e.currentTarget.value })} />
          <Button variant="light" color="orange" disabled={!aefi.symptoms.trim()} onClick={() => void saveAefi()}>
            {t('recordAefi')}
          </Button>
        </>
      )}
    </Stack>
  );
}
