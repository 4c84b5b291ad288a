import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { NotFoundPage, PageLoader } from '../../app/pages';
import './i18n';

const CaseListPage = lazy(() => import('./CaseListPage'));
const CaseDetailPage = lazy(() => import('./CaseDetailPage'));
const ClustersPage = lazy(() => import('./ClustersPage'));

/** /cases (list), /cases/clusters, /cases/:id (the case page). */
export default function CasesPage() {
  return (
    <Suspense fallback={<PageLoader />}>
      <Routes>
        <Route index element={<CaseListPage />} />
        <Route path="clusters" element={<ClustersPage />} />
        <Route path=":id" element={<CaseDetailPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Suspense>
  );
}
