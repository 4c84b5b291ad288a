// The lab's page (/testing/lab): upload a results file (template to download, every refused line listed), or enter
// one result by tube code; a tube that already has a result is corrected instead, with the old result shown and a
// reason required (the server keeps both).
import { Alert, Badge, Button, Card, Group, SegmentedControl, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useAuth } from '../../app/auth';
import { PageLoader } from '../../app/pages';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { RESULTS, useSaveResult, useTube, type ResultResponse, type ResultValue, type SampleDetail } from './api';
import { FileImport } from './FileImport';
import { useTestingLabel, useTestingT } from './i18n';
import { TubeHistory, TubeSummary } from './TubeView';

/** "2021-08-20T14:05" in the browser's zone, for a datetime-local input. */
function localInputValue(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function ResultForm({ d, onSaved }: { d: SampleDetail; onSaved: (r: ResultResponse, previous: ResultValue | null) => void }) {
  const t = useTestingT();
  const label = useTestingLabel();
  const fmt = useFormat();
  const save = useSaveResult();
  const current = d.sample.result;
  const [result, setResult] = useState<ResultValue | ''>('');
  const [at, setAt] = useState(() => localInputValue(new Date()));
  const [labCode, setLabCode] = useState(d.sample.labCode ?? '');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const correcting = current !== null;

  const submit = async () => {
    if (!result) return;
    if (correcting && result === current) return setError(t('lab.sameResult'));
    if (correcting && !reason.trim()) return setError(t('lab.reasonRequired'));
    setError(null);
    const r = await save.mutateAsync({
      tubeCode: d.sample.tubeCode,
      result,
      resultedAt: new Date(at).toISOString(),
      labCode: labCode.trim() || null,
      ...(correcting ? { reason: reason.trim() } : {}),
    });
    onSaved(r, current);
  };

  return (
    <Stack gap="sm">
      {correcting && (
        <Alert color="orange" p="xs" title={t('lab.correct')}>
          <Text size="sm" data-testid="old-result">
            {t('lab.oldResult', { result: label('results', current), at: fmt.dateTime(d.sample.resultedAt) })}
          </Text>
          <Text size="xs" c="dimmed">
            {t('lab.correctIntro')}
          </Text>
        </Alert>
      )}
      <div>
        <Text size="sm" fw={500} mb={4}>
          {correcting ? t('lab.newResult') : t('lab.result')}
        </Text>
        <SegmentedControl
          fullWidth
          value={result}
          onChange={(v) => (setResult(v as ResultValue), setError(null))}
          data={RESULTS.map((r) => ({ value: r, label: label('results', r), disabled: correcting && r === current }))}
        />
      </div>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput type="datetime-local" label={t('lab.resultedAt')} value={at} onChange={(e) => setAt(e.currentTarget.value)} required />
        <TextInput label={t('lab.labCode')} value={labCode} onChange={(e) => setLabCode(e.currentTarget.value)} maxLength={40} />
      </SimpleGrid>
      {correcting && <Textarea label={t('lab.reason')} value={reason} onChange={(e) => (setReason(e.currentTarget.value), setError(null))} required autosize minRows={2} maxLength={500} />}
      {error && (
        <Text c="red" size="sm" role="alert">
          {error}
        </Text>
      )}
      {save.isError && <ErrorAlert error={save.error} />}
      <Group>
        <Button color={correcting ? 'orange' : undefined} disabled={!result || !at} loading={save.isPending} onClick={() => void submit().catch(() => undefined)}>
          {correcting ? t('lab.correct') : t('lab.save')}
        </Button>
      </Group>
    </Stack>
  );
}

function SingleEntry() {
  const t = useTestingT();
  const label = useTestingLabel();
  const [input, setInput] = useState('');
  const [code, setCode] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const tube = useTube(code);
  useEffect(() => setDone(null), [code]);
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={3} size="h4">
          {t('lab.single')}
        </Title>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setCode(input.trim() || null);
          }}
        >
          <Group align="end" wrap="nowrap" gap="xs">
            <TextInput style={{ flex: 1 }} label={t('lab.tube')} value={input} onChange={(e) => setInput(e.currentTarget.value)} autoComplete="off" styles={{ input: { fontFamily: 'monospace' } }} />
            <Button type="submit" disabled={!input.trim()}>
              {t('lab.find')}
            </Button>
          </Group>
        </form>
        {done && (
          <Alert color="teal" p="xs" data-testid="result-saved">
            {done}
          </Alert>
        )}
        {tube.isFetching && !tube.data && <PageLoader />}
        {tube.isError && <ErrorAlert error={tube.error} />}
        {tube.data === null && (
          <Text c="red" size="sm">
            {t('lab.unknownTube')}
          </Text>
        )}
        {tube.data && (
          <>
            <TubeSummary d={tube.data} />
            <ResultForm
              key={`${tube.data.sample.id}:${tube.data.history.length}`}
              d={tube.data}
              onSaved={(r, previous) =>
                setDone(
                  r.status === 'unchanged'
                    ? t('lab.unchanged', { tube: r.sample.tubeCode })
                    : r.status === 'corrected'
                      ? t('lab.corrected', { tube: r.sample.tubeCode, from: label('results', previous ?? ''), to: label('results', r.sample.result ?? '') })
                      : t('lab.saved', { tube: r.sample.tubeCode, result: label('results', r.sample.result ?? '') }) +
                        (r.retestTasks ? ` ${t('lab.retestsCreated', { n: r.retestTasks })}` : '') +
                        (r.resampleTasks ? ` ${t('lab.resamplesCreated', { n: r.resampleTasks })}` : ''),
                )
              }
            />
            <TubeHistory d={tube.data} />
          </>
        )}
      </Stack>
    </Card>
  );
}

export default function LabPage() {
  const t = useTestingT();
  const { can } = useAuth();
  if (!can('testing.results'))
    return (
      <Badge color="gray" variant="light">
        {t('lab.noPermission')}
      </Badge>
    );
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <FileImport
        title={t('lab.upload')}
        intro={t('lab.uploadIntro')}
        columns="tube_code, result, resulted_at, lab_code"
        url="/api/testing/results/import"
        action={t('lab.import')}
        templateUrl="/api/testing/results/template.xlsx"
      />
      <SingleEntry />
    </SimpleGrid>
  );
}
