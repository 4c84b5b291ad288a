// Test harness: the gate page with the app's providers, built on its own by web/test/gate.browser.test.ts (so the
// test does not depend on the page's menu entry).
import '@mantine/core/styles.css';
import '../../src/app/i18n';
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { createRoot } from 'react-dom/client';
import { AuthProvider, createQueryClient, useMeQuery } from '../../src/app/auth';
import GatePage from '../../src/features/gate/GatePage';

/** As in the app: the page runs inside the signed-in shell's AuthProvider. */
function SignedIn() {
  const me = useMeQuery();
  if (me.data?.status !== 'authenticated') return null;
  return (
    <AuthProvider user={me.data.user}>
      <GatePage />
    </AuthProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <MantineProvider>
    <QueryClientProvider client={createQueryClient()}>
      <SignedIn />
    </QueryClientProvider>
  </MantineProvider>,
);
