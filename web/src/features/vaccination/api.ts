// API hooks of the vaccination pages (types from the server's schemas).
import { useQuery } from '@tanstack/react-query';
import type { Static } from '@sinclair/typebox';
import type { AppointmentViewT, DoseViewT, ImportResponse, RegistrationResponse, RegistrationView, ScanResponse } from '../../../../server/src/modules/vaccination/schema';
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

// --- campaign set-up and the registration desk (staff) ---
export interface CampaignItem {
  id: string;
  name: string;
  unitCode: string;
  startsOn: string;
  endsOn: string;
  productCodes: string[];
  priorityCodes: string[];
  status: string;
}
export interface ProductItem {
  code: string;
  name: string;
  manufacturerName: string;
  dosesInSchedule: number;
}
export interface PriorityGroupItem {
  code: string;
  rank: number;
  nameVi: string;
  nameEn: string;
}
export interface OpeningWindow {
  days: number[];
  from: string;
  to: string;
}
export interface SiteDetail extends SiteItem {
  capacityPerHour: number;
  openingHours: OpeningWindow[];
}
export interface StockItem {
  id: string;
  productCode: string;
  lotNumber: string;
  expiresOn: string;
  quantity: number;
  used: number;
  wasted: number;
  left: number;
}
export interface SlotItem {
  id: string;
  startsAt: string;
  endsAt: string;
  capacity: number;
  booked: number;
  sessionId: string;
  productCode: string;
  siteId: string;
  siteName: string;
}
export type ImportResult = Static<typeof ImportResponse>;
export type RegistrationResult = Static<typeof RegistrationResponse>;

export function useCampaigns() {
  return useQuery({ queryKey: ['vaccination', 'campaigns'], queryFn: ({ signal }) => api.get<{ items: CampaignItem[] }>('/api/vaccination/campaigns', undefined, signal) });
}
export function useProducts() {
  return useQuery({ queryKey: ['vaccination', 'products'], queryFn: ({ signal }) => api.get<{ items: ProductItem[] }>('/api/vaccination/products', undefined, signal), staleTime: 10 * 60_000 });
}
export function usePriorityGroups() {
  return useQuery({ queryKey: ['vaccination', 'priority-groups'], queryFn: ({ signal }) => api.get<{ items: PriorityGroupItem[] }>('/api/vaccination/priority-groups', undefined, signal), staleTime: 10 * 60_000 });
}
export function useSiteDetails(unit: string | null) {
  return useQuery({ queryKey: ['vaccination', 'sites', unit], queryFn: ({ signal }) => api.get<{ items: SiteDetail[] }>('/api/vaccination/sites', { unit }, signal) });
}
export function useStock(siteId: string | null) {
  return useQuery({ queryKey: ['vaccination', 'stock', siteId], queryFn: ({ signal }) => api.get<{ items: StockItem[] }>(`/api/vaccination/sites/${siteId}/stock`, undefined, signal), enabled: !!siteId });
}
export function useSlots(campaignId: string | null, day: string, siteId?: string | null) {
  return useQuery({
    queryKey: ['vaccination', 'slots', campaignId, day, siteId ?? null],
    queryFn: ({ signal }) => api.get<{ items: SlotItem[] }>('/api/vaccination/slots', { campaignId, day, siteId }, signal),
    enabled: !!campaignId && /^\d{4}-\d{2}-\d{2}$/.test(day),
  });
}
