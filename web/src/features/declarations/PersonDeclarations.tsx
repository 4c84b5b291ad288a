import { Anchor, Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { usePersonDeclarations } from './api';
import { useDeclT, useLang } from './i18n';
import { SEVERITY_COLOR, STATUS_COLOR, statusLabel } from './labels';

/** The declarations about one person (for the person's record page). */
export function PersonDeclarations({ personId }: { personId: string }) {
  const td = useDeclT();
  const lang = useLang();
  const fmt = useFormat();
  const q = usePersonDeclarations(personId);
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        {td('person.declarations')}
      </Title>
      {q.isError && <ErrorAlert error={q.error} />}
      {q.data?.items.length === 0 && (
        <Text size="sm" c="dimmed">
          {td('person.none')}
        </Text>
      )}
      <Stack gap={6}>
        {q.data?.items.map((d) => (
          <Group key={d.id} justify="space-between" wrap="nowrap">
            <Text size="sm">
              <Anchor component={Link} to={`/declarations/${d.id}`}>
                {fmt.dateTime(d.submittedAt)}
              </Anchor>{' '}
              · {d.form.title[lang]}
            </Text>
            <Group gap={4} wrap="nowrap">
              {d.severity && (
                <Badge size="sm" color={SEVERITY_COLOR[d.severity]} variant="light">
                  {d.hits[0]?.name[lang]}
                </Badge>
              )}
              <Badge size="sm" color={STATUS_COLOR[d.status]} variant="dot">
                {statusLabel(td, d.status)}
              </Badge>
            </Group>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
