import { Anchor, Group } from '@mantine/core';
import { Link } from 'react-router';
import { useCallsT } from './i18n';

/** The robot-call pages' own links (campaigns, scripts, lists, report, voice messages). */
export function CallsNav() {
  const t = useCallsT();
  const links = [
    ['/calls', t('campaigns')],
    ['/calls/scripts', t('scripts')],
    ['/calls/lists', t('lists')],
    ['/calls/report', t('report')],
    ['/calls/voice', t('voice.title')],
  ] as const;
  return (
    <Group gap="md">
      {links.map(([to, label]) => (
        <Anchor key={to} component={Link} to={to} size="sm">
          {label}
        </Anchor>
      ))}
    </Group>
  );
}
