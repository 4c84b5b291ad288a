import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type {
  ActionBody,
  DashboardResponse,
  DeclarationListResponse,
  DeclarationResponse,
  FormListResponse,
  FormResponse,
  FormListItem,
  MyDeclarationListResponse,
  MyDeclarationResponse,
  PublicSubmitBody,
  RuleListResponse,
  RuleSwitchBody,
  RuleView,
  SelfSubmitBody,
  ZoneListResponse,
  Severity,
  SubmitResponse,
  WorklistQuery,
} from '../../../../server/src/modules/declarations/schema';
import { allOf } from '../../lib/types';

export type {
  Action,
  ActionView,
  AnswerValue,
  Answers,
  Condition,
  DashboardResponse,
  DeclarationDetail,
  DeclarationItem,
  FormListItem,
  FormVersionView,
  RuleView,
  ZoneView,
  Localized,
  MyDeclarationDetail,
  MyDeclarationItem,
  PublicPerson,
  Question,
  QuestionOption,
  RiskHit,
  Severity,
  Status,
  SubmitResponse,
} from '../../../../server/src/modules/declarations/schema';

export const WORKLIST_PAGE_SIZE = 50;

/** Every work-list status filter and severity, in the order offered (a missing or unknown one does not compile). */
export const WORKLIST_STATUSES = allOf<WorklistQuery['status']>()(['active', 'open', 'called', 'referred', 'cleared', 'all']);
export const SEVERITIES = allOf<Severity>()(['high', 'medium', 'low']);

export const WORKLIST_VIEWS = allOf<WorklistQuery['view']>()(['all', 'follow_up', 'venue']);

/** The work list's filters: the server's query (WorklistQuery), with null for "any". */
export interface WorklistFilters {
  view: WorklistQuery['view'];
  status: WorklistQuery['status'];
  severity: Severity | null;
  unit: string | null;
  from: string | null;
  to: string | null;
}

export function useWorklist(f: WorklistFilters, page: number) {
  return useQuery({
    queryKey: ['declarations', 'worklist', f, page],
    queryFn: ({ signal }) =>
      api.get<DeclarationListResponse>(
        '/api/declarations/worklist',
        { ...f, limit: WORKLIST_PAGE_SIZE, offset: (page - 1) * WORKLIST_PAGE_SIZE },
        signal,
      ),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000, // new flags arrive all day
  });
}

export function usePersonDeclarations(personId: string) {
  return useQuery({
    queryKey: ['declarations', 'person', personId],
    queryFn: ({ signal }) => api.get<DeclarationListResponse>('/api/declarations', { personId, limit: 50 }, signal),
  });
}

/** One declaration (reading it is audited, so it is not refetched on its own). */
export function useDeclaration(id: string) {
  return useQuery({
    queryKey: ['declarations', 'detail', id],
    queryFn: ({ signal }) => api.get<DeclarationResponse>(`/api/declarations/${encodeURIComponent(id)}`, undefined, signal),
    staleTime: Infinity,
  });
}

export function useDeclarationAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ActionBody }) => api.post<DeclarationResponse>(`/api/declarations/${encodeURIComponent(id)}/actions`, body),
    onSuccess: (data) => {
      client.setQueryData(['declarations', 'detail', data.declaration.id], data);
      void client.invalidateQueries({ queryKey: ['declarations', 'worklist'] });
      void client.invalidateQueries({ queryKey: ['declarations', 'dashboard'] });
    },
  });
}

export function useDashboard(from: string | null, to: string | null, unit: string | null) {
  return useQuery({
    queryKey: ['declarations', 'dashboard', from, to, unit],
    queryFn: ({ signal }) => api.get<DashboardResponse>('/api/declarations/dashboard', { from, to, unit }, signal),
    placeholderData: keepPreviousData,
    refetchInterval: 120_000,
  });
}

export function useRules() {
  return useQuery({ queryKey: ['declarations', 'rules'], queryFn: ({ signal }) => api.get<RuleListResponse>('/api/declarations/rules', undefined, signal), staleTime: 60_000 });
}

// ── configuration (officers) ─────────────────────────────────────────────────

/** Forms as officers see them: with owner and whether the caller may change them (archived ones too). */
export function useConfigForms() {
  return useQuery({ queryKey: ['declarations', 'config-forms'], queryFn: ({ signal }) => api.get<FormListResponse>('/api/declarations/forms', undefined, signal) });
}

export function useZones() {
  return useQuery({ queryKey: ['declarations', 'zones'], queryFn: ({ signal }) => api.get<ZoneListResponse>('/api/declarations/zones', undefined, signal) });
}

/** Switch a rule off (or on again) for an area inside the caller's jurisdiction. */
export function useSwitchRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, body }: { key: string; body: RuleSwitchBody }) => api.post<RuleView>(`/api/declarations/rules/${encodeURIComponent(key)}/switch`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['declarations', 'rules'] }),
  });
}

export function useArchiveForm() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, archived }: { key: string; archived: boolean }) => api.post<FormResponse>(`/api/declarations/forms/${encodeURIComponent(key)}/archive`, { archived }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['declarations', 'config-forms'] });
      void client.invalidateQueries({ queryKey: ['declaration-forms'] });
    },
  });
}

export type ConfigForm = FormListItem;

// ── forms (public) ───────────────────────────────────────────────────────────

export function useForms() {
  return useQuery({
    queryKey: ['declaration-forms'],
    queryFn: ({ signal }) => api.get<FormListResponse>('/api/public/declaration-forms', undefined, signal),
    staleTime: 5 * 60_000,
  });
}

export function useForm(key: string | null) {
  return useQuery({
    queryKey: ['declaration-forms', key],
    queryFn: ({ signal }) => api.get<FormResponse>(`/api/public/declaration-forms/${encodeURIComponent(key ?? '')}`, undefined, signal),
    enabled: !!key,
    staleTime: 5 * 60_000,
  });
}

// ── citizens ─────────────────────────────────────────────────────────────────

export function useSubmitMine() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SelfSubmitBody) => api.post<SubmitResponse>('/api/me/declarations', body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['me', 'declarations'] }),
  });
}

/** Declaring without an account (for the citizen check-in page). */
export function useSubmitPublic() {
  return useMutation({ mutationFn: (body: PublicSubmitBody) => api.post<SubmitResponse>('/api/public/declarations', body) });
}

export function useMyDeclarations(personId: string | null, page: number, enabled = true) {
  return useQuery({
    queryKey: ['me', 'declarations', personId, page],
    queryFn: ({ signal }) => api.get<MyDeclarationListResponse>('/api/me/declarations', { personId, limit: 20, offset: (page - 1) * 20 }, signal),
    enabled,
    placeholderData: keepPreviousData,
  });
}

export function useMyDeclaration(id: string | null) {
  return useQuery({
    queryKey: ['me', 'declarations', 'detail', id],
    queryFn: ({ signal }) => api.get<MyDeclarationResponse>(`/api/me/declarations/${encodeURIComponent(id ?? '')}`, undefined, signal),
    enabled: !!id,
  });
}
