// Step 2 of the site day: the screening questionnaire, temperature and consent → the class and the rules that fired.
import { Alert, Badge, Button, Checkbox, NumberInput, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useScopedLabel } from '../../app/i18n';
import { useErrorMessage } from '../../lib/errors';
import { TemperatureInput, parseTemperature } from '../../lib/TemperatureInput';
import { screenPerson } from './api';
import { useVaccT, type VaccKey } from './i18n';

const QUESTIONS = ['anaphylaxisToVaccine', 'severeAllergyOther', 'acuteIllness', 'covidLast3Months', 'otherVaccineLast14Days', 'chronicUncontrolled', 'chronicControlled', 'immunocompromised', 'bleedingDisorder'] as const;
export const OUTCOME_COLOR: Record<string, string> = { eligible: 'green', caution: 'yellow', postpone: 'orange', contraindicated: 'red' };

/** A badge whose text wraps on a phone instead of running out of its card (the long outcome labels). */
export const WRAP = { root: { height: 'auto', maxWidth: '100%', paddingBlock: 4 }, label: { whiteSpace: 'normal', overflow: 'visible', lineHeight: 1.3, textAlign: 'center' } } as const;

export interface Screening {
  id: string;
  outcome: string;
  rules: string[];
}

export function ScreeningStep({ personId, siteId, onDone }: { personId: string; siteId: string; onDone: (s: Screening) => void }) {
  const t = useVaccT();
  const label = useScopedLabel('vaccination');
  const errorText = useErrorMessage();
  const [answers, setAnswers] = useState<Record<string, boolean>>(() => Object.fromEntries(QUESTIONS.map((q) => [q, false])));
  const [weeks, setWeeks] = useState<number | ''>('');
  // what was typed, read on submit (either decimal separator; lib/TemperatureInput)
  const [temperature, setTemperature] = useState('36,5');
  const [temperatureError, setTemperatureError] = useState<string | null>(null);
  const [consent, setConsent] = useState(false);
  const [result, setResult] = useState<Screening | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const celsius = parseTemperature(temperature);
    if (celsius === undefined) return setTemperatureError(t('temperatureInvalid'));
    setBusy(true);
    setError(null);
    try {
      const r = await screenPerson({ personId, siteId, answers: { ...answers, pregnancyWeeks: weeks === '' ? null : weeks }, temperature: celsius, consent, consentBy: 'self' });
      setResult(r);
      onDone(r);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="xs">
      {QUESTIONS.map((q) => (
        <Checkbox key={q} label={t(`q.${q}` as VaccKey)} checked={answers[q]} onChange={(e) => setAnswers({ ...answers, [q]: e.currentTarget.checked })} disabled={!!result} />
      ))}
      <NumberInput label={t('pregnancyWeeks')} value={weeks} min={1} max={45} onChange={(v) => setWeeks(typeof v === 'number' ? v : '')} disabled={!!result} />
      <TemperatureInput label={t('temperature')} value={temperature} onChange={(v) => (setTemperature(v), setTemperatureError(null))} error={temperatureError} disabled={!!result} />
      <Checkbox label={t('consent')} checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} disabled={!!result} />
      {error && <Alert color="red">{error}</Alert>}
      {result ? (
        <Stack gap={4} data-testid="screening-result" data-outcome={result.outcome}>
          <Badge size="lg" color={OUTCOME_COLOR[result.outcome]} styles={WRAP}>
            {t(`outcome.${result.outcome}` as VaccKey)}
          </Badge>
          {result.rules.length > 0 && <Text size="sm">{t('rulesFired', { rules: result.rules.map((r) => label('rule', r)).join(', ') })}</Text>}
        </Stack>
      ) : (
        <Button onClick={() => void submit()} loading={busy}>
          {t('screen')}
        </Button>
      )}
    </Stack>
  );
}
