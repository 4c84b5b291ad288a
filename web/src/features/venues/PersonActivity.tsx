// A person's last 14 days on their record page: where they checked in (venue, entrance, in and out) and what they
// declared, one timeline, newest first. Both reads are audited by the server.
import { Anchor, Badge, Card, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { DeclarationListResponse } from '../../../../server/src/modules/declarations/schema';
import { api } from '../../lib/api';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { usePersonCheckins } from './api';
import { useVenueTexts } from './texts';

const DAYS = 14;

/** 'YYYY-MM-DD' of the day `days` before today, on the browser's calendar (the server's days are local too). */
const dayBefore = (days: number) => {
  const d = new Date(Date.now() - days * 86400_000);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
};

function usePersonRecentDeclarations(personId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['declarations', 'person', personId, 'recent'],
    queryFn: ({ signal }) => api.get<DeclarationListResponse>('/api/declarations', { personId, from: dayBefore(DAYS - 1), limit: 200 }, signal),
    enabled,
    retry: false,
  });
}

type Row =
  | { kind: 'checkin'; at: string; key: string; venue: string; entrance: string | null; until: string; state: string }
  | { kind: 'declaration'; at: string; key: string; id: string; form: string; venue: string | null; flagged: boolean };

export function PersonActivity({ personId, declarations }: { personId: string; declarations: boolean }) {
  const { t, lang } = useVenueTexts();
  const fmt = useFormat();
  const checkins = usePersonCheckins(personId);
  const decls = usePersonRecentDeclarations(personId, declarations);
  const venueNames = new Map((checkins.data?.items ?? []).map((c) => [c.venue.id, c.venue.name]));
  const rows: Row[] = [
    ...(checkins.data?.items ?? []).map(
      (c): Row => ({ kind: 'checkin', at: c.checkinAt, key: `c${c.id}`, venue: c.venue.name, entrance: c.entrance, until: c.effectiveCheckoutAt, state: c.state }),
    ),
    ...(decls.data?.items ?? []).map(
      (d): Row => ({
        kind: 'declaration',
        at: d.submittedAt,
        key: `d${d.id}`,
        id: d.id,
        form: d.form.title[lang === 'en' ? 'en' : 'vi'],
        venue: d.venueId ? (venueNames.get(d.venueId) ?? null) : null,
        flagged: d.flagged,
      }),
    ),
  ].sort((a, b) => b.at.localeCompare(a.at));
  const loading = checkins.isPending || (declarations && decls.isPending);
  return (
    <Card withBorder data-testid="person-activity">
      <Title order={2} size="h4" mb="xs">
        {t('recentActivity')}
      </Title>
      {checkins.isError && <ErrorAlert error={checkins.error} />}
      {decls.isError && <ErrorAlert error={decls.error} />}
      {checkins.data?.scope === 'venues' && (
        <Text size="xs" c="dimmed" mb="xs">
          {t('recentScopeVenues')}
        </Text>
      )}
      {!loading && rows.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('recentNone')}
        </Text>
      )}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={520}>
          <Table verticalSpacing={4}>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.key}>
                  <Table.Td style={{ whiteSpace: 'nowrap', width: '1%' }} fz="sm">
                    {fmt.dateTime(r.at)}
                  </Table.Td>
                  <Table.Td style={{ width: '1%' }}>
                    <Badge size="sm" variant="light" color={r.kind === 'checkin' ? 'blue' : r.kind === 'declaration' && r.flagged ? 'red' : 'grape'}>
                      {r.kind === 'checkin' ? t('kindCheckin') : t('kindDeclaration')}
                    </Badge>
                  </Table.Td>
                  {r.kind === 'checkin' ? (
                    <Table.Td fz="sm">
                      {r.venue}
                      {r.entrance ? ` · ${r.entrance}` : ''}{' '}
                      <Text span size="xs" c="dimmed">
                        → {r.state === 'open' ? t('stayOpen') : fmt.dateTime(r.until)}
                      </Text>
                    </Table.Td>
                  ) : (
                    <Table.Td fz="sm">
                      <Anchor component={Link} to={`/declarations/${r.id}`} size="sm">
                        {r.form}
                      </Anchor>
                      {r.venue && (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          {t('atVenue')} {r.venue}
                        </Text>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
