// API hooks of the cases pages (types from the server's TypeBox schemas).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type QueryValue } from '../../lib/api';
import type { CaseItem, ContactItem, ExposureSourcesResponse, GraphResponse } from '../../../../server/src/modules/cases/schema';
import type { PersonListItem, PersonListResponse } from '../../../../server/src/modules/people/schema';

export type { CaseItem, ContactItem, ExposureSourcesResponse, GraphResponse };
export interface Page<T> {
  items: T[];
  total: number;
}
export interface TimelineEntry {
  at: string;
  kind: string;
  title: string;
  detail: string;
  /** where a declaration was made (a venue or medical facility's QR) */
  venue?: { name: string; code: string };
}
export interface Cluster {
  id: string;
  label: string;
  size: number;
  last7: number;
  previous7: number;
  firstConfirmed: string;
  lastConfirmed: string;
  caseIds: string[];
}
export interface GridCell {
  day: string;
  state: 'well' | 'symptoms' | 'fever' | 'missing' | 'out';
  temperature: number | null;
}
export interface Subject {
  personId: string;
  fullName: string;
  phone: string | null;
  kind: 'contact' | 'case';
  level: number | null;
  unitCode: string;
  unitName: string;
  start: string;
  end: string | null;
  flagged: boolean;
  /** the tracer the person is assigned to */
  tracer: string | null;
  cells: GridCell[];
  /** today (the deployment's local day): what was reported, 'missing' when nothing yet */
  today: GridCell;
  /** the latest temperature taken, any day */
  lastTemperature: { day: string; value: number } | null;
  /** days of the order left after today; null for a case */
  daysLeft: number | null;
}
export interface Grid {
  days: string[];
  items: Subject[];
  total: number;
}
export interface FollowUpPoint {
  day: string;
  symptoms: boolean;
  temperature: number | null;
  symptomList: string[];
  channel: string;
}
export interface Place {
  id: string;
  name: string;
  kind: string;
  purpose: string;
  communeCode: string;
  communeName: string;
  address: string;
  capacity: number;
  occupied: number;
  active: boolean;
  cameras: number;
  camerasDown: number;
}
export interface Camera {
  id: string;
  placeId: string;
  placeName: string;
  name: string;
  location: string;
  streamUrl: string;
  lastProbeAt: string | null;
  lastProbeOk: boolean | null;
  /** why the last probe failed: a code (server cases/cameras.ts PROBE_REASONS), translated by the places page */
  lastProbeReason: ProbeReason | null;
  /** what completes the reason: HTTP status, deadline in ms, blocked address, system code */
  lastProbeDetail: string | null;
}
export interface Notice {
  id: string;
  venueId: string;
  venueName: string;
  venueAddress: string;
  entranceName: string | null;
  from: string;
  to: string;
  publishedAt: string;
  /** 1: a confirmed case was there; 2: a mass exposure (the case's F1s were there in a crowd) */
  level: number;
  /** level 2: people there not listed as contacts, and the case's F1s there */
  peopleCount: number | null;
  sourcesCount: number | null;
}
export interface Task {
  id: string;
  personId: string;
  fullName: string;
  phone: string | null;
  unitCode: string;
  reason: string;
  status: string;
  createdAt: string;
}
export interface ImportResultView {
  total: number;
  imported: number;
  duplicates: number;
  review: number;
  errors: { line: number; path: string; message: string }[];
}
export interface Review {
  id: string;
  caseCode: string;
  line: Record<string, string>;
  reason: string;
  /** registry records inside the reviewer's area (may be picked) */
  candidates: { id: string; fullName: string; phone: string | null; birthYear: number | null; communeCode: string | null }[];
  /** registry records elsewhere: only their province (ask that province's CDC) */
  elsewhere: { provinceCode: string | null; provinceName: string | null; count: number }[];
}

export const PAGE_SIZE = 50;

export type { PersonListItem };
/** The person registry's search (name, phone or national ID; jurisdiction-scoped and audited by the server). */
export const usePersonSearch = (q: string) =>
  useQuery({
    queryKey: ['people', 'search', q],
    queryFn: ({ signal }) => api.get<PersonListResponse>('/api/people', { q, limit: 8 }, signal),
    enabled: q.trim().length >= 2,
    retry: false,
  });

export const useCases = (filters: Record<string, QueryValue>, page: number) =>
  useQuery({
    queryKey: ['cases', filters, page],
    queryFn: ({ signal }) => api.get<Page<CaseItem>>('/api/cases', { ...filters, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }, signal),
    placeholderData: keepPreviousData,
  });

