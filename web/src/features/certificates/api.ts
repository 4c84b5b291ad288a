// API calls of the certificate pages; types come from the server's schema (import type only).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CertificateListResponse, CertificateView, VerifyResponse } from '../../../../server/src/modules/certificates/schema';
import type { Static } from '@sinclair/typebox';
import type { MyResults } from '../../../../server/src/modules/testing/schema';
import { api } from '../../lib/api';

export type { CertificateView, VerifyResponse } from '../../../../server/src/modules/certificates/schema';

export const useVerifyCertificate = () => useMutation({ mutationFn: (hc1: string) => api.post<VerifyResponse>('/api/certificates/verify', { hc1 }) });

/** The signed-in citizen's certificates (their own and their dependants'), or one person's of the household. */
export const useMyCertificates = (personId?: string) =>
  useQuery({
    queryKey: ['me', 'certificates', personId ?? 'all'],
    queryFn: () => api.get<CertificateListResponse>('/api/me/certificates', personId ? { personId } : undefined),
  });

/** Staff (certificates.read): a person's certificates, to print them for someone without a phone (audited). */
export const usePersonCertificates = (personId: string) =>
  useQuery({ queryKey: ['people', personId, 'certificates'], queryFn: ({ signal }) => api.get<CertificateListResponse>(`/api/people/${personId}/certificates`, undefined, signal), retry: false });

export const staffPdfUrl = (id: string, lang: string) => `/api/certificates/${id}/pdf?lang=${lang === 'en' ? 'en' : 'vi'}`;

export const myQrUrl = (id: string) => `/api/me/certificates/${id}/qr.png`;
export const myPdfUrl = (id: string, lang: string) => `/api/me/certificates/${id}/pdf?lang=${lang === 'en' ? 'en' : 'vi'}`;

/** The household's test results (testing module), to ask for a test certificate of an individual result. */
export const useMyTestResults = () => useQuery({ queryKey: ['testing', 'mine'], queryFn: ({ signal }) => api.get<Static<typeof MyResults>>('/api/testing/me/results', undefined, signal) });

/** Ask for the test certificate of one tube (the same one again when it exists). */
export function useAskTestCertificate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { sampleId: string; personId: string }) => api.post<CertificateView>('/api/me/certificates/test', b),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['me', 'certificates'] }),
  });
}
