// What a verifier sees after a scan: one big valid/invalid line, who the certificate names, the entry, and every check.
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

export function VerifyResult({ r }: { r: VerifyResponse }) {
  const t = useCertT();
  const day = useShowDay();
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
            {kind && <Field label={t(kind === 'v' ? 'vaccinatedOn' : kind === 't' ? 'testedOn' : 'firstPositive')} value={day(entry.dt ?? entry.sc ?? entry.fr)} />}
            {kind && <Field label={t('issuer')} value={`${entry.is ?? ''} (${entry.co ?? ''})`} />}
            {r.claims?.exp && <Field label={t('validUntil')} value={day(r.claims.exp)} />}
            {kind && <Field label="UVCI" value={String(entry.ci ?? '—')} />}
          </SimpleGrid>
        )}
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
      </Stack>
    </Card>
  );
}
