import { Alert, Button, Center, MantineProvider, Stack } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { lazy, Suspense, useState } from 'react';
import { BrowserRouter, Route, Routes, useLocation } from 'react-router';
import { useErrorMessage } from '../lib/errors';
import { AuthProvider, createQueryClient, useAuth, useMeQuery } from './auth';
import { LoginPage } from './LoginPage';
import { navEntries } from './nav';
import { ForbiddenPage, NotFoundPage, PageLoader } from './pages';
import { Shell } from './Shell';
import { theme } from './theme';

function AppRoutes() {
  const { can } = useAuth();
  return (
    <Routes>
      {navEntries.map(({ path, permission, component: Page }) => (
        <Route
          key={path}
          path={path === '/' ? '/' : `${path}/*`}
          element={can(permission) ? <Page /> : <ForbiddenPage />}
        />
      ))}
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

// Declaring without an account (the link on a venue's check-in page): no sign-in, no shell.
const PublicDeclarePage = lazy(() => import('../features/declarations/PublicDeclarePage'));
const PUBLIC_DECLARE_PATH = '/khai-bao';
// Sign-up by phone with a one-time code by SMS: no sign-in, no shell.
const SignupPage = lazy(() => import('../features/messaging/SignupPage'));
export const SIGNUP_PATH = '/dang-ky';
// Checking a certificate's QR (a doorman, a border officer): no sign-in, no shell.
const PublicVerifyPage = lazy(() => import('../features/certificates/PublicVerifyPage'));
export const PUBLIC_VERIFY_PATH = '/kiem-tra';

/** Decides between the public pages, the login page and the shell (from GET /api/auth/me). */
function Gate() {
  const { pathname } = useLocation();
  if (pathname === PUBLIC_DECLARE_PATH)
    return (
      <Suspense fallback={<PageLoader />}>
        <PublicDeclarePage />
      </Suspense>
    );
  if (pathname === SIGNUP_PATH)
    return (
      <Suspense fallback={<PageLoader />}>
        <SignupPage />
      </Suspense>
    );
  if (pathname === PUBLIC_VERIFY_PATH)
    return (
      <Suspense fallback={<PageLoader />}>
        <PublicVerifyPage />
      </Suspense>
    );
  return <SignedInGate />;
}

function SignedInGate() {
  const { t } = useTranslation();
  const me = useMeQuery();
  const errorMessage = useErrorMessage();

  if (me.isPending) return <PageLoader />;
  if (me.isError) {
    return (
      <Center mih="100dvh" p="md">
        <Stack maw={420}>
          <Alert color="red" title={t('shell.serverUnavailable')} role="alert">
            {errorMessage(me.error)}
          </Alert>
          <Button onClick={() => void me.refetch()} loading={me.isFetching}>
            {t('common.retry')}
          </Button>
        </Stack>
      </Center>
    );
  }
  if (me.data.status === 'anonymous') return <LoginPage expired={me.data.expired} />;
  return (
    <AuthProvider user={me.data.user}>
      <Shell>
        <AppRoutes />
      </Shell>
    </AuthProvider>
  );
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <Gate />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}
