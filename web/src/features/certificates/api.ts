// API calls of the certificate pages; types come from the server's schema (import type only).
import { useMutation, useQuery } from '@tanstack/react-query';
import type { CertificateListResponse, VerifyResponse } from '../../../../server/src/modules/certificates/schema';
import { api } from '../../lib/api';

export type { CertificateView, VerifyResponse } from '../../../../server/src/modules/certificates/schema';

export const useVerifyCertificate = () => useMutation({ mutationFn: (hc1: string) => api.post<VerifyResponse>('/api/certificates/verify', { hc1 }) });

/** The signed-in citizen's certificates (their own and their dependants'), or one person's of the household. */
export const useMyCertificates = (personId?: string) =>
  useQuery({
    queryKey: ['me', 'certificates', personId ?? 'all'],
    queryFn: () => api.get<CertificateListResponse>('/api/me/certificates', personId ? { personId } : undefined),
  });

export const myQrUrl = (id: string) => `/api/me/certificates/${id}/qr.png`;
export const myPdfUrl = (id: string, lang: string) => `/api/me/certificates/${id}/pdf?lang=${lang === 'en' ? 'en' : 'vi'}`;
