import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { NotFoundPage, PageLoader } from '../../app/pages';
import './i18n';

const CampaignsPage = lazy(() => import('./CampaignsPage'));
const CampaignPage = lazy(() => import('./CampaignPage'));
const ScriptsPage = lazy(() => import('./ScriptsPage'));
const ListsPage = lazy(() => import('./ListsPage'));
const ReportPage = lazy(() => import('./ReportPage'));
const VoiceMessagesPage = lazy(() => import('./VoiceMessagesPage'));

/** /calls (campaigns), /calls/scripts, /calls/lists, /calls/report, /calls/voice (hotline voice messages), /calls/:id (live dashboard). */
export default function CallsPage() {
  return (
    <Suspense fallback={<PageLoader />}>
      <Routes>
        <Route index element={<CampaignsPage />} />
        <Route path="scripts" element={<ScriptsPage />} />
        <Route path="lists" element={<ListsPage />} />
        <Route path="report" element={<ReportPage />} />
        <Route path="voice" element={<VoiceMessagesPage />} />
        <Route path=":id" element={<CampaignPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Suspense>
  );
}
