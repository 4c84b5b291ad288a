// Staff gate (phone-friendly): scan people's personal QR codes with the camera (BarcodeDetector where the browser
// has it, jsQR on canvas frames otherwise) or type them, as entry or exit at one entrance. Scans are queued on the
// device first and sent when the network allows, so a gate keeps working offline.
import { Alert, Badge, Button, Card, Group, Select, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { VenueDetail, VenueItem } from '../../../../server/src/modules/venues/schema';
import { api } from '../../lib/api';
import { useApiErrorText, useErrorMessage } from '../../lib/errors';
import { useVenueTexts } from '../venues/texts';
import { useAuth } from '../../app/auth';
import { QrScanner } from '../../lib/QrScanner';
import { keepGateOffline } from './offline';
import { cardReferenceOf, gateQueue, tokenOf } from './queue';
import { useOfflineQueue, type SyncOutcome } from '../../lib/offlineQueue';
import type { CheckinResultItem } from '../../../../server/src/modules/venues/schema';
import { loadRecent, MAX_RECENT, saveRecent, type ResultRow } from './recent';

interface EntranceOption {
  value: string;
  label: string;
}

const ENTRANCE_KEY = 'vigil.gate.entrance';
const MODE_KEY = 'vigil.gate.mode';

function useEntrances() {
  return useQuery({
    queryKey: ['gate', 'entrances'],
    queryFn: async () => {
      const list = await api.get<{ items: VenueItem[] }>('/api/venues', { status: 'approved', limit: 100 });
      const details = await Promise.all(list.items.map((v) => api.get<VenueDetail>(`/api/venues/${v.id}`)));
      return details.flatMap((d) =>
        d.entrances.filter((e) => e.active).map<EntranceOption>((e) => ({ value: e.id, label: `${d.venue.name} — ${e.name}` })),
      );
    },
    staleTime: 5 * 60_000,
  });
}

export default function GatePage() {
  const { t } = useVenueTexts();
  const errorMessage = useErrorMessage();
  const apiText = useApiErrorText();
  const entrances = useEntrances();
  const [entranceId, setEntranceId] = useState<string | null>(() => localStorage.getItem(ENTRANCE_KEY));
  const [mode, setMode] = useState<'in' | 'out'>(() => (localStorage.getItem(MODE_KEY) === 'out' ? 'out' : 'in'));
  const { user } = useAuth();
  const queryClient = useQueryClient();
  // the recent results survive a reload (and reopening the page offline)
  const [results, setResults] = useState<ResultRow[]>(() => loadRecent(user.id));
  useEffect(() => saveRecent(user.id, results), [user.id, results]);
  const [manualError, setManualError] = useState<string | null>(null);
  const [offlineReady, setOfflineReady] = useState(false);
  // the service worker that lets this page open offline; once it controls the page, fetch the gate's data again
  // through it so that it is kept for the next offline start
  useEffect(() => {
    keepGateOffline(() => setOfflineReady(true));
    const sw = navigator.serviceWorker;
    if (!sw) return;
    const refetch = () => void queryClient.refetchQueries({ type: 'active' });
    sw.addEventListener('controllerchange', refetch);
    return () => sw.removeEventListener('controllerchange', refetch);
  }, [queryClient]);
  const [syncError, setSyncError] = useState<string | null>(null);
  const [manual, setManual] = useState('');
  const lastScan = useRef<{ token: string; at: number }>({ token: '', at: 0 });

  useEffect(() => {
    if (entranceId) localStorage.setItem(ENTRANCE_KEY, entranceId);
  }, [entranceId]);
  useEffect(() => localStorage.setItem(MODE_KEY, mode), [mode]);

  // keep the remembered entrance only if it is still one of ours
  useEffect(() => {
    if (entrances.data && entranceId && !entrances.data.some((e) => e.value === entranceId)) setEntranceId(null);
    if (entrances.data?.length === 1 && !entranceId) setEntranceId(entrances.data[0]!.value);
  }, [entrances.data, entranceId]);

  const onSynced = useCallback(
    (r: SyncOutcome<CheckinResultItem>) => {
      if ('error' in r) {
        setSyncError(r.offline ? null : errorMessage(r.error));
        return;
      }
      setSyncError(null);
      const byId = new Map(r.results.map((x) => [x.clientId, x]));
      setResults((rows) =>
        rows.map((row) => {
          const x = byId.get(row.clientId);
          if (!x) return row;
          const people = x.people.map((p) => ({ name: p.name, birthYear: p.birthYear ?? null }));
          return { ...row, status: x.status, people, detail: x.error ? apiText(x.error.code, x.error.message) : (x.venue?.name ?? '') };
        }),
      );
    },
    [errorMessage, apiText],
  );
  // stored first, sent when the network returns and retried periodically (lib/offlineQueue)
  const { queued, online, add: enqueue, sync } = useOfflineQueue(gateQueue, onSynced);

  const record = useCallback(
    (raw: string) => {
      // a scanned or pasted QR (token or URL), or the reference printed on the card, typed by hand
      const reference = cardReferenceOf(raw);
      const token = reference ? null : tokenOf(raw);
      if (!entranceId || (!reference && !/^[A-Za-z0-9_.-]{10,400}$/.test(token!))) return false;
      // the same code held in front of the camera (or shown twice by mistake) is one scan, not one per frame
      const now = Date.now();
      const key = `${mode}|${reference ?? token}`;
      if (lastScan.current.token === key && now - lastScan.current.at < 30_000) return false;
      lastScan.current = { token: key, at: now };
      const at = new Date().toISOString();
      const item = enqueue(reference ? { action: mode, entranceId, personRef: reference, at } : { action: mode, entranceId, personQr: token!, at });
      setResults((rows) => [{ clientId: item.clientId, at: item.at, action: item.action, status: 'queued' as const, detail: reference ?? '', people: [] }, ...rows].slice(0, MAX_RECENT));
      if (navigator.vibrate) navigator.vibrate(80);
      return true;
    },
    [entranceId, mode, enqueue],
  );

  const options = useMemo(() => entrances.data ?? [], [entrances.data]);
  const badge = (s: ResultRow['status']) => {
    const color = s === 'created' || s === 'checked_out' ? 'green' : s === 'duplicate' ? 'gray' : s === 'rejected' ? 'red' : 'yellow';
    return (
      <Badge color={color} variant="light">
        {t(`res_${s}` as 'res_created')}
      </Badge>
    );
  };

  return (
    <Stack gap="md" maw={640}>
      <Title order={2}>{t('gateTitle')}</Title>
      {offlineReady && (
        <Text size="xs" c="dimmed" data-testid="offline-ready">
          {t('offlineReady')}
        </Text>
      )}
      {!online && (
        <Alert color="yellow" role="status">
          {t('offline')}
        </Alert>
      )}
      {syncError && (
        <Alert color="red" role="alert">
          {syncError}
        </Alert>
      )}
      <Card withBorder>
        <Stack gap="sm">
          <Select
            label={t('chooseEntrance')}
            placeholder={t('chooseEntrancePlaceholder')}
            data={options}
            value={entranceId}
            onChange={setEntranceId}
            searchable
            nothingFoundMessage={t('none')}
            disabled={entrances.isPending}
          />
          {entrances.data?.length === 0 && <Text c="dimmed">{t('noEntrances')}</Text>}
          <SegmentedControl
            fullWidth
            size="md"
            value={mode}
            onChange={(v) => setMode(v === 'out' ? 'out' : 'in')}
            data={[
              { value: 'in', label: t('modeIn') },
              { value: 'out', label: t('modeOut') },
            ]}
          />
          <Group justify="space-between">
            <Badge size="lg" color={queued ? 'yellow' : 'green'} variant="light" data-testid="queued">
              {t('queued', { n: queued })}
            </Badge>
            <Badge color={online ? 'green' : 'gray'} variant="dot">
              {online ? t('online') : 'offline'}
            </Badge>
          </Group>
        </Stack>
      </Card>

      <Card withBorder>
        <Stack gap="sm">
          <QrScanner
            onCode={record}
            repeatAfterMs={1000}
            disabled={!entranceId}
            texts={{ start: t('startCamera'), stop: t('stopCamera'), unavailable: (error) => t('cameraUnavailable', { error }), engine: (name) => t('engine', { name }) }}
          />
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (!entranceId) setManualError(t('chooseEntranceFirst'));
              else if (record(manual)) {
                setManual('');
                setManualError(null);
              } else if (!cardReferenceOf(manual) && !/^[A-Za-z0-9_.-]{10,400}$/.test(tokenOf(manual))) setManualError(t('manualInvalid'));
            }}
          >
            <Group align="start" wrap="nowrap">
              <TextInput
                style={{ flex: 1 }}
                label={t('manual')}
                placeholder={t('manualPlaceholder')}
                value={manual}
                autoCapitalize="characters"
                autoComplete="off"
                error={manualError}
                onChange={(e) => {
                  setManual(e.currentTarget.value);
                  setManualError(null);
                }}
              />
              <Button type="submit" mt={25} disabled={!manual.trim()}>
                {t('add')}
              </Button>
            </Group>
          </form>
          {queued > 0 && online && (
            <Button variant="subtle" onClick={() => void sync()}>
              {t('syncNow')}
            </Button>
          )}
        </Stack>
      </Card>

      {results.length > 0 && (
        <Card withBorder>
          <Title order={4} mb="xs">
            {t('lastResults')}
          </Title>
          {/* one row per scan, the person first (large, to compare with the card), then when, which way, the outcome */}
          <Stack gap={0}>
            {results.map((r) => (
              <Stack key={r.clientId} gap={2} py={8} style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }} data-testid="gate-result">
                {(r.people ?? []).map((p, i) => (
                  <Text key={i} size="lg" fw={700} lh={1.25} data-testid="gate-person">
                    {p.name}
                    {p.birthYear ? (
                      <Text span size="md" fw={400} c="dimmed">
                        {` · ${t('born', { year: p.birthYear })}`}
                      </Text>
                    ) : null}
                  </Text>
                ))}
                <Group gap="xs" wrap="wrap">
                  <Text size="sm" c="dimmed">
                    {new Date(r.at).toLocaleTimeString()}
                  </Text>
                  <Text size="sm">{r.action === 'in' ? t('modeIn') : t('modeOut')}</Text>
                  {badge(r.status)}
                  {r.detail && <Text size="sm">{r.detail}</Text>}
                </Group>
              </Stack>
            ))}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
