// The testing pages' calls to /api/testing/* (module `testing` on the server). Request and response types come from
// the server's schema.ts (see types.ts), so the pages and the API cannot drift.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useLang } from '../../app/i18n';
import { api, ApiError, queryString, type QueryValue } from '../../lib/api';
import type * as S from './types';

export type * from './types';

export const TESTING_PAGE_SIZE = 25;
export const RESULTS = ['positive', 'negative', 'invalid'] as const satisfies readonly S.ResultValue[];

/** Test types with their pool sizes (any signed-in user; kept by the service worker for the offline sampling page). */
export function useTestTypes() {
  return useQuery({
    queryKey: ['testing', 'types'],
    queryFn: async ({ signal }) => (await api.get<S.TestTypeList>('/api/testing/test-types', undefined, signal)).items,
    staleTime: 30 * 60_000,
  });
}

/** The active sampling points of the caller's area (kept by the service worker for the offline sampling page). */
export function usePoints() {
  return useQuery({
    queryKey: ['testing', 'points'],
    queryFn: async ({ signal }) => (await api.get<S.PointList>('/api/testing/points', undefined, signal)).items.filter((p) => p.active),
    staleTime: 5 * 60_000,
  });
}

/** The name of a test type in the UI language ('rt-pcr' → 'RT-PCR'); the code while the list loads or if unknown. */
export function useTestTypeName() {
  const types = useTestTypes().data;
  const lang = useLang();
  return useCallback((code: string) => {
    const x = types?.find((y) => y.code === code);
    return x ? (lang === 'en' ? x.nameEn : x.name) : code;
  }, [types, lang]);
}

export interface SampleFilter {
  tube: string;
  status: S.SampleListQuery['status'] | null;
  day: string | null;
  unit: string | null;
  page: number;
}

export function useSamples(f: SampleFilter) {
  return useQuery({
    queryKey: ['testing', 'samples', f],
    queryFn: ({ signal }) =>
      api.get<S.SampleList>(
        '/api/testing/samples',
        { tube: f.tube.trim() || undefined, status: f.status, day: f.day, unit: f.unit, limit: TESTING_PAGE_SIZE, offset: (f.page - 1) * TESTING_PAGE_SIZE },
        signal,
      ),
    placeholderData: keepPreviousData,
  });
}

/** A tube by its code: the sample, its result history (corrections kept) and tasks; null when there is none. */
export function useTube(code: string | null) {
  return useQuery({
    queryKey: ['testing', 'tube', code],
    queryFn: async ({ signal }) => {
      const list = await api.get<S.SampleList>('/api/testing/samples', { tube: code!, limit: 1 }, signal);
      const first = list.items[0];
      if (!first) return null;
      return api.get<S.SampleDetail>(`/api/testing/samples/${first.id}`, undefined, signal);
    },
    enabled: !!code,
    retry: false,
  });
}

export interface TaskFilter {
  kind: S.TaskKind;
  status: S.TaskListQuery['status'];
  unit: string | null;
  page: number;
}

export function useTasks(f: TaskFilter) {
  return useQuery({
    queryKey: ['testing', 'tasks', f],
    queryFn: ({ signal }) =>
      api.get<S.TaskList>('/api/testing/tasks', { kind: f.kind, status: f.status, unit: f.unit, limit: TESTING_PAGE_SIZE, offset: (f.page - 1) * TESTING_PAGE_SIZE }, signal),
    placeholderData: keepPreviousData,
  });
}

function useTestingMutation<A, R>(fn: (a: A) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => void qc.invalidateQueries({ queryKey: ['testing'] }) });
}

export const useCloseTask = () => useTestingMutation(({ id, ...body }: S.CloseTaskBody & { id: string }) => api.post<S.Task>(`/api/testing/tasks/${id}/close`, body));
/** A first result, the same result again (unchanged) or, with a reason, a correction. */
export const useSaveResult = () => useTestingMutation((b: S.ResultBody) => api.post<S.ResultResponse>('/api/testing/results', b));

export interface DashboardFilter {
  from: string | null;
  to: string | null;
  unit: string | null;
}

export function useTestingDashboard(f: DashboardFilter) {
  return useQuery({
    queryKey: ['testing', 'dashboard', f],
    queryFn: ({ signal }) => api.get<S.Dashboard>('/api/testing/dashboard', { from: f.from, to: f.to, unit: f.unit }, signal),
    placeholderData: keepPreviousData,
  });
}

export const dashboardExportUrl = (f: DashboardFilter) => `/api/testing/dashboard.xlsx${queryString(f as unknown as Record<string, QueryValue>)}`;

/** The signed-in citizen's own results and their dependants'. */
export function useMyResults(enabled = true) {
  return useQuery({
    queryKey: ['testing', 'mine'],
    queryFn: ({ signal }) => api.get<S.MyResults>('/api/testing/me/results', undefined, signal),
    enabled,
  });
}

/** A person's results on their record (officers; audited by the server). */
export function usePersonResults(personId: string, enabled = true) {
  return useQuery({
    queryKey: ['testing', 'person', personId],
    queryFn: ({ signal }) => api.get<S.PersonResults>(`/api/testing/people/${personId}/results`, undefined, signal),
    enabled,
    retry: false,
  });
}

/** Upload a .xlsx/.csv file as the raw request body; the answer names every line that was refused. */
export async function uploadFile(url: string, file: File): Promise<S.ImportResult> {
  const type = file.name.toLowerCase().endsWith('.xlsx') ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
  let res: Response;
  try {
    res = await fetch(`${url}?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file, credentials: 'same-origin', headers: { 'Content-Type': type, 'X-Requested-With': 'vigil', Accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : 'Network error');
  }
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string; details?: { path: string; message: string }[] } } | null;
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText, body?.error?.details ?? []);
  return body as unknown as S.ImportResult;
}
