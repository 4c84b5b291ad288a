// Sample collection on a field worker's phone (/sampling): choose the sampling point and the test type, scan the tube's
// barcode (camera, or typed), then add the people whose swabs go into it (personal QR, the reference printed on a
// card, or typed details), up to the test type's pool size; save. Every tube is queued on the device first (client
// id, collection time) and sent when the network allows, once: the page works offline like the gate.
import { Alert, Badge, Button, Card, CloseButton, Collapse, Group, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useAuth } from '../../app/auth';
import { useLang } from '../../app/i18n';
import { ErrorAlert, useApiErrorText, useErrorMessage } from '../../lib/errors';
import { QrScanner, TUBE_FORMATS } from '../../lib/QrScanner';
import { keepGateOffline } from '../gate/offline';
import { usePoints, useTestTypes } from './api';
import { useTestingT } from './i18n';
import { personalTokenOf, sampleQueue, tubeCodeOf } from './queue';
import { useOfflineQueue, type SyncOutcome } from '../../lib/offlineQueue';
import { loadRecent, MAX_RECENT, saveRecent, type RecentSample } from './recent';
import type { BatchItemResult, SamplePerson, ScanResponse } from './types';
import { api, isApiError } from '../../lib/api';

const POINT_KEY = 'vigil.testing.point';
const TYPE_KEY = 'vigil.testing.type';

interface PersonEntry {
  key: string;
  input: SamplePerson;
  label: string;
  /** the scanned code was refused by the server (forged, revoked): to be removed before saving */
  error?: string;
}

const blankPerson = { fullName: '', phone: '', nationalId: '', birthYear: '' };

