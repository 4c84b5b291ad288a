// /testing: the desk side of testing, one tab per job (samples, lab results, retests, resampling, dashboard), each
// shown to the roles that do it, and the sampling points for the officers who run them; /sampling (SamplingPage) is the field staff's phone page.
import { Stack, Tabs, Title } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { useAuth } from '../../app/auth';
import { NotFoundPage, PageLoader } from '../../app/pages';
import type { Permission } from '../../lib/types';
import { useTestingT } from './i18n';

const SamplesPage = lazy(() => import('./SamplesPage'));
const LabPage = lazy(() => import('./LabPage'));
const TasksPage = lazy(() => import('./TasksPage'));
const DashboardPage = lazy(() => import('./DashboardPage'));
const PointsPage = lazy(() => import('./PointsPage'));

const TABS = [
  { path: 'samples', key: 'samples', permission: ['testing.read', 'testing.sample'] },
  { path: 'lab', key: 'lab', permission: ['testing.results'] },
  { path: 'retests', key: 'retests', permission: ['testing.read'] },
  { path: 'resamples', key: 'resamples', permission: ['testing.read'] },
  { path: 'dashboard', key: 'dashboard', permission: ['testing.read'] },
  { path: 'points', key: 'points', permission: ['testing.manage'] },
] as const satisfies readonly { path: string; key: string; permission: readonly Permission[] }[];

export default function TestingPage() {
  const t = useTestingT();
  const { can } = useAuth();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const tabs = TABS.filter((x) => can(x.permission));
  const current = tabs.find((x) => pathname.startsWith(`/testing/${x.path}`))?.path ?? null;
  const first = tabs[0]?.path;
  return (
    <Stack gap="md">
      <Title order={2}>{t('title')}</Title>
      <Tabs value={current} onChange={(v) => v && navigate(`/testing/${v}`)}>
        <Tabs.List>
          {tabs.map((x) => (
            <Tabs.Tab key={x.path} value={x.path}>
              {t(`tabs.${x.key}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Suspense fallback={<PageLoader />}>
        <Routes>
          <Route index element={first ? <Navigate to={`/testing/${first}`} replace /> : <NotFoundPage />} />
          {can(TABS[0].permission) && <Route path="samples" element={<SamplesPage />} />}
          {can(TABS[1].permission) && <Route path="lab" element={<LabPage />} />}
          {can(TABS[2].permission) && <Route path="retests" element={<TasksPage key="retest" kind="retest" />} />}
          {can(TABS[3].permission) && <Route path="resamples" element={<TasksPage key="resample" kind="resample" />} />}
          {can(TABS[4].permission) && <Route path="dashboard" element={<DashboardPage />} />}
          {can(TABS[5].permission) && <Route path="points" element={<PointsPage />} />}
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </Stack>
  );
}
