// The certificates of the signed-in citizen's household (or of one person in it): QR to show, PDF to print.
// Exported for the health book page (vaccination module's web pages include it), and used by MyCertificatesPage.
import { Anchor, Badge, Button, Card, Group, Image, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageLoader } from '../../app/pages';
import { ErrorAlert } from '../../lib/errors';
import { myPdfUrl, myQrUrl, useAskTestCertificate, useMyCertificates, useMyTestResults, type CertificateView } from './api';
import { useCertT } from './i18n';
import { useShowDay } from './day';

function CertificateCard({ c }: { c: CertificateView }) {
  const t = useCertT();
  const lang = useTranslation().i18n.language;
  const day = useShowDay();
  const e = c.entry as Record<string, string | number>;
  return (
    <Card withBorder data-testid="certificate-card" data-revoked={String(c.revoked)}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Text fw={700}>{c.holder.fullName}</Text>
          {c.revoked ? <Badge color="red">{t('revoked')}</Badge> : <Badge color="green">{t(`kind_${c.kind}` as 'kind_v')}</Badge>}
        </Group>
        {c.kind === 'r' && (
          <Text size="sm">
            {t('firstPositive')}: {day(e.fr)} · {t('validFrom')}: {day(e.df)}
          </Text>
        )}
        {c.kind === 't' && (
          <Text size="sm">
            {e.tt === 'LP217198-3' ? t('rat') : t('naat')} · {e.tr === '260373001' ? t('resultPositive') : t('resultNegative')} · {t('testedAt')}: {day(e.sc)}
          </Text>
        )}
        {c.kind === 'v' && (
          <Text size="sm">
            {t('doseOf', { n: String(e.dn), of: String(e.sd) })} · {c.product ?? String(e.mp)} · {day(e.dt)}
          </Text>
        )}
        {!c.revoked && <Image src={myQrUrl(c.id)} alt={t('qrAlt')} maw={320} mx="auto" w="100%" />}
        <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
          {c.kind === 't' ? c.uvci : `${t('validUntil')}: ${day(c.expiresAt)} · ${c.uvci}`}
        </Text>
        <Anchor href={myPdfUrl(c.id, lang)} target="_blank" rel="noopener">
          {t('printPdf')}
        </Anchor>
      </Stack>
    </Card>
  );
}

/** The household's individual test results with a result: each can be certified on request. */
function AskTestCertificate() {
  const t = useCertT();
  const day = useShowDay();
  const results = useMyTestResults();
  const ask = useAskTestCertificate();
  const rows = (results.data?.people ?? []).flatMap((p) =>
    p.items.filter((i) => !i.pooled && (i.outcome === 'negative' || i.outcome === 'positive')).slice(0, 5).map((i) => ({ ...i, person: p.person })),
  );
  if (!rows.length) return null;
  return (
    <Card withBorder data-testid="ask-test-certificate">
      <Stack gap="xs">
        <Text fw={700}>{t('askTitle')}</Text>
        <Text size="sm" c="dimmed">
          {t('askHint')}
        </Text>
        {rows.map((r) => (
          <Group key={`${r.sampleId}-${r.person.id}`} justify="space-between" wrap="wrap" gap="xs">
            <Text size="sm">
              {r.person.fullName} · {day(r.collectedAt)} · {r.outcome === 'positive' ? t('resultPositive') : t('resultNegative')}
            </Text>
            <Button size="xs" variant="light" style={{ flexShrink: 0 }} loading={ask.isPending && ask.variables?.sampleId === r.sampleId} onClick={() => ask.mutate({ sampleId: r.sampleId, personId: r.person.id })}>
              {t('askButton')}
            </Button>
          </Group>
        ))}
        {ask.error && <ErrorAlert error={ask.error} />}
        {ask.isSuccess && <Text size="sm" c="green">{t('askDone')}</Text>}
      </Stack>
    </Card>
  );
}

export function CertificateSection({ personId, title = true }: { personId?: string; title?: boolean }) {
  const t = useCertT();
  const q = useMyCertificates(personId);
  if (q.isPending) return <PageLoader />;
  if (q.error) return <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  const items = q.data.items;
  return (
    <Stack gap="sm">
      {title && <Title order={3}>{t('myTitle')}</Title>}
      {items.length === 0 ? (
        <Text c="dimmed">{t('none')}</Text>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {items.map((c) => (
            <CertificateCard key={c.id} c={c} />
          ))}
        </SimpleGrid>
      )}
      {!personId && <AskTestCertificate />}
    </Stack>
  );
}
