import { Alert, Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, Textarea, Timeline, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useAuth } from '../../app/auth';
import { PageLoader } from '../../app/pages';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useDeclaration, useDeclarationAction, type Action, type Question } from './api';
import { AnswersView } from './AnswersView';
import { useDeclT, useLang } from './i18n';
import { actionLabel, channelLabel, SEVERITY_COLOR, severityLabel, STATUS_COLOR, statusLabel } from './labels';

const ACTION_COLOR: Record<Action, string> = { called: 'blue', referred: 'grape', cleared: 'teal', reopened: 'gray' };

export default function DeclarationDetailPage() {
  const td = useDeclT();
  const lang = useLang();
  const fmt = useFormat();
  const { can } = useAuth();
  const { id = '' } = useParams();
  const q = useDeclaration(id);
  const act = useDeclarationAction();
  const [action, setAction] = useState<Action | null>(null);
  const [note, setNote] = useState('');

  if (q.isPending) return <PageLoader />;
  if (q.isError) return <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  const d = q.data.declaration;
  const mayAct = can('declarations.review') && d.allowedActions.length > 0;

  return (
    <Stack gap="md">
      <div>
        <Anchor component={Link} to=".." relative="path" size="sm">
          ← {td('detail.back')}
        </Anchor>
        <Group gap="sm" align="center">
          <Title order={1} size="h2">
            {d.contact.fullName}
          </Title>
          {d.severity && (
            <Badge color={SEVERITY_COLOR[d.severity]} variant="filled">
              {severityLabel(td, d.severity)}
            </Badge>
          )}
          <Badge color={STATUS_COLOR[d.status]} variant="dot" size="lg">
            {statusLabel(td, d.status)}
          </Badge>
        </Group>
        <Text c="dimmed" size="sm">
          {d.form.title[lang]} · {fmt.dateTime(d.submittedAt)} · {channelLabel(td, d.channel)}
        </Text>
      </div>

      {d.flagged && (
        <Alert color={d.mayAct ? 'blue' : 'gray'} variant="light" data-testid="who-acts">
          {d.mayAct ? td('detail.youAct') : td('detail.othersAct', { unit: d.responsibleUnit.name })}
          {d.venue ? ` ${td('detail.atYourVenue', { venue: d.venue.name, unit: d.venue.unit.name })}` : ''}
        </Alert>
      )}

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack gap="md">
          <Card withBorder>
            <Title order={2} size="h4" mb="xs">
              {td('detail.contact')}
            </Title>
            <Table variant="vertical" withRowBorders={false} verticalSpacing={2}>
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th w={160}>{td('worklist.person')}</Table.Th>
                  <Table.Td>
                    <Anchor component={Link} to={`/people/${d.subject.id}?reason=${encodeURIComponent('Theo dõi khai báo y tế')}`}>
                      {d.contact.fullName}
                    </Anchor>{' '}
                    {d.contact.birthYear ?? ''}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>{td('detail.phone')}</Table.Th>
                  <Table.Td>
                    {d.contact.phone ? (
                      <Button component="a" href={`tel:${d.contact.phone}`} size="compact-sm" variant="light">
                        {td('detail.call')} {d.contact.phone}
                      </Button>
                    ) : (
                      <Text span ff="monospace" size="sm">
                        {d.subject.phoneMasked ?? '—'}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>{td('detail.address')}</Table.Th>
                  <Table.Td>{[d.contact.address, d.contact.commune?.name].filter(Boolean).join(', ') || '—'}</Table.Td>
                </Table.Tr>
                {d.declarant && (
                  <Table.Tr>
                    <Table.Th>{td('detail.declarant')}</Table.Th>
                    <Table.Td>{d.declarant.fullName}</Table.Td>
                  </Table.Tr>
                )}
                {d.venue && (
                  <Table.Tr>
                    <Table.Th>{td('detail.venue')}</Table.Th>
                    <Table.Td data-testid="detail-venue">
                      {d.venue.name}{' '}
                      <Text span size="xs" c="dimmed">
                        ({d.venue.unit.name})
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                <Table.Tr>
                  <Table.Th>{td('detail.responsible')}</Table.Th>
                  <Table.Td>{d.responsibleUnit.name}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
            {d.hits.length > 0 && (
              <Group gap={4} mt="sm">
                {d.hits.map((h) => (
                  <Badge key={h.key} color={SEVERITY_COLOR[h.severity]} variant="light">
                    {h.name[lang]}
                  </Badge>
                ))}
              </Group>
            )}
          </Card>

          {d.flagged && (
            <Card withBorder>
              <Title order={2} size="h4" mb="xs">
                {td('actions.history')}
              </Title>
              {d.actions.length === 0 && (
                <Text size="sm" c="dimmed">
                  {td('actions.noHistory')}
                </Text>
              )}
              <Timeline bulletSize={14} lineWidth={2}>
                {d.actions.map((a) => (
                  <Timeline.Item key={a.id} color={ACTION_COLOR[a.action]} title={`${actionLabel(td, a.action)} → ${statusLabel(td, a.to)}`}>
                    <Text size="sm">{a.note}</Text>
                    <Text size="xs" c="dimmed">
                      {fmt.dateTime(a.at)} {a.by ? `· ${a.by}` : ''}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
              {mayAct && (
                <Stack gap="xs" mt="md">
                  <Group gap="xs">
                    {d.allowedActions.map((a) => (
                      <Button key={a} size="compact-sm" variant={action === a ? 'filled' : 'light'} color={ACTION_COLOR[a]} onClick={() => setAction(a)}>
                        {actionLabel(td, a)}
                      </Button>
                    ))}
                  </Group>
                  {action && (
                    <>
                      <Textarea
                        label={td('actions.note')}
                        placeholder={td('actions.notePlaceholder')}
                        autosize
                        minRows={2}
                        maxLength={2000}
                        value={note}
                        onChange={(e) => setNote(e.currentTarget.value)}
                        required
                      />
                      {act.isError && <ErrorAlert error={act.error} />}
                      <Group justify="flex-end">
                        <Button
                          disabled={!note.trim()}
                          loading={act.isPending}
                          onClick={() =>
                            act.mutate(
                              { id: d.id, body: { action, note: note.trim() } },
                              {
                                onSuccess: () => {
                                  setAction(null);
                                  setNote('');
                                },
                              },
                            )
                          }
                        >
                          {td('actions.submit')}
                        </Button>
                      </Group>
                    </>
                  )}
                </Stack>
              )}
            </Card>
          )}
        </Stack>

        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {td('detail.answers')}
          </Title>
          <AnswersView questions={d.questions as Question[]} answers={d.answers} lang={lang} />
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
