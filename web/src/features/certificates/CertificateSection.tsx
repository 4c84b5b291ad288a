// The certificates of the signed-in citizen's household (or of one person in it): QR to show, PDF to print.
// Exported for the health book page (vaccination module's web pages include it), and used by MyCertificatesPage.
import { Anchor, Badge, Card, Group, Image, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageLoader } from '../../app/pages';
import { ErrorAlert } from '../../lib/errors';
import { myPdfUrl, myQrUrl, useMyCertificates, type CertificateView } from './api';
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
        {c.kind === 'v' && (
          <Text size="sm">
            {t('doseOf', { n: String(e.dn), of: String(e.sd) })} · {c.product ?? String(e.mp)} · {day(e.dt)}
          </Text>
        )}
        {!c.revoked && <Image src={myQrUrl(c.id)} alt={t('qrAlt')} maw={320} mx="auto" w="100%" />}
        <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
          {t('validUntil')}: {day(c.expiresAt)} · {c.uvci}
        </Text>
        <Anchor href={myPdfUrl(c.id, lang)} target="_blank" rel="noopener">
          {t('printPdf')}
        </Anchor>
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
    </Stack>
  );
}
