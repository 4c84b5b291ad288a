import { Alert, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useAuth } from '../../app/auth';
import { menuSections, type NavEntry } from '../../app/nav';
import { levelLabel, roleLabel } from '../../lib/labels';
import './i18n';
import { TodayPanel } from './TodayPanel';

export default function HomePage() {
  const { t } = useTranslation();
  const { user, can } = useAuth();
  const sections = menuSections(user, can)
    .map((s) => ({ ...s, entries: s.entries.filter((e) => e.path !== '/') }))
    .filter((s) => s.entries.length > 0);

  return (
    <Stack gap="lg" maw={1100}>
      <Title order={1} size="h2">
        {t('home.greeting', { name: user.displayName || user.username })}
      </Title>

      <TodayPanel />

      <Card withBorder radius="md" p="md">
        <Table variant="vertical" layout="fixed" withRowBorders={false} verticalSpacing={4}>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={{ base: 110, sm: 160 }}>{t('home.username')}</Table.Th>
              <Table.Td>{user.username}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>{t('home.role')}</Table.Th>
              <Table.Td data-testid="home-role">{roleLabel(t, user.role)}</Table.Td>
            </Table.Tr>
            {/* a citizen's scope is their own record: "area: Việt Nam (country · VN)" told them nothing */}
            {user.role !== 'citizen' && (
              <Table.Tr>
                <Table.Th>{t('home.jurisdiction')}</Table.Th>
                <Table.Td>
                  {user.jurisdiction.name}{' '}
                  <Text span c="dimmed" size="sm">
                    ({levelLabel(t, user.jurisdiction.level)} · {user.jurisdiction.code})
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Card>

      <Title order={2} size="h4">
        {t('home.whatYouCanDo')}
      </Title>
      {sections.length === 0 ? (
        <Alert color="gray">{t('home.nothing')}</Alert>
      ) : (
        sections.map((section, i) => (
          <Stack key={section.key ?? i} gap="xs">
            {section.key && (
              <Title order={3} size="h5" c="dimmed">
                {t(`shell.menu.${section.key}`)}
              </Title>
            )}
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
              {section.entries.map((e) => (
                <FeatureCard key={e.path} e={e} />
              ))}
            </SimpleGrid>
          </Stack>
        ))
      )}
    </Stack>
  );
}

function FeatureCard({ e }: { e: NavEntry }) {
  const { t } = useTranslation();
  return (
    <Card component={Link} to={e.path} withBorder radius="md" p="md" style={{ textDecoration: 'none' }}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Text fw={600} c="blue.7">
          {t(e.labelKey)}
        </Text>
        <Text c="blue.7" aria-hidden>
          →
        </Text>
      </Group>
      {e.descriptionKey && (
        <Text size="sm" c="dimmed" mt={4}>
          {t(e.descriptionKey)}
        </Text>
      )}
    </Card>
  );
}
