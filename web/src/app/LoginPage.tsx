import { Alert, Anchor, Box, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../lib/api';
import { useErrorMessage } from '../lib/errors';
import { useLogin } from './auth';
import { LanguageSwitch } from './LanguageSwitch';

export function LoginPage({ expired }: { expired: boolean }) {
  const { t } = useTranslation();
  const login = useLogin();
  const errorMessage = useErrorMessage();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<{ username?: string; password?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const errs: typeof fieldErrors = {};
    if (!username.trim()) errs.username = t('login.usernameRequired');
    if (!password) errs.password = t('login.passwordRequired');
    setFieldErrors(errs);
    setError(null);
    if (errs.username || errs.password) return;
    setBusy(true);
    try {
      // citizens who signed up by phone: their username is the number in international form (84…)
      const u = username.trim().replace(/[\s.-]/g, '');
      const name = /^0\d{9}$/.test(u) ? `84${u.slice(1)}` : /^\+84\d{9}$/.test(u) ? u.slice(1) : username.trim();
      await login({ username: name, password });
    } catch (err) {
      setPassword('');
      if (isApiError(err) && err.status === 401) setError(t('login.invalid'));
      else if (isApiError(err) && err.status === 429) {
        // Sign-in throttling and the rate limit both send Retry-After (seconds): the growing delays start at one
        // second, so short waits are told in seconds; round minutes up so "0 minutes" never shows.
        const wait = err.retryAfter ?? 0;
        if (wait > 0 && wait < 60) setError(t('login.waitSeconds', { count: Math.ceil(wait) }));
        else setError(wait > 0 ? t('login.lockedMinutes', { count: Math.ceil(wait / 60) }) : t('login.locked'));
      } else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box mih="100dvh" bg="gray.0" px="md" py="xl">
      <Group justify="flex-end" maw={420} mx="auto">
        <LanguageSwitch />
      </Group>
      <Center>
        <Stack w="100%" maw={420} gap="lg" mt="md">
          <Stack gap={0} align="center">
            <Text fw={800} fz={32} c="blue.7">
              {t('common.appName')}
            </Text>
            <Text c="dimmed" size="sm">
              {t('common.tagline')}
            </Text>
          </Stack>
          <Paper withBorder shadow="sm" radius="md" p="lg">
            <form onSubmit={onSubmit} noValidate>
              <Stack>
                <Title order={2} size="h3">
                  {t('login.title')}
                </Title>
                {expired && !error && (
                  <Alert color="yellow" role="status">
                    {t('login.sessionExpired')}
                  </Alert>
                )}
                {error && (
                  <Alert color="red" role="alert" data-testid="login-error">
                    {error}
                  </Alert>
                )}
                <TextInput
                  label={t('login.username')}
                  name="username"
                  autoComplete="username"
                  autoCapitalize="none"
                  autoCorrect="off"
                  spellCheck={false}
                  autoFocus
                  value={username}
                  onChange={(e) => setUsername(e.currentTarget.value)}
                  error={fieldErrors.username}
                />
                <PasswordInput
                  label={t('login.password')}
                  name="password"
                  autoComplete="current-password"
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                  error={fieldErrors.password}
                />
                <Button type="submit" loading={busy} fullWidth size="md">
                  {t('login.submit')}
                </Button>
                <Anchor href="/dang-ky" size="sm" ta="center">
                  {t('login.signup')}
                </Anchor>
              </Stack>
            </form>
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}
