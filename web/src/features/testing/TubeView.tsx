// A tube as the lab and the sample list show it: code, result, type, point, time, people; then its result history,
// latest first, corrections with what they replaced and why.
import { Group, Stack, Text, Timeline } from '@mantine/core';
import { useFormat } from '../../lib/format';
import { useTestTypeName, type SampleDetail } from './api';
import { useTestingLabel, useTestingT } from './i18n';
import { RESULT_COLOR, ResultBadge } from './ResultBadge';

export function TubeSummary({ d }: { d: SampleDetail }) {
  const t = useTestingT();
  const fmt = useFormat();
  const typeName = useTestTypeName();
  const s = d.sample;
  return (
    <Stack gap={4}>
      <Group gap="xs">
        <Text ff="monospace" fw={700} size="lg">
          {s.tubeCode}
        </Text>
        <ResultBadge result={s.result} />
      </Group>
      <Text size="sm" c="dimmed">
        {t('lab.tubeInfo', { type: typeName(s.testType), site: s.point?.name ?? s.communeName, at: fmt.dateTime(s.collectedAt) })}
      </Text>
      <Text size="sm">
        {t('lab.peopleInTube', { n: s.members.length })}: {s.members.map((m) => m.fullName).join(', ')}
      </Text>
    </Stack>
  );
}

export function TubeHistory({ d }: { d: SampleDetail }) {
  const t = useTestingT();
  const label = useTestingLabel();
  const fmt = useFormat();
  if (!d.history.length) return null;
  return (
    <Stack gap="xs">
      <Text fw={600} size="sm">
        {t('lab.history')}
      </Text>
      <Timeline bulletSize={14} lineWidth={2} active={0} data-testid="result-history">
        {[...d.history].sort((a, b) => b.recordedAt.localeCompare(a.recordedAt) || Number(b.id) - Number(a.id)).map((h) => (
          <Timeline.Item key={h.id} color={RESULT_COLOR[h.result]} title={`${label('results', h.result)} · ${fmt.dateTime(h.resultedAt)}`}>
            <Text size="xs" c="dimmed">
              {[h.labCode, h.source, fmt.dateTime(h.recordedAt)].filter(Boolean).join(' · ')}
            </Text>
            {h.replaces && (
              <Text size="xs">{t('lab.correctedFrom', { result: label('results', h.replaces.result), reason: h.reason ?? '' })}</Text>
            )}
          </Timeline.Item>
        ))}
      </Timeline>
    </Stack>
  );
}

