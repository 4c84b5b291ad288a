import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { UnitDetail } from '../../../../server/src/modules/geo/schema';
import type { CreateUserBody, UpdateUserBody, UserItem } from '../../../../server/src/platform/auth/schema';
import type { Page, Permission, Role } from '../../lib/types';

export type { UpdateUserBody, UserItem } from '../../../../server/src/platform/auth/schema';

/** POST /api/users and PATCH /api/users/:id. */
export interface UserResponse {
  user: UserItem;
}

/** GET /api/auth/roles (no response schema): every role, and whether the signed-in user may grant it. */
export interface RoleInfo {
  role: Role;
  permissions: Permission[];
  assignable: boolean;
}

export const USERS_PAGE_SIZE = 25;

export function useUsers(q: string, role: string | null, page: number) {
  return useQuery({
    queryKey: ['users', 'list', q, role, page],
    queryFn: ({ signal }) =>
      api.get<Page<UserItem>>(
        '/api/users',
        { q, role, limit: USERS_PAGE_SIZE, offset: (page - 1) * USERS_PAGE_SIZE },
        signal,
      ),
    placeholderData: keepPreviousData,
  });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUserBody) => api.post<UserResponse>('/api/users', body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateUserBody }) =>
      api.patch<UserResponse>(`/api/users/${encodeURIComponent(id)}`, patch),
    onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
}

/** Resolves a jurisdiction code to its unit, to confirm the code while typing. */
export function useJurisdictionLookup(code: string, enabled: boolean) {
  return useQuery({
    queryKey: ['geo', 'unit', code],
    queryFn: ({ signal }) => api.get<UnitDetail>(`/api/geo/units/${encodeURIComponent(code)}`, undefined, signal),
    enabled: enabled && code !== '',
    retry: false,
  });
}

/** Every role with whether the signed-in user may grant it (the server checks again on save). */
export function useRoles() {
  return useQuery({
    queryKey: ['roles'], // not under 'users': creating a user must not refetch it
    queryFn: ({ signal }) => api.get<RoleInfo[]>('/api/auth/roles', undefined, signal),
    staleTime: Infinity, // fixed for a session; the cache is dropped on sign-in and sign-out
  });
}
