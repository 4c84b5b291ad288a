// Staff printing a person's certificates (the site day: someone without a smartphone takes the paper home). The
// certificate of a dose just given is issued a moment after the dose (a domain event): "Refresh" reads the list again.
import { Anchor, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../lib/errors';
import { staffPdfUrl, usePersonCertificates } from './api';
import { useShowDay } from './day';
import { useCertT } from './i18n';

export function PersonCertificatesCard({ personId }: { personId: string }) {
  const t = useCertT();
  const lang = useTranslation().i18n.language;
  const day = useShowDay();
  const q = usePersonCertificates(personId);
  const items = (q.data?.items ?? []).filter((c) => !c.revoked);
  return (
    <Card withBorder data-testid="person-certificates">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Title order={2} size="h5">
          {t('staffTitle')}
        </Title>
        <Button size="xs" variant="default" loading={q.isFetching} onClick={() => void q.refetch()}>
          {t('refresh')}
        </Button>
      </Group>
      {q.isError && <ErrorAlert error={q.error} />}
      {q.data && items.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('staffNone')}
        </Text>
      )}
      <Stack gap={4}>
        {items.map((c) => {
          const e = c.entry as Record<string, string | number>;
          const what = c.kind === 'v' ? `${t('doseOf', { n: String(e.dn), of: String(e.sd) })} · ${c.product ?? String(e.mp)} · ${day(e.dt)}` : `${t(`kind_${c.kind}` as 'kind_v')} · ${day(c.kind === 't' ? e.sc : e.fr)}`;
          return (
            <Group key={c.id} justify="space-between" wrap="wrap" gap="xs">
              <Text size="sm">{what}</Text>
              <Anchor href={staffPdfUrl(c.id, lang)} target="_blank" rel="noopener" size="sm">
                {t('printPdf')}
              </Anchor>
            </Group>
          );
        })}
      </Stack>
    </Card>
  );
}
