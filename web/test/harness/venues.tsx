// Test harness: the venues and check-ins pages with the app's providers and a router, built on its own by
// web/test/venues.browser.test.ts (independent of the menu entries). Start path from the URL hash (#/venues).
import '@mantine/core/styles.css';
import '../../src/app/i18n';
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { createRoot } from 'react-dom/client';
import { MemoryRouter, Route, Routes } from 'react-router';
import { AuthProvider, createQueryClient, type MeResponse } from '../../src/app/auth';
import CheckinsPage from '../../src/features/venues/CheckinsPage';
import VenuesPage from '../../src/features/venues/VenuesPage';

async function main() {
  const me = (await (await fetch('/api/auth/me', { headers: { 'X-Requested-With': 'vigil' } })).json()) as MeResponse;
  createRoot(document.getElementById('root')!).render(
  <MantineProvider>
    <QueryClientProvider client={createQueryClient()}>
      <AuthProvider user={me.user}>
        <MemoryRouter initialEntries={[location.hash.slice(1) || '/venues']}>
          <Routes>
            <Route path="/venues/*" element={<VenuesPage />} />
            <Route path="/checkins/*" element={<CheckinsPage />} />
          </Routes>
        </MemoryRouter>
      </AuthProvider>
    </QueryClientProvider>
  </MantineProvider>,
);
}
void main();