export default function SamplingPage() {
  const t = useTestingT();
  const lang = useLang();
  const errorMessage = useErrorMessage();
  const apiText = useApiErrorText();
  const pointsQ = usePoints();
  const typesQ = useTestTypes();
  const { user } = useAuth();
  const queryClient = useQueryClient();

  const [pointCode, setPointCode] = useState<string | null>(() => localStorage.getItem(POINT_KEY));
  const [typeCode, setTypeCode] = useState<string | null>(() => localStorage.getItem(TYPE_KEY));
  const [tube, setTube] = useState<string | null>(null);
  const [tubeInput, setTubeInput] = useState('');
  const [tubeError, setTubeError] = useState<string | null>(null);
  const [people, setPeople] = useState<PersonEntry[]>([]);
  const [personInput, setPersonInput] = useState('');
  const [personError, setPersonError] = useState<string | null>(null);
  const [typing, setTyping] = useState(false);
  const [typed, setTyped] = useState(blankPerson);
  const [notice, setNotice] = useState<{ color: string; text: string } | null>(null);
  const [offlineReady, setOfflineReady] = useState(false);
  const [syncError, setSyncError] = useState<string | null>(null);
  const [recent, setRecent] = useState<RecentSample[]>(() => loadRecent(user.id));
  useEffect(() => saveRecent(user.id, recent), [user.id, recent]);
  const lastScan = useRef<{ code: string; at: number }>({ code: '', at: 0 });

  useEffect(() => {
    if (pointCode) localStorage.setItem(POINT_KEY, pointCode);
  }, [pointCode]);
  useEffect(() => {
    if (typeCode) localStorage.setItem(TYPE_KEY, typeCode);
  }, [typeCode]);

  // the service worker that lets this page open offline (as the gate's); once it controls the page, fetch the
  // sampling points and test types again through it so that they are kept for the next offline start
  useEffect(() => {
    keepGateOffline(() => setOfflineReady(true));
    const sw = navigator.serviceWorker;
    if (!sw) return;
    const refetch = () => void queryClient.refetchQueries({ type: 'active' });
    sw.addEventListener('controllerchange', refetch);
    return () => sw.removeEventListener('controllerchange', refetch);
  }, [queryClient]);

  const points = pointsQ.data;
  const types = typesQ.data;
  // keep the remembered choices only if they are still offered; one sampling point or type is chosen by itself
  useEffect(() => {
    if (!points) return;
    if (pointCode && !points.some((s) => s.code === pointCode)) setPointCode(null);
    if (points.length === 1 && !pointCode) setPointCode(points[0]!.code);
  }, [points, pointCode]);
  useEffect(() => {
    if (!types) return;
    if (typeCode && !types.some((x) => x.code === typeCode)) setTypeCode(null);
    if (types.length === 1 && !typeCode) setTypeCode(types[0]!.code);
  }, [types, typeCode]);
  const type = types?.find((x) => x.code === typeCode) ?? null;
  const max = type?.maxPool ?? 1;

  const onSynced = useCallback(
    (r: SyncOutcome<BatchItemResult>) => {
      if ('error' in r) {
        setSyncError(r.offline ? null : errorMessage(r.error));
        return;
      }
      setSyncError(null);
      const byId = new Map(r.results.map((x) => [x.clientId, x]));
      const detailOf = (e: NonNullable<BatchItemResult['error']>) => [apiText(e.code, e.message), ...(e.details ?? []).map((d) => d.message)].join(' · ');
      setRecent((rows) =>
        rows.map((row) => {
          const x = byId.get(row.clientId);
          if (!x) return row;
          const named = (x.sample?.members ?? []).map((p) => `${p.fullName}${p.birthYear ? ` (${p.birthYear})` : ''}`);
          return { ...row, status: x.status, labels: named.length ? named : row.labels, detail: x.error ? detailOf(x.error) : '' };
        }),
      );
    },
    [errorMessage, apiText],
  );
  // stored first, sent when the network returns and retried periodically (lib/offlineQueue, as the gate)
  const { queued, online, add: enqueue, sync } = useOfflineQueue(sampleQueue, onSynced, 5000);

  const addPerson = useCallback(
    (entry: PersonEntry): boolean => {
      if (people.some((p) => p.key === entry.key)) {
        setPersonError(t('sampling.already'));
        return false;
      }
      if (people.length >= max) {
        setPersonError(t('sampling.full', { max }));
        return false;
      }
      setPeople([...people, entry]);
      setPersonError(null);
      if (navigator.vibrate) navigator.vibrate(60);
      // online: the server names who the QR is (audited), so the sampler can compare with the person in front of them
      const { token, reference } = entry.input;
      if ((token || reference) && navigator.onLine)
        api
          .post<ScanResponse>('/api/testing/people/scan', token ? { token } : { reference })
          .then((r) => {
            const label = `${r.fullName}${r.birthYear ? ` (${r.birthYear})` : ''}`;
            setPeople((ps) => {
              // the same person already in the tube under another code (a card and a phone): keep one
              if (ps.some((p) => p.key === `id:${r.personId}`)) {
                setPersonError(t('sampling.already'));
                return ps.filter((p) => p.key !== entry.key);
              }
              return ps.map((p) => (p.key === entry.key ? { ...p, key: `id:${r.personId}`, label } : p));
            });
          })
          .catch((e: unknown) => {
            if (isApiError(e) && e.status >= 400 && e.status < 500) setPeople((ps) => ps.map((p) => (p.key === entry.key ? { ...p, error: errorMessage(e) } : p)));
          });
      return true;
    },
    [people, max, t, errorMessage],
  );

  const fromCode = useCallback(
    (raw: string): PersonEntry | null => {
      const token = personalTokenOf(raw);
      if (token) return { key: `qr:${token}`, input: { token }, label: t('sampling.qrPerson', { end: token.slice(-6) }) };
      // the reference printed under the card's QR (and on the citizen's page), typed when the QR will not read
      const ref = raw.trim().replace(/[\s-]/g, '').toUpperCase();
      if (/^[0-9A-F]{8}$/.test(ref)) return { key: `ref:${ref}`, input: { reference: ref }, label: t('sampling.refPerson', { ref }) };
      return null;
    },
    [t],
  );

  /** One reading of the camera: the tube first, then the people. The same code held in view is one reading. */
  const onScan = useCallback(
    (raw: string) => {
      const now = Date.now();
      if (lastScan.current.code === raw && now - lastScan.current.at < 5000) return;
      lastScan.current = { code: raw, at: now };
      if (!tube) {
        const code = personalTokenOf(raw) ? null : tubeCodeOf(raw);
        if (code) {
          setTube(code);
          setTubeError(null);
          if (navigator.vibrate) navigator.vibrate(60);
        } else setTubeError(t('sampling.tubeInvalid'));
        return;
      }
      const token = personalTokenOf(raw);
      if (!token) {
        setPersonError(t('sampling.notPerson'));
        return;
      }
      addPerson({ key: `qr:${token}`, input: { token }, label: t('sampling.qrPerson', { end: token.slice(-6) }) });
    },
    [tube, addPerson, t],
  );

  const addTyped = () => {
    const fullName = typed.fullName.trim().replace(/\s+/g, ' ');
    const phone = typed.phone.trim();
    const nationalId = typed.nationalId.trim();
    const birthYear = typed.birthYear.trim();
    if (!fullName || (!phone && !nationalId)) {
      setPersonError(t('sampling.nameRequired'));
      return;
    }
    const ok = addPerson({
      key: nationalId ? `nid:${nationalId}` : `ph:${phone}|${fullName.toLowerCase()}`,
      input: { fullName, phone: phone || undefined, nationalId: nationalId || undefined, birthYear: birthYear ? Number(birthYear) : undefined },
      label: [fullName, birthYear, nationalId || phone].filter(Boolean).join(' · '),
    });
    if (ok) setTyped(blankPerson);
  };

  const submit = () => {
    if (!pointCode || !type) return;
    if (!tube) return setNotice({ color: 'red', text: t('sampling.needTube') });
    if (!people.length) return setNotice({ color: 'red', text: t('sampling.needPeople') });
    if (people.some((p) => p.error)) return setNotice({ color: 'red', text: t('sampling.removeRefused') });
    const item = enqueue({ tubeCode: tube, pointCode, testType: type.code, collectedAt: new Date().toISOString(), people: people.map((p) => p.input), labels: people.map((p) => p.label) });
    setRecent((rows) => [{ clientId: item.clientId, tubeCode: item.tubeCode, at: item.collectedAt, status: 'queued' as const, labels: item.labels, detail: '' }, ...rows].slice(0, MAX_RECENT));
    setNotice({ color: 'teal', text: t('sampling.submitted', { tube }) });
    setTube(null);
    setTubeInput('');
    setPeople([]);
    setPersonError(null);
    setTyping(false);
    lastScan.current = { code: '', at: 0 };
  };

  const pointOptions = useMemo(() => (points ?? []).map((s) => ({ value: s.code, label: s.team ? `${s.name} — ${s.team}` : s.name })), [points]);
  const typeOptions = useMemo(
    () => (types ?? []).map((x) => ({ value: x.code, label: `${lang === 'en' ? x.nameEn : x.name} (${x.maxPool > 1 ? t('sampling.poolSize', { n: x.maxPool }) : t('sampling.single')})` })),
    [types, lang, t],
  );
  const ready = !!pointCode && !!type;
  const statusColor = (s: RecentSample['status']) => (s === 'created' ? 'green' : s === 'replay' ? 'gray' : s === 'rejected' ? 'red' : 'yellow');

  return (
    <Stack gap="sm" maw={640}>
      <Group justify="space-between" wrap="nowrap">
        <Title order={2}>{t('sampling.title')}</Title>
        <Badge color={online ? 'green' : 'gray'} variant="dot">
          {online ? t('sampling.online') : t('sampling.offlineBadge')}
        </Badge>
      </Group>
      {offlineReady && (
        <Text size="xs" c="dimmed" data-testid="offline-ready">
          {t('sampling.offlineReady')}
        </Text>
      )}
      {!online && (
        <Alert color="yellow" role="status" p="xs">
          {t('sampling.offline')}
        </Alert>
      )}
      {(pointsQ.isError || typesQ.isError) && <ErrorAlert error={pointsQ.error ?? typesQ.error} onRetry={() => void (pointsQ.refetch(), typesQ.refetch())} />}
      {syncError && (
        <Alert color="red" role="alert" p="xs">
          {syncError}
        </Alert>
      )}

      <Card withBorder p="sm">
        <Stack gap="xs">
          <Select label={t('sampling.site')} placeholder={t('sampling.sitePlaceholder')} data={pointOptions} value={pointCode} onChange={setPointCode} searchable disabled={pointsQ.isPending} nothingFoundMessage="—" />
          {points?.length === 0 && <Text c="dimmed">{t('sampling.noSites')}</Text>}
          <Select label={t('sampling.testType')} placeholder={t('sampling.testTypePlaceholder')} data={typeOptions} value={typeCode} onChange={setTypeCode} disabled={typesQ.isPending} allowDeselect={false} />
          <Group justify="space-between">
            <Badge size="lg" color={queued ? 'yellow' : 'green'} variant="light" data-testid="queued">
              {t('sampling.queued', { n: queued })}
            </Badge>
            {queued > 0 && online && (
              <Button size="compact-sm" variant="subtle" onClick={() => void sync()}>
                {t('sampling.syncNow')}
              </Button>
            )}
          </Group>
        </Stack>
      </Card>

      <Card withBorder p="sm">
        <Stack gap="xs">
          <Title order={4}>{t('sampling.tube')}</Title>
          {tube ? (
            <Group justify="space-between" wrap="nowrap">
              <Text ff="monospace" fw={700} size="xl" data-testid="tube-code">
                {tube}
              </Text>
              <Button size="compact-sm" variant="subtle" onClick={() => (setTube(null), setPeople([]))}>
                {t('sampling.changeTube')}
              </Button>
            </Group>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const code = tubeCodeOf(tubeInput);
                if (!code) return setTubeError(t('sampling.tubeInvalid'));
                setTube(code);
                setTubeError(null);
              }}
            >
              <Group align="start" wrap="nowrap" gap="xs">
                <TextInput
                  style={{ flex: 1 }}
                  label={t('sampling.tubeCode')}
                  placeholder={t('sampling.tubePlaceholder')}
                  value={tubeInput}
                  autoCapitalize="characters"
                  autoComplete="off"
                  error={tubeError}
                  disabled={!ready}
                  onChange={(e) => (setTubeInput(e.currentTarget.value), setTubeError(null))}
                />
                <Button type="submit" mt={25} disabled={!ready || !tubeInput.trim()}>
                  {t('sampling.setTube')}
                </Button>
              </Group>
            </form>
          )}
          {/* one camera for the whole tube: its barcode first, then each person's QR */}
          <QrScanner
            onCode={onScan}
            disabled={!ready}
            repeatAfterMs={0}
            formats={tube ? ['qr_code'] : TUBE_FORMATS}
            maxHeight={260}
            texts={{ start: tube ? t('sampling.scanPerson') : t('sampling.scanTube'), stop: t('sampling.stopCamera'), unavailable: (error) => t('sampling.cameraUnavailable', { error }), engine: (name) => t('sampling.engine', { name }) }}
          />
        </Stack>
      </Card>

      {tube && (
        <Card withBorder p="sm">
          <Stack gap="xs">
            <Title order={4}>{t('sampling.people', { n: people.length, max })}</Title>
            {people.length >= max && (
              <Text size="sm" c="orange.8" data-testid="tube-full">
                {t('sampling.full', { max })}
              </Text>
            )}
            {people.map((p) => (
              <Group key={p.key} justify="space-between" wrap="nowrap" data-testid="tube-person">
                <div>
                  <Text size="sm" fw={p.key.startsWith('id:') ? 600 : undefined}>
                    {p.label}
                  </Text>
                  {p.error && (
                    <Text size="xs" c="red" role="alert">
                      {p.error}
                    </Text>
                  )}
                </div>
                <CloseButton aria-label={t('sampling.remove')} onClick={() => setPeople(people.filter((x) => x.key !== p.key))} />
              </Group>
            ))}
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const entry = fromCode(personInput);
                if (!entry) return setPersonError(t('sampling.personCodeInvalid'));
                if (addPerson(entry)) setPersonInput('');
              }}
            >
              <Group align="start" wrap="nowrap" gap="xs">
                <TextInput
                  style={{ flex: 1 }}
                  label={t('sampling.personCode')}
                  placeholder={t('sampling.personCodePlaceholder')}
                  value={personInput}
                  autoCapitalize="characters"
                  autoComplete="off"
                  error={personError}
                  onChange={(e) => (setPersonInput(e.currentTarget.value), setPersonError(null))}
                />
                <Button type="submit" mt={25} disabled={!personInput.trim() || people.length >= max}>
                  {t('sampling.addCode')}
                </Button>
              </Group>
            </form>
            <Button variant="subtle" size="compact-sm" onClick={() => setTyping((v) => !v)} disabled={people.length >= max}>
              {t('sampling.typeDetails')}
            </Button>
            <Collapse in={typing && people.length < max}>
              <Stack gap="xs">
                <TextInput label={t('sampling.fullName')} value={typed.fullName} onChange={(e) => setTyped({ ...typed, fullName: e.currentTarget.value })} autoComplete="off" />
                <SimpleGrid cols={2} spacing="xs">
                  <TextInput label={t('sampling.phone')} type="tel" inputMode="tel" value={typed.phone} onChange={(e) => setTyped({ ...typed, phone: e.currentTarget.value })} autoComplete="off" />
                  <TextInput
                    label={t('sampling.birthYear')}
                    inputMode="numeric"
                    maxLength={4}
                    value={typed.birthYear}
                    onChange={(e) => setTyped({ ...typed, birthYear: e.currentTarget.value.replace(/\D/g, '') })}
                  />
                </SimpleGrid>
                <TextInput label={t('sampling.nationalId')} inputMode="numeric" value={typed.nationalId} onChange={(e) => setTyped({ ...typed, nationalId: e.currentTarget.value.replace(/\s/g, '') })} autoComplete="off" />
                <Button variant="light" onClick={addTyped}>
                  {t('sampling.addPerson')}
                </Button>
              </Stack>
            </Collapse>
            <Button size="md" onClick={submit} disabled={!people.length}>
              {t('sampling.submit', { n: people.length })}
            </Button>
          </Stack>
        </Card>
      )}

      {notice && (
        <Alert color={notice.color} p="xs" withCloseButton onClose={() => setNotice(null)} data-testid="sampling-notice">
          {notice.text}
        </Alert>
      )}

      {recent.length > 0 && (
        <Card withBorder p="sm">
          <Title order={4} mb="xs">
            {t('sampling.recent')}
          </Title>
          <Stack gap={0}>
            {recent.map((r) => (
              <Stack key={r.clientId} gap={2} py={6} style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }} data-testid="sample-row">
                <Group justify="space-between" wrap="nowrap">
                  <Text ff="monospace" fw={700}>
                    {r.tubeCode}
                  </Text>
                  <Badge color={statusColor(r.status)} variant="light">
                    {t(`sampling.status.${r.status}` as 'sampling.status.queued')}
                  </Badge>
                </Group>
                <Text size="xs" c="dimmed">
                  {new Date(r.at).toLocaleTimeString()} · {r.labels.join(', ')}
                </Text>
                {r.detail && (
                  <Text size="xs" c="red">
                    {r.detail}
                  </Text>
                )}
              </Stack>
            ))}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
