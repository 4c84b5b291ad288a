import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CommuneOption } from '../../../../server/src/modules/venues/schema';
import { api, queryString } from '../../lib/api';
import { ME_KEY } from '../../app/auth';
import { allOf } from '../../lib/types';
import type {
  AddDependantBody,
  DuplicateListResponse,
  MergeBody,
  MergeResponse,
  PersonCreateBody,
  PersonListResponse,
  PersonResponse,
  PersonUpdateBody,
  RelationshipValue,
  SelfDependantBody,
  SelfDependantsResponse,
  SelfPersonBody,
  SelfPersonResponse,
  SelfQrResponse,
  SexValue,
} from '../../../../server/src/modules/people/schema';

export type {
  PersonCreateBody,
  PersonUpdateBody,
  SelfDependantBody,
  SelfPersonBody,
  DuplicatePair,
  MergeField,
  PersonDetail,
  PersonLink,
  PersonListItem,
  RelationshipValue,
  SelfDependant,
  SelfPerson,
  SexValue,
  UnitBrief,
} from '../../../../server/src/modules/people/schema';
export type { CommuneOption } from '../../../../server/src/modules/venues/schema';

export const PEOPLE_PAGE_SIZE = 25;
/** Every value of the server's sex and relationship types, for selects (a missing or unknown one does not compile). */
export const SEXES = allOf<SexValue>()(['male', 'female', 'other']);
export const RELATIONSHIPS = allOf<RelationshipValue>()(['child', 'grandchild', 'parent', 'grandparent', 'spouse', 'sibling', 'relative', 'ward', 'other']);

export function usePeople(q: string, commune: string | null, page: number, enabled = true) {
  return useQuery({
    queryKey: ['people', 'list', q, commune, page],
    queryFn: ({ signal }) =>
      api.get<PersonListResponse>('/api/people', { q, commune, limit: PEOPLE_PAGE_SIZE, offset: (page - 1) * PEOPLE_PAGE_SIZE }, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** A person's full record. Opening it writes an audit row with `reason`, so it runs only once a reason is given. */
export function usePerson(id: string, reason: string | null) {
  return useQuery({
    queryKey: ['people', 'detail', id, reason],
    queryFn: ({ signal }) => api.get<PersonResponse>(`/api/people/${encodeURIComponent(id)}`, { reason }, signal),
    enabled: !!reason,
    staleTime: 5 * 60_000,
  });
}

export function useCreatePerson() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PersonCreateBody) => api.post<PersonResponse>('/api/people', body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['people'] }),
  });
}

function usePersonMutation<V>(fn: (v: V) => Promise<PersonResponse | MergeResponse | void>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (data) => {
      // the response is the fresh record: put it in every cached view of it, then refresh the lists
      if (data && 'person' in data) {
        client.setQueriesData<PersonResponse>({ queryKey: ['people', 'detail', data.person.id] }, () => ({ person: data.person }));
      }
      void client.invalidateQueries({ queryKey: ['people', 'list'] });
      void client.invalidateQueries({ queryKey: ['people', 'duplicates'] });
    },
  });
}

export const useUpdatePerson = () =>
  usePersonMutation(({ id, patch }: { id: string; patch: PersonUpdateBody }) => api.patch<PersonResponse>(`/api/people/${encodeURIComponent(id)}`, patch));

export const useAddDependant = () =>
  usePersonMutation(({ id, body }: { id: string; body: AddDependantBody }) => api.post<PersonResponse>(`/api/people/${encodeURIComponent(id)}/dependants`, body));

export function useRemoveDependant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, dependantId }: { id: string; dependantId: string }) =>
      api.delete<void>(`/api/people/${encodeURIComponent(id)}/dependants/${encodeURIComponent(dependantId)}`),
    // update the cached record rather than re-reading it (each read of a record is an audit entry)
    onSuccess: (_d, { id, dependantId }) =>
      client.setQueriesData<PersonResponse>({ queryKey: ['people', 'detail', id] }, (old) =>
        old ? { person: { ...old.person, dependants: old.person.dependants.filter((x) => x.id !== dependantId) } } : old,
      ),
  });
}

export function useDuplicates(page: number, personId?: string) {
  return useQuery({
    queryKey: ['people', 'duplicates', page, personId ?? null],
    queryFn: ({ signal }) =>
      api.get<DuplicateListResponse>('/api/people/duplicates', { personId, limit: PEOPLE_PAGE_SIZE, offset: (page - 1) * PEOPLE_PAGE_SIZE }, signal),
    placeholderData: keepPreviousData,
  });
}

export const useMerge = () =>
  usePersonMutation(({ keptId, body }: { keptId: string; body: MergeBody }) => api.post<MergeResponse>(`/api/people/${encodeURIComponent(keptId)}/merge`, body));

export const useNotDuplicate = () => usePersonMutation((body: { aId: string; bId: string }) => api.post<void>('/api/people/duplicates/dismiss', body));

/** URL of the printable QR card(s) of a person (the PDF opens in a new tab; the reason is audited). */
export const cardUrl = (id: string, reason: string, household = false) =>
  `/api/people/${encodeURIComponent(id)}/card.pdf${queryString({ reason, household: household || undefined })}`;

// ── the signed-in citizen ────────────────────────────────────────────────────

export function useMyPerson() {
  return useQuery({ queryKey: ['me', 'person'], queryFn: ({ signal }) => api.get<SelfPersonResponse>('/api/me/person', undefined, signal) });
}

export function useSaveMyPerson() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SelfPersonBody) => api.put<SelfPersonResponse>('/api/me/person', body),
    onSuccess: (data) => {
      client.setQueryData(['me', 'person'], data);
      void client.invalidateQueries({ queryKey: ['me'] });
      // a first record links the account to it (the session's personId): the menu then lists one's own pages
      void client.invalidateQueries({ queryKey: ME_KEY });
    },
  });
}

export function useMyDependants(enabled = true) {
  return useQuery({
    queryKey: ['me', 'dependants'],
    queryFn: ({ signal }) => api.get<SelfDependantsResponse>('/api/me/dependants', undefined, signal),
    enabled,
  });
}

export function useAddMyDependant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SelfDependantBody) => api.post<SelfDependantsResponse>('/api/me/dependants', body),
    onSuccess: (data) => client.setQueryData(['me', 'dependants'], data),
  });
}

export function useRemoveMyDependant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(`/api/me/dependants/${encodeURIComponent(id)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['me'] }),
  });
}

export function useMyQr(personId: string | null, enabled = true) {
  return useQuery({
    queryKey: ['me', 'qr', personId],
    queryFn: ({ signal }) => api.get<SelfQrResponse>('/api/me/qr', { personId }, signal),
    enabled,
    staleTime: Infinity,
  });
}

export const myCardUrl = (personId: string | null, household = false) =>
  `/api/me/card.pdf${queryString({ personId, household: household || undefined })}`;

// ── commune look-up (the public list the citizen pages use too) ──────────────

export function useCommuneSearch(q: string, selected: string | null) {
  return useQuery({
    queryKey: ['communes', q, selected],
    queryFn: ({ signal }) => api.get<{ items: CommuneOption[] }>('/api/checkin/communes', { q: q || selected, limit: 20 }, signal),
    enabled: q.length >= 2 || !!selected,
    staleTime: 10 * 60_000,
    placeholderData: keepPreviousData,
  });
}
