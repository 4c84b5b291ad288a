// API hooks of the vaccination pages (types from the server's schemas).
import { useQuery } from '@tanstack/react-query';
import type { Static } from '@sinclair/typebox';
import type { AppointmentViewT, DoseViewT, RegistrationView, ScanResponse } from '../../../../server/src/modules/vaccination/schema';
import { api } from '../../lib/api';

export type ScanResult = Static<typeof ScanResponse>;
export type { AppointmentViewT, DoseViewT };

export interface SiteItem {
  id: string;
  code: string;
  name: string;
  address: string;
  communeCode: string;
}

export interface HealthBook {
  person: ScanResult['person'];
  doses: DoseViewT[];
  appointments: AppointmentViewT[];
  registrations: Static<typeof RegistrationView>[];
  nextDose: { doseNumber: number; dueOn: string; productCode: string } | null;
}

export function useSites(unit: string | null) {
  return useQuery({
    queryKey: ['vaccination', 'sites', unit],
    queryFn: ({ signal }) => api.get<{ items: SiteItem[] }>('/api/vaccination/sites', { unit }, signal),
    staleTime: 5 * 60_000,
  });
}

export function useHealthBook(personId: string | null) {
  return useQuery({
    queryKey: ['vaccination', 'book', personId],
    queryFn: ({ signal }) => api.get<HealthBook>(`/api/vaccination/book/${personId}`, undefined, signal),
    enabled: !!personId,
  });
}

export const scan = (siteId: string, qr: string) => api.post<ScanResult>('/api/vaccination/scan', { siteId, qr });
export const screenPerson = (body: unknown) => api.post<{ id: string; outcome: string; rules: string[] }>('/api/vaccination/screenings', body);
export const recordDose = (body: unknown) => api.post<{ id: string; warnings: string[]; observeUntil: string }>('/api/vaccination/doses', body);
export const endObservation = (doseId: string, early: boolean, note?: string) => api.post<{ ok: boolean }>(`/api/vaccination/doses/${doseId}/observation`, { early, ...(note && { note }) });
export const recordAefi = (doseId: string, body: unknown) => api.post<{ id: string }>(`/api/vaccination/doses/${doseId}/aefi`, body);
