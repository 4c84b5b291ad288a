// The account-less declaration page (/khai-bao, ?venue=<venue QR token>) as a page of its own: the declaration
// form and what it needs (Mantine's inputs, the query client, Vietnamese/English),
// none of the staff app (shell, navigation, tables, maps), so a phone on a slow network gets it quickly.
import './styles';
import { languageReady } from '../app/i18n';
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { theme } from '../app/theme';
import PublicDeclarePage from '../features/declarations/PublicDeclarePage';
import { ApiError } from '../lib/api';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5 * 60_000,
      refetchOnWindowFocus: false,
      retry: (count, e) => count < 2 && !(e instanceof ApiError && e.status >= 400 && e.status < 500),
    },
    mutations: { retry: false },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from khai-bao.html');
void languageReady.then(() =>
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme} defaultColorScheme="light">
        <QueryClientProvider client={queryClient}>
          <PublicDeclarePage />
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  ),
);
