import { MutationCache, QueryCache, QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import { api, ApiError, isApiError } from '../lib/api';
import type { LoginBody, Me } from '../../../server/src/platform/auth/schema';
import type { Permission } from '../lib/types';
import { forgetGateData } from '../features/gate/recent';
import { forgetSamplingData } from '../features/testing/recent';

/** POST /api/auth/login and GET /api/auth/me. */
export interface MeResponse {
  user: Me;
}

export type AuthState =
  | { status: 'authenticated'; user: Me }
  | { status: 'anonymous'; /** true when a signed-in session stopped working (expired, revoked) */ expired: boolean };

export const ME_KEY = ['auth', 'me'] as const;

function setAuth(client: QueryClient, state: AuthState): void {
  client.setQueryData(ME_KEY, state);
}

async function fetchMe(): Promise<AuthState> {
  try {
    const res = await api.get<MeResponse>('/api/auth/me');
    return { status: 'authenticated', user: res.user };
  } catch (e) {
    if (isApiError(e) && e.status === 401) return { status: 'anonymous', expired: false };
    throw e;
  }
}

/** Any 401 while signed in means the session is gone: drop to the login page. */
function onUnauthorized(client: QueryClient, error: unknown): void {
  if (!(isApiError(error) && error.status === 401)) return;
  const current = client.getQueryData<AuthState>(ME_KEY);
  if (current?.status !== 'authenticated') return;
  setAuth(client, { status: 'anonymous', expired: true });
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth' });
}

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (e) => onUnauthorized(client, e) }),
    mutationCache: new MutationCache({ onError: (e) => onUnauthorized(client, e) }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // ask even when the browser says it is offline: the gate page's service worker may answer from its cache
        networkMode: 'offlineFirst',
        // Retry only transient failures; 4xx are answers, not accidents.
        retry: (count, e) => count < 2 && !(e instanceof ApiError && e.status >= 400 && e.status < 500),
      },
      mutations: { retry: false },
    },
  });
  return client;
}

interface AuthContextValue {
  user: Me;
  /** true when the user has the permission (any of, for a list); null/undefined = any signed-in user */
  can(permission: Permission | readonly Permission[] | null | undefined): boolean;
  logout(): Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function useMeQuery() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: Infinity, retry: 1 });
}

export function useLogin(): (req: LoginBody) => Promise<Me> {
  const client = useQueryClient();
  return useCallback(
    async (req) => {
      const res = await api.post<MeResponse>('/api/auth/login', req);
      // Nothing cached may survive from a previous user.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth' });
      setAuth(client, { status: 'authenticated', user: res.user });
      return res.user;
    },
    [client],
  );
}

export function AuthProvider({ user, children }: { user: Me; children: ReactNode }) {
  const client = useQueryClient();
  const value = useMemo<AuthContextValue>(() => {
    const perms = new Set(user.permissions);
    return {
      user,
      can: (p) => !p || (typeof p === 'string' ? perms.has(p) : p.some((x) => perms.has(x))),
      logout: async () => {
        try {
          await api.post<void>('/api/auth/logout');
        } finally {
          await forgetGateData();
          forgetSamplingData();
          client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth' });
          setAuth(client, { status: 'anonymous', expired: false });
        }
      },
    };
  }, [user, client]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

/** The signed-in user; only usable inside the authenticated shell. */
export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth() outside <AuthProvider>');
  return ctx;
}
