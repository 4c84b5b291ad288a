import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { CreateUserRequest, GeoUnitDetail, Page, RoleInfo, UpdateUserRequest, UserListItem, UserResponse } from '../../lib/types';

export const USERS_PAGE_SIZE = 25;

export function useUsers(q: string, role: string | null, page: number) {
  return useQuery({
    queryKey: ['users', 'list', q, role, page],
    queryFn: ({ signal }) =>
      api.get<Page<UserListItem>>(
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
    mutationFn: (body: CreateUserRequest) => api.post<UserResponse>('/api/users', body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateUserRequest }) =>
      api.patch<UserResponse>(`/api/users/${encodeURIComponent(id)}`, patch),
    onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
}

/** Resolves a jurisdiction code to its unit, to confirm the code while typing. */
export function useJurisdictionLookup(code: string, enabled: boolean) {
  return useQuery({
    queryKey: ['geo', 'unit', code],
    queryFn: ({ signal }) => api.get<GeoUnitDetail>(`/api/geo/units/${encodeURIComponent(code)}`, undefined, signal),
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