/** The case; polled while its tracing is pending or running, so results show as they come. */
export const useCase = (id: string) =>
  useQuery({
    queryKey: ['case', id],
    queryFn: ({ signal }) => api.get<{ case: CaseItem }>(`/api/cases/${id}`, undefined, signal),
    refetchInterval: (q) => (q.state.data && ['pending', 'running'].includes(q.state.data.case.trace.status) ? 1500 : false),
  });

export const useCaseContacts = (id: string, traceStatus: string | undefined) =>
  useQuery({ queryKey: ['case', id, 'contacts', traceStatus], queryFn: ({ signal }) => api.get<Page<ContactItem>>(`/api/cases/${id}/contacts`, undefined, signal), enabled: !!traceStatus });
export const useTimeline = (id: string, traceStatus: string | undefined) =>
  useQuery({ queryKey: ['case', id, 'timeline', traceStatus], queryFn: ({ signal }) => api.get<{ items: TimelineEntry[] }>(`/api/cases/${id}/timeline`, undefined, signal) });
export const useCaseGraph = (id: string, traceStatus: string | undefined) =>
  useQuery({ queryKey: ['case', id, 'graph', traceStatus], queryFn: ({ signal }) => api.get<GraphResponse>(`/api/cases/${id}/graph`, undefined, signal) });
export const useClusters = () => useQuery({ queryKey: ['clusters'], queryFn: ({ signal }) => api.get<{ items: Cluster[] }>('/api/clusters', undefined, signal) });
export const useClusterGraph = (id: string | null) =>
  useQuery({ queryKey: ['cluster', id], queryFn: ({ signal }) => api.get<GraphResponse>(`/api/clusters/${id}/graph`, undefined, signal), enabled: !!id });

/** Who was present during one stay of a contact (the F0, or the F(n-1)s), read when the list is opened. */
export const useExposureSources = (contactId: string, exposureId: string, enabled: boolean) =>
  useQuery({
    queryKey: ['contact', contactId, 'exposure', exposureId, 'sources'],
    queryFn: ({ signal }) => api.get<ExposureSourcesResponse>(`/api/contacts/${contactId}/exposures/${exposureId}/sources`, undefined, signal),
    enabled,
  });

export const useContacts = (filters: Record<string, QueryValue>, page: number) =>
  useQuery({
    queryKey: ['contacts', filters, page],
    queryFn: ({ signal }) => api.get<Page<ContactItem>>('/api/contacts', { ...filters, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }, signal),
    placeholderData: keepPreviousData,
  });

export function useInvalidate() {
  const qc = useQueryClient();
  return (...keys: string[]) => Promise.all(keys.map((k) => qc.invalidateQueries({ queryKey: [k] })));
}

export function useCaseMutations(id?: string) {
  const inv = useInvalidate();
  return {
    create: useMutation({ mutationFn: (body: Record<string, unknown>) => api.post<{ case: CaseItem }>('/api/cases', body), onSuccess: () => inv('cases') }),
    update: useMutation({ mutationFn: (body: Record<string, unknown>) => api.patch<{ case: CaseItem }>(`/api/cases/${id}`, body), onSuccess: () => inv('case', 'cases') }),
    retrace: useMutation({ mutationFn: () => api.post<{ case: CaseItem }>(`/api/cases/${id}/trace`, {}), onSuccess: () => inv('case') }),
    addContact: useMutation({ mutationFn: (body: Record<string, unknown>) => api.post<Page<ContactItem>>(`/api/cases/${id}/contacts`, body), onSuccess: () => inv('case', 'contacts') }),
    bulk: useMutation({ mutationFn: (body: { ids: string[]; action: string; placeId?: string }) => api.post<{ changed: number }>('/api/contacts/bulk', body), onSuccess: () => inv('contacts', 'case', 'places') }),
  };
}

export const useGrid = (q: Record<string, QueryValue>) => useQuery({ queryKey: ['followups', 'grid', q], queryFn: ({ signal }) => api.get<Grid>('/api/followups/grid', q, signal) });
export const useDue = (q: Record<string, QueryValue>) => useQuery({ queryKey: ['followups', 'due', q], queryFn: ({ signal }) => api.get<Grid>('/api/followups/due', q, signal) });
export const useSeries = (personId: string | null) =>
  useQuery({ queryKey: ['followups', 'person', personId], queryFn: ({ signal }) => api.get<{ items: FollowUpPoint[]; feverThreshold: number }>(`/api/followups/person/${personId}`, undefined, signal), enabled: !!personId });
