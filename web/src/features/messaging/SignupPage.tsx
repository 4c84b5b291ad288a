// Sign-up by phone (/dang-ky): the phone number, then the one-time code sent to it by SMS with a name and a password.
// The account is signed in at once. Built for cheap phones: one column, large inputs, few requests.
import { Alert, Anchor, Box, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../../app/LanguageSwitch';
import { isApiError } from '../../lib/api';
import { useErrorMessage } from '../../lib/errors';
import { signupApi } from './api';
import { useMsgT } from './i18n';

type FieldErrors = Partial<Record<'phone' | 'code' | 'name' | 'password', string>>;

export default function SignupPage() {
  const tm = useMsgT();
  const { i18n } = useTranslation();
  const errorMessage = useErrorMessage();
  const [phone, setPhone] = useState('');
  const [sent, setSent] = useState<{ requestId: string; sentTo: string } | null>(null);
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const fail = (err: unknown) => {
    if (isApiError(err) && err.details.length) {
      const map: Record<string, keyof FieldErrors> = { 'body.phone': 'phone', 'body.code': 'code', 'body.password': 'password', 'body.displayName': 'name' };
      const fe: FieldErrors = {};
      for (const d of err.details) if (map[d.path]) fe[map[d.path]!] = err.message;
      setErrors(fe);
      if (!Object.keys(fe).length) setError(errorMessage(err));
    } else setError(errorMessage(err));
  };

  async function sendCode(e?: FormEvent) {
    e?.preventDefault();
    setErrors({});
    setError(null);
    if (!phone.trim()) return setErrors({ phone: tm('signup.required') });
    setBusy(true);
    try {
      const r = await signupApi.sendCode(phone.trim(), i18n.resolvedLanguage === 'en' ? 'en' : 'vi');
      setSent({ requestId: r.requestId, sentTo: r.sentTo });
      setCode('');
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setError(null);
    const missing: FieldErrors = {};
    if (!/^\d{6}$/.test(code.trim())) missing.code = tm('signup.required');
    if (!name.trim()) missing.name = tm('signup.required');
    if (!password) missing.password = tm('signup.required');
    if (Object.keys(missing).length) return setErrors(missing);
    setBusy(true);
    try {
      const r = await signupApi.signup({ requestId: sent!.requestId, code: code.trim(), password, displayName: name.trim() });
      setDone(r.user.username);
    } catch (err) {
      fail(err);
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
        <Paper withBorder p="lg" radius="md" maw={420} w="100%" mt="md">
          <Stack>
            <Title order={2} size="h3">
              {tm('signup.title')}
            </Title>
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            {done ? (
              <>
                <Alert color="green" role="status">
                  {tm('signup.done', { username: done })}
                </Alert>
                <Button component="a" href="/" size="md">
                  {tm('signup.open')}
                </Button>
              </>
            ) : !sent ? (
              <form onSubmit={sendCode} noValidate>
                <Stack>
                  <TextInput label={tm('signup.phone')} name="phone" type="tel" inputMode="tel" autoComplete="tel" size="md" value={phone} onChange={(e) => setPhone(e.currentTarget.value)} error={errors.phone} />
                  <Button type="submit" loading={busy} size="md">
                    {tm('signup.sendCode')}
                  </Button>
                </Stack>
              </form>
            ) : (
              <form onSubmit={create} noValidate>
                <Stack>
                  <Text size="sm" role="status">
                    {tm('signup.codeSent', { phone: sent.sentTo })}
                  </Text>
                  <TextInput label={tm('signup.code')} name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} size="md" value={code} onChange={(e) => setCode(e.currentTarget.value)} error={errors.code} />
                  <TextInput label={tm('signup.name')} name="displayName" autoComplete="name" size="md" value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} />
                  <PasswordInput label={tm('signup.password')} name="password" autoComplete="new-password" size="md" value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={errors.password} />
                  <Button type="submit" loading={busy} size="md">
                    {tm('signup.submit')}
                  </Button>
                  <Anchor component="button" type="button" size="sm" onClick={() => void sendCode()}>
                    {tm('signup.resend')}
                  </Anchor>
                </Stack>
              </form>
            )}
            <Anchor href="/" size="sm">
              {tm('signup.haveAccount')}
            </Anchor>
          </Stack>
        </Paper>
      </Center>
    </Box>
  );
}
