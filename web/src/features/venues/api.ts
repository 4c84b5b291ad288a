import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  CheckinList,
  PersonCheckins,
  CreateVenueBody,
  EntranceBody,
  ImportResult,
  StatsResponse,
  UpdateEntranceBody,
  UpdateVenueBody,
  VenueDetail,
  VenueItem,
  VenueStatus,
  VenueStatusBody,
  VenueType,
} from '../../../../server/src/modules/venues/schema';
import { api, ApiError, queryString, type QueryValue } from '../../lib/api';
import { allOf, type Page } from '../../lib/types';

export type { VenueStatus, VenueType } from '../../../../server/src/modules/venues/schema';

export const PAGE_SIZE = 25;

/** Every venue type, in the server's order (checked against the server's type: a missing or unknown one does not compile). */
export const VENUE_TYPES = allOf<VenueType>()([
  'office',
  'factory',
  'market',
  'supermarket',
  'hospital',
  'clinic',
  'school',
  'station',
  'restaurant',
  'hotel',
  'religious',
  'event',
  'other',
]);
export const isVenueType = (v: string): v is VenueType => (VENUE_TYPES as readonly string[]).includes(v);

/** Every venue status (checked against the server's type likewise). */
export const VENUE_STATUSES = allOf<VenueStatus>()(['pending', 'approved', 'suspended']);

export interface VenueFilter {
  q: string;
  status: VenueStatus | null;
  type: VenueType | null;
  page: number;
}

export function useVenues(f: VenueFilter) {
  return useQuery({
    queryKey: ['venues', 'list', f],
    queryFn: ({ signal }) =>
      api.get<Page<VenueItem>>(
        '/api/venues',
        { q: f.q, status: f.status, type: f.type, limit: PAGE_SIZE, offset: (f.page - 1) * PAGE_SIZE },
        signal,
      ),
    placeholderData: keepPreviousData,
  });
}

export function useVenue(id: string | undefined) {
  return useQuery({
    queryKey: ['venues', 'detail', id],
    queryFn: ({ signal }) => api.get<VenueDetail>(`/api/venues/${id}`, undefined, signal),
    enabled: !!id,
  });
}

function useVenueMutation<T>(fn: (arg: T) => Promise<VenueDetail>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (d) => {
      qc.setQueryData(['venues', 'detail', d.venue.id], d);
      void qc.invalidateQueries({ queryKey: ['venues', 'list'] });
    },
  });
}

export const useCreateVenue = () => useVenueMutation((b: CreateVenueBody) => api.post<VenueDetail>('/api/venues', b));
export const useUpdateVenue = (id: string) => useVenueMutation((b: UpdateVenueBody) => api.patch<VenueDetail>(`/api/venues/${id}`, b));
export const useSetStatus = (id: string) =>
  useVenueMutation((b: VenueStatusBody) => api.post<VenueDetail>(`/api/venues/${id}/status`, b));
export const useAddEntrance = (id: string) =>
  useVenueMutation((b: EntranceBody) => api.post<VenueDetail>(`/api/venues/${id}/entrances`, b));
export const useUpdateEntrance = (id: string) =>
  useVenueMutation((b: UpdateEntranceBody & { entranceId: string }) =>
    api.patch<VenueDetail>(`/api/venues/${id}/entrances/${b.entranceId}`, { active: b.active, name: b.name }),
  );
export const useAddOperator = (id: string) => useVenueMutation((username: string) => api.post<VenueDetail>(`/api/venues/${id}/operators`, { username }));
export const useRemoveOperator = (id: string) => useVenueMutation((userId: string) => api.delete<VenueDetail>(`/api/venues/${id}/operators/${userId}`));

/** Upload a .xlsx/.csv file as the raw request body. */
export async function uploadFile(url: string, file: File): Promise<ImportResult> {
  const type = file.name.toLowerCase().endsWith('.xlsx') ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body: file, credentials: 'same-origin', headers: { 'Content-Type': type, 'X-Requested-With': 'vigil', Accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : 'Network error');
  }
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string; details?: { path: string; message: string }[] } } | null;
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText, body?.error?.details ?? []);
  return body as unknown as ImportResult;
}

export interface CheckinFilter {
  venueId?: string;
  communeCode?: string;
  /** a person's record id (a clicked row, a link from the person page) */
  personId?: string;
  /** what an officer typed: phone, national ID or name */
  person?: string;
  from: string;
  to: string;
  page: number;
}

export function useCheckins(f: CheckinFilter | null) {
  return useQuery({
    queryKey: ['checkins', 'list', f],
    queryFn: ({ signal }) =>
      api.get<CheckinList>(
        '/api/checkins',
        { ...filterQuery(f!), limit: PAGE_SIZE, offset: (f!.page - 1) * PAGE_SIZE },
        signal,
      ),
    enabled: !!f,
    placeholderData: keepPreviousData,
  });
}

/** The query parameters of a look-up (list, statistics and exports share them, so their totals agree). */
export const filterQuery = (f: Omit<CheckinFilter, 'page'>) => ({
  venueId: f.venueId,
  communeCode: f.communeCode,
  personId: f.personId,
  person: f.personId ? undefined : f.person,
  from: f.from,
  to: f.to,
});

export function useStats(f: Omit<CheckinFilter, 'page'> | null, groupBy: 'venue' | 'commune' | 'hour') {
  return useQuery({
    queryKey: ['checkins', 'stats', f, groupBy],
    queryFn: ({ signal }) => api.get<StatsResponse>('/api/checkins/stats', { ...filterQuery(f!), groupBy, limit: groupBy === 'hour' ? 1000 : 20 }, signal),
    enabled: !!f,
  });
}

/** Venues matching typed text (name, code, address) for the look-up's venue picker. */
export function useVenueSearch(q: string) {
  return useQuery({
    queryKey: ['venues', 'pick', q],
    queryFn: ({ signal }) => api.get<Page<VenueItem>>('/api/venues', { q: q || undefined, limit: 20 }, signal),
    placeholderData: keepPreviousData,
  });
}

/** A person's check-ins of the last 14 days (their record page). */
export function usePersonCheckins(personId: string) {
  return useQuery({
    queryKey: ['checkins', 'person', personId],
    queryFn: ({ signal }) => api.get<PersonCheckins>(`/api/people/${personId}/checkins`, { days: 14 }, signal),
    retry: false,
  });
}

export const exportUrl = (f: Record<string, QueryValue>) => `/api/checkins/export${queryString(f)}`;