export const useTasks = () => useQuery({ queryKey: ['followups', 'tasks'], queryFn: ({ signal }) => api.get<{ items: Task[] }>('/api/case-tasks', undefined, signal) });
export interface Tracer {
  id: string;
  displayName: string;
  unitCode: string;
  unitName: string;
  assigned: number;
}
export const useTracers = (unit: string | null, enabled: boolean) =>
  useQuery({ queryKey: ['followups', 'tracers', unit], queryFn: ({ signal }) => api.get<{ items: Tracer[] }>('/api/followups/tracers', { unit }, signal), enabled });
export function useAssign() {
  const inv = useInvalidate();
  return useMutation({ mutationFn: (body: { tracerUserId: string | null; personIds: string[] }) => api.post<{ assigned: number }>('/api/followups/assignments', body), onSuccess: () => inv('followups') });
}
export function useRecordFollowUp() {
  const inv = useInvalidate();
  return useMutation({ mutationFn: (body: Record<string, unknown>) => api.post<{ fever: boolean; unwell: boolean; taskCreated: boolean }>('/api/followups', body), onSuccess: () => inv('followups', 'contacts') });
}
export function useTaskDone() {
  const inv = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api.post(`/api/case-tasks/${id}/done`, {}), onSuccess: () => inv('followups') });
}

export const usePlaces = () => useQuery({ queryKey: ['places'], queryFn: ({ signal }) => api.get<{ items: Place[]; byArea: { code: string; name: string; capacity: number; occupied: number }[] }>('/api/places', undefined, signal) });
export const usePlace = (id: string | null) =>
  useQuery({
    queryKey: ['places', id],
    queryFn: ({ signal }) => api.get<{ place: Place; occupants: { stayId: string; personId: string; fullName: string; kind: string; admittedOn: string; plannedDischargeOn: string | null }[]; cameras: Camera[] }>(`/api/places/${id}`, undefined, signal),
    enabled: !!id,
  });
export const useCamerasDown = () => useQuery({ queryKey: ['places', 'down'], queryFn: ({ signal }) => api.get<{ items: Camera[] }>('/api/cameras/down', undefined, signal) });
export function usePlaceMutations() {
  const inv = useInvalidate();
  return {
    create: useMutation({ mutationFn: (body: Record<string, unknown>) => api.post<Place>('/api/places', body), onSuccess: () => inv('places') }),
    camera: useMutation({ mutationFn: ({ placeId, ...body }: { placeId: string; name: string; streamUrl: string; location?: string }) => api.post<Camera>(`/api/places/${placeId}/cameras`, body), onSuccess: () => inv('places') }),
    update: useMutation({ mutationFn: ({ id, ...body }: { id: string; capacity?: number; active?: boolean; name?: string }) => api.patch<Place>(`/api/places/${id}`, body), onSuccess: () => inv('places') }),
    discharge: useMutation({ mutationFn: (stayId: string) => api.post(`/api/place-stays/${stayId}/discharge`, {}), onSuccess: () => inv('places') }),
  };
}

export const useNotices = () => useQuery({ queryKey: ['notices'], queryFn: ({ signal }) => api.get<{ items: Notice[] }>('/api/exposure-notices', undefined, signal) });

export const useReviews = () => useQuery({ queryKey: ['contacts', 'reviews'], queryFn: ({ signal }) => api.get<{ items: Review[] }>('/api/contact-reviews', undefined, signal) });
export function useResolveReview() {
  const inv = useInvalidate();
  return useMutation({ mutationFn: ({ id, personId }: { id: string; personId: string | null }) => api.post(`/api/contact-reviews/${id}/resolve`, { personId }), onSuccess: () => inv('contacts') });
}

/** Upload a contacts file (CSV or XLSX) as the request body; the server answers with per-line results. */
export async function uploadContacts(file: File): Promise<ImportResultView> {
  const type = file.name.toLowerCase().endsWith('.xlsx') ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
  const res = await fetch('/api/contacts/import', { method: 'POST', body: file, credentials: 'same-origin', headers: { 'Content-Type': type, 'X-Requested-With': 'vigil', Accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body as ImportResultView;
}

export type ProbeReason = 'invalid-url' | 'scheme' | 'blocked' | 'dns' | 'refused' | 'reset' | 'unreachable' | 'timeout' | 'tls' | 'protocol' | 'http' | 'other';
