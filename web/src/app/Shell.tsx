import { AppShell, Avatar, Burger, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense, useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { roleLabel } from '../lib/labels';
import { useAuth } from './auth';
import { LanguageSwitch } from './LanguageSwitch';
import { activeEntry, menuEntries, menuSections } from './nav';
import { PageLoader } from './pages';

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  // Vietnamese names end with the given name: "Nguyễn Văn An" → "A"; two letters from first + last.
  const first = words[0]?.[0] ?? '?';
  const last = words.length > 1 ? (words[words.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

function UserMenu() {
  const { t } = useTranslation();
  const { user, logout } = useAuth();
  return (
    <Menu position="bottom-end" withinPortal width={240}>
      <Menu.Target>
        <UnstyledButton aria-label={t('shell.account')} data-testid="user-menu">
          <Group gap="xs" wrap="nowrap">
            <Avatar color="blue" radius="xl" size={32}>
              {initials(user.displayName || user.username)}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="sm" maw={180} truncate>
              {user.displayName}
            </Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" fw={600} c="dark" truncate>
            {user.displayName}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            {roleLabel(t, user.role)} · {user.jurisdiction.name}
          </Text>
        </Menu.Label>
        <Menu.Divider />
        {/* staff whose account is not linked to their own health record: the way to link it (then their own pages
            join the menu) */}
        {user.role !== 'citizen' && !user.personId && (
          <Menu.Item component={Link} to="/me">
            {t('shell.linkOwnRecord')}
          </Menu.Item>
        )}
        <Menu.Item color="red" onClick={() => void logout()}>
          {t('shell.logout')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { user, can } = useAuth();
  const { pathname } = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);
  const sections = menuSections(user, can);
  const active = activeEntry(menuEntries(sections), pathname);

  // On phones the navbar covers the page: close it whenever the route changes.
  useEffect(() => close(), [pathname, close]);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('shell.toggleNav')} />
            <Text component={Link} to="/" fw={800} fz="xl" c="blue.7" style={{ textDecoration: 'none' }}>
              {t('common.appName')}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <LanguageSwitch compact />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label={t('shell.toggleNav')}>
        <AppShell.Section grow component={ScrollArea}>
          <nav>
            {sections.map((section, i) => (
              <div key={section.key ?? i} role="group" aria-labelledby={section.key ? `menu-${section.key}` : undefined} data-testid={section.key ? `menu-${section.key}` : undefined}>
                {section.key && (
                  <Text id={`menu-${section.key}`} size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="md" pb={4}>
                    {t(`shell.menu.${section.key}`)}
                  </Text>
                )}
                {section.entries.map((e) => (
                  <NavLink
                    key={e.path}
                    component={Link}
                    to={e.path}
                    label={t(e.labelKey)}
                    active={e === active}
                    variant="light"
                    style={{ borderRadius: 'var(--mantine-radius-sm)' }}
                  />
                ))}
              </div>
            ))}
          </nav>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <Suspense fallback={<PageLoader />}>{children}</Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
