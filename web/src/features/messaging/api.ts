import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, request } from '../../lib/api';
import type { CampaignBody, CampaignItem, CodeSent, DryRunResponse, FigureRow, NotificationItem, OptOutItem } from '../../../../server/src/modules/messaging/schema';

export type { CampaignBody, CampaignItem, DryRunResponse, FigureRow, NotificationItem, OptOutItem };

export const useCampaigns = () =>
  useQuery({ queryKey: ['messaging', 'campaigns'], queryFn: ({ signal }) => api.get<{ items: CampaignItem[] }>('/api/messaging/campaigns', undefined, signal), refetchInterval: 5000 });
export const useNotifications = () =>
  useQuery({ queryKey: ['messaging', 'notifications'], queryFn: ({ signal }) => api.get<{ items: NotificationItem[] }>('/api/messaging/notifications', { limit: 200 }, signal) });
export const useFigures = (from: string, to: string) =>
  useQuery({ queryKey: ['messaging', 'figures', from, to], queryFn: ({ signal }) => api.get<{ items: FigureRow[] }>('/api/messaging/figures', { from, to }, signal) });
export const useOptOuts = () => useQuery({ queryKey: ['messaging', 'opt-outs'], queryFn: ({ signal }) => api.get<{ items: OptOutItem[] }>('/api/messaging/opt-outs', undefined, signal) });

export function useCampaignMutations() {
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: ['messaging'] });
  return {
    dryRun: useMutation({ mutationFn: (b: CampaignBody) => api.post<DryRunResponse>('/api/messaging/campaigns', { ...b, dryRun: true }) }),
    create: useMutation({ mutationFn: (b: CampaignBody) => api.post<CampaignItem>('/api/messaging/campaigns', b), onSuccess: refresh }),
    cancel: useMutation({ mutationFn: (id: string) => api.post(`/api/messaging/campaigns/${id}/cancel`), onSuccess: refresh }),
    addOptOut: useMutation({ mutationFn: (b: { phone: string; reason?: string }) => api.post('/api/messaging/opt-outs', b), onSuccess: refresh }),
  };
}

/** Uploads a list file; the server reads it (CSV or .xlsx) and answers rows and per-row errors. */
/** Exposure notices of the caller's area (cases module), for a campaign to everyone in a notice's venue and window. */
export const useExposureNotices = (enabled: boolean) =>
  useQuery({
    queryKey: ['messaging', 'exposure-notices'],
    queryFn: ({ signal }) => api.get<{ items: { id: string; venueName: string; entranceName: string | null; from: string; to: string }[] }>('/api/exposure-notices', undefined, signal),
    enabled,
  });

export async function readListFile(file: File) {
  const type = file.name.toLowerCase().endsWith('.xlsx') ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
  const res = await fetch('/api/messaging/campaigns/list-file', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': type, 'x-requested-with': 'vigil' }, body: file });
  const body = await res.json();
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body as { rows: { phone: string; name?: string; lang?: 'vi' | 'en' }[]; errors: { row: number; phone: string; message: string }[] };
}

export const signupApi = {
  sendCode: (phone: string, lang: 'vi' | 'en') => request<CodeSent>('/api/public/signup/code', { method: 'POST', body: { phone, lang } }),
  signup: (b: { requestId: string; code: string; password: string; displayName: string }) =>
    request<{ user: { id: string; username: string; displayName: string } }>('/api/public/signup', { method: 'POST', body: b }),
};
