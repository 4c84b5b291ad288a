import { Button, Center, Loader, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

export function PageLoader() {
  const { t } = useTranslation();
  return (
    <Center py="xl" aria-busy="true" aria-label={t('common.loading')}>
      <Loader />
    </Center>
  );
}

function Message({ title, body }: { title: string; body: string }) {
  const { t } = useTranslation();
  return (
    <Center py="xl">
      <Stack align="center" gap="sm" maw={420} ta="center">
        <Title order={2}>{title}</Title>
        <Text c="dimmed">{body}</Text>
        <Button component={Link} to="/" variant="light">
          {t('common.backHome')}
        </Button>
      </Stack>
    </Center>
  );
}

export function NotFoundPage() {
  const { t } = useTranslation();
  return <Message title={t('errors.notFoundTitle')} body={t('errors.notFound')} />;
}

export function ForbiddenPage() {
  const { t } = useTranslation();
  return <Message title={t('errors.forbiddenTitle')} body={t('errors.forbidden')} />;
}
