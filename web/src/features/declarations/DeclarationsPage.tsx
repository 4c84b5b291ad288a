import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { NotFoundPage, PageLoader } from '../../app/pages';
import './i18n';

const WorklistPage = lazy(() => import('./WorklistPage'));
const DashboardPage = lazy(() => import('./DashboardPage'));
const DeclarationDetailPage = lazy(() => import('./DeclarationDetailPage'));
const ConfigPage = lazy(() => import('./ConfigPage'));

/** /declarations (work list), /declarations/dashboard, /declarations/config, /declarations/:id — lazily loaded sub-pages. */
export default function DeclarationsPage() {
  return (
    <Suspense fallback={<PageLoader />}>
      <Routes>
        <Route index element={<WorklistPage />} />
        <Route path="dashboard" element={<DashboardPage />} />
        <Route path="config" element={<ConfigPage />} />
        <Route path=":id" element={<DeclarationDetailPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Suspense>
  );
}
