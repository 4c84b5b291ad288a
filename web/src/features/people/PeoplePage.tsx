import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { NotFoundPage, PageLoader } from '../../app/pages';
import './i18n';

const PeopleSearchPage = lazy(() => import('./PeopleSearchPage'));
const PersonDetailPage = lazy(() => import('./PersonDetailPage'));
const DuplicatesPage = lazy(() => import('./DuplicatesPage'));
const LinkRequestsPage = lazy(() => import('./LinkRequestsPage'));

/** /people (search), /people/duplicates, /people/:id — one nav entry, lazily loaded sub-pages. */
export default function PeoplePage() {
  return (
    <Suspense fallback={<PageLoader />}>
      <Routes>
        <Route index element={<PeopleSearchPage />} />
        <Route path="duplicates" element={<DuplicatesPage />} />
        <Route path="link-requests" element={<LinkRequestsPage />} />
        <Route path=":id" element={<PersonDetailPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Suspense>
  );
}
