// API hooks of the robot-call pages (types from the server's TypeBox schemas).
import type { Static } from '@sinclair/typebox';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { CampaignBody, CampaignItem, Counts, ScriptBody, ScriptItem } from '../../../../server/src/modules/calls/schema';

export type Campaign = Static<typeof CampaignItem>;
export type DayCounts = Static<typeof Counts>;
export type Script = Static<typeof ScriptItem>;
export type ScriptJson = Static<typeof ScriptBody>;
export type NewCampaign = CampaignBody;
export interface CallRow {
  id: string;
  personId: string | null;
  fullName: string;
  phone: string | null;
  unitCode: string | null;
  status: string;
  attempts: number;
  lastDisposition: string | null;
  lastSipCode: number | null;
  symptomatic: boolean | null;
  /** why a `failed` call is no longer placed: 'dialer-lost-answered' (a poison call) */
  failedReason: string | null;
}
export interface ListItem {
  personId: string | null;
  fullName: string;
  phone: string | null;
  unitCode: string;
  day: string;
  details: Record<string, unknown>;
  source: string;
}
export interface Report {
  unitCode: string;
  unitName: string;
  day: string;
  callsMade: number;
  manualCalls: number;
  planned: number;
  reached: number;
  symptomatic: number;
  nonReporting: number;
  wrongNumbers: number;
  smsLinks: number;
  byUnit: { unitCode: string; unitName: string; planned: number; reached: number; symptomatic: number; callsMade: number }[];
  storedAt: string | null;
  sentAt: string | null;
}

export const useCampaigns = () => useQuery({ queryKey: ['calls', 'campaigns'], queryFn: () => api.get<{ items: Campaign[] }>('/api/calls/campaigns') });
export const useCampaign = (id: string) =>
  useQuery({ queryKey: ['calls', 'campaign', id], queryFn: () => api.get<{ campaign: Campaign; counts: DayCounts }>(`/api/calls/campaigns/${id}`), refetchInterval: 3000 });
export const useDayCalls = (id: string) => useQuery({ queryKey: ['calls', 'day-calls', id], queryFn: () => api.get<{ items: CallRow[] }>(`/api/calls/campaigns/${id}/calls`), refetchInterval: 5000 });
export const useScripts = () => useQuery({ queryKey: ['calls', 'scripts'], queryFn: () => api.get<{ items: Script[] }>('/api/calls/scripts') });
export const useList = (kind: string, day?: string) => useQuery({ queryKey: ['calls', 'list', kind, day], queryFn: () => api.get<{ items: ListItem[] }>(`/api/calls/lists/${kind}`, { day }) });
export const useReport = (unit: string | undefined, day: string | undefined) => useQuery({ queryKey: ['calls', 'report', unit, day], queryFn: () => api.get<Report>('/api/calls/report', { unit, day }) });

export function useCreateCampaign() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (b: NewCampaign) => api.post<Campaign>('/api/calls/campaigns', b), onSuccess: () => qc.invalidateQueries({ queryKey: ['calls'] }) });
}
export function useRunCampaign(id: string) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: () => api.post<{ day: string; created: number; members: number }>(`/api/calls/campaigns/${id}/run`, {}), onSuccess: () => qc.invalidateQueries({ queryKey: ['calls'] }) });
}
export function useSaveScript() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { id?: string; unitCode: string; script: ScriptJson }) => (b.id ? api.put<{ id: string }>(`/api/calls/scripts/${b.id}`, { unitCode: b.unitCode, script: b.script }) : api.post<{ id: string }>('/api/calls/scripts', { unitCode: b.unitCode, script: b.script })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['calls', 'scripts'] }),
  });
}
export const checkScript = (script: ScriptJson) => api.post<{ problems: { path: string; message: string }[] }>('/api/calls/scripts/check', { script });

/** The prompt as audio (WAV), rendered by the server's TTS. */
export async function previewAudio(text: string, language: 'vi' | 'en', voice?: string): Promise<Blob> {
  const res = await fetch('/api/calls/preview', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-requested-with': 'vigil' }, body: JSON.stringify({ text, language, voice }) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.blob();
}

/** A hotline voice message (the audio is fetched by the <audio> element itself: /api/calls/voice-messages/:id/audio). */
export interface VoiceMessage {
  id: string;
  unitCode: string;
  personId: string | null;
  fullName: string;
  phone: string;
  receivedAt: string;
  durationMs: number;
  endedBy: string;
  handledAt: string | null;
  note: string;
}
export const useVoiceMessages = (status: string) =>
  useQuery({ queryKey: ['calls', 'voice', status], queryFn: () => api.get<{ items: VoiceMessage[] }>('/api/calls/voice-messages', { status }), refetchInterval: 30_000 });
export function useHandleVoiceMessage() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (b: { id: string; note: string }) => api.post<VoiceMessage>(`/api/calls/voice-messages/${b.id}/handled`, { note: b.note }), onSuccess: () => qc.invalidateQueries({ queryKey: ['calls', 'voice'] }) });
}
