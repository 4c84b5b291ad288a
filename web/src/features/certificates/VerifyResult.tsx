// What a verifier sees after a scan: one big valid/invalid line (and why not), who the certificate names, the entry
// (a dose; a test with its type, result, sample time and place; a recovery), and, for staff, every check.
import { Alert, Badge, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { VerifyResponse } from './api';
import { useCertT } from './i18n';
import { useShowDay } from './day';

const CHECKS = ['prefix', 'base45', 'decompress', 'cose', 'cbor', 'signature', 'expiry', 'schema', 'key_usage'] as const;

interface Nam { fn?: string; gn?: string; fnt?: string; gnt?: string }
type Entry = Record<string, string | number>;

function Field({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
        {value}
      </Text>
    </div>
  );
}

/** a sample time as the viewer's local wall clock: 28/11/2026 06:30 (vi) or 2026-11-28 06:30 (en) */
function useShowTime(): (iso: unknown) => string {
  const day = useShowDay();
  return (iso) => {
    const d = new Date(typeof iso === 'string' ? iso : '');
    if (Number.isNaN(d.getTime())) return day(iso);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${day(`${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`)} ${p(d.getHours())}:${p(d.getMinutes())}`;
  };
}

const TT_RAT = 'LP217198-3';
const TR_DETECTED = '260373001';

export function VerifyResult({ r, showChecks = true }: { r: VerifyResponse; showChecks?: boolean }) {
  const t = useCertT();
  const day = useShowDay();
  const time = useShowTime();
  const nam = (r.payload?.nam ?? {}) as Nam;
  const kind = (['v', 't', 'r'] as const).find((k) => Array.isArray(r.payload?.[k]));
  const entry = (kind ? (r.payload![kind] as Entry[])[0] : undefined) ?? {};
  return (
    <Card withBorder data-testid="verify-result" data-valid={String(r.valid)}>
      <Stack gap="sm">
        <Alert color={r.valid ? 'green' : 'red'} variant="filled" title={<Title order={3}>{r.valid ? t('valid') : t('invalid')}</Title>}>
          {r.valid ? t('validHint') : r.revoked ? t('revokedHint') : (r.error ?? '')}
        </Alert>
        {r.payload && (
          <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
            <Field label={t('name')} value={[nam.fn ?? nam.fnt, nam.gn ?? nam.gnt].filter(Boolean).join(' ') || '—'} />
            <Field label={t('dob')} value={day(r.payload.dob)} />
            {kind === 'v' && <Field label={t('dose')} value={`${entry.dn} / ${entry.sd}`} />}
            {kind === 'v' && <Field label={t('vaccine')} value={r.product ?? String(entry.mp)} />}
            {kind === 't' && <Field label={t('testType')} value={`${entry.tt === TT_RAT ? t('rat') : t('naat')} (${entry.nm ?? entry.ma ?? '—'})`} />}
            {kind === 't' && <Field label={t('testResult')} value={entry.tr === TR_DETECTED ? t('resultPositive') : t('resultNegative')} />}
            {kind === 't' ? (
              <Field label={t('testedAt')} value={time(entry.sc)} />
            ) : (
              kind && <Field label={t(kind === 'v' ? 'vaccinatedOn' : 'firstPositive')} value={day(entry.dt ?? entry.fr)} />
            )}
            {kind === 't' && <Field label={t('testCentre')} value={String(entry.tc ?? '—')} />}
            {kind && <Field label={t('issuer')} value={`${entry.is ?? ''} (${entry.co ?? ''})`} />}
            {r.rules.validUntil ? (
              <Field label={t('validUntil')} value={kind === 't' ? time(r.rules.validUntil) : day(r.rules.validUntil)} />
            ) : (
              r.claims?.exp && <Field label={t('validUntil')} value={day(r.claims.exp)} />
            )}
            {kind && <Field label="UVCI" value={String(entry.ci ?? '—')} />}
          </SimpleGrid>
        )}
        {showChecks && (
        <Group gap={6}>
          {CHECKS.map((c) => {
            const v = r.checks[c];
            return (
              <Badge key={c} variant="light" color={v === true ? 'green' : v === false ? 'red' : 'gray'} data-check={c} data-state={String(v)}>
                {v === true ? '✓' : v === false ? '✗' : '–'} {t(`check_${c}`)}
              </Badge>
            );
          })}
          {r.revoked && (
            <Badge variant="filled" color="red">
              {t('revoked')}
            </Badge>
          )}
        </Group>
        )}
      </Stack>
    </Card>
  );
}
