import { useState } from 'react';
import { Anchor, Badge, Card, Checkbox, Group, Loader, Popover, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../lib/format';
import { CardList, DataTable } from '../../lib/DataTable';
import { usePhone } from '../../lib/media';
import { useExposureSources, type ContactItem } from './api';
import { useCasesT, useLabel } from './i18n';

export const LEVEL_COLOR: Record<number, string> = { 1: 'orange', 2: 'yellow' };

/** A person's phone as people write it, to call with one tap (or masked, for roles that do not call people). */
export function PhoneLink({ phone }: { phone: string | null }) {
  const fmt = useFormat();
  if (!phone) return <>—</>;
  // roles that do not call people read a masked number (•••••••678): nothing to dial
  if (!/^\+\d+$/.test(phone)) return <span style={{ whiteSpace: 'nowrap' }}>{phone}</span>;
  return (
    <Anchor href={`tel:${phone}`} size="sm" style={{ whiteSpace: 'nowrap' }}>
      {fmt.phone(phone)}
    </Anchor>
  );
}

/**
 * Contacts with their level, order, days left and why (venues and times, household, interview). On a phone (the
 * tracer's and the commune officer's) one card per person: who, the phone to tap, the order's end and why.
 */
export function ContactsTable({ items, selected, onSelect, showCase }: { items: ContactItem[]; selected?: Set<string>; onSelect?(ids: Set<string>): void; showCase?: boolean }) {
  const tc = useCasesT();
  const phone = usePhone();
  const label = useLabel();
  const fmt = useFormat();
  const { i18n } = useTranslation();
  const timeOf = (iso: string) => new Date(iso).toLocaleTimeString(i18n.resolvedLanguage === 'en' ? 'en-GB' : 'vi-VN', { hour: '2-digit', minute: '2-digit' });
  const toggle = (id: string) => {
    if (!selected || !onSelect) return;
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelect(next);
  };
  const exposures = (c: ContactItem) => (
    <>
            {c.exposures.slice(0, 4).map((e, i) => (
              <Text key={i} size="xs">
                {e.venue ? `${e.venue.name}` : e.kind && e.kind !== e.via ? `${label('relations', e.kind)} (${label('vias', e.via)})` : label('vias', e.via)}
                {e.venue && e.from && e.to ? ` · ${fmt.dateTime(e.from)}–${timeOf(e.to)}` : ''}
                {e.overlapMinutes !== null ? ` · ${e.overlapMinutes}′` : ''}
                {e.venue ? ` (${label('vias', e.via)})` : ''}
                {c.level > 1 && e.sourcePersonName ? ` · ${tc('fields.viaPerson')}: ${e.sourcePersonName}` : ''}
                {e.venue && <SourcesLink contactId={c.id} exposureId={e.id} count={e.sourcesCount} level={c.level - 1} timeOf={timeOf} />}
              </Text>
            ))}
            {c.exposures.length > 4 && <Text size="xs" c="dimmed">+{c.exposures.length - 4}</Text>}
    </>
  );
  const order = (c: ContactItem) => `${label('orders', c.orderKind)} → ${fmt.day(c.orderEnd)}`;
  if (phone)
    return (
      <CardList testId="contacts-table" isEmpty={items.length === 0} emptyText={tc('contacts.empty')}>
        {items.map((c) => (
          <Card key={c.id} withBorder padding="sm" data-level={c.level} data-testid="contact-card">
            <Group gap="xs" wrap="nowrap" align="flex-start">
              {onSelect && <Checkbox aria-label={c.person.fullName} checked={selected?.has(c.id) ?? false} onChange={() => toggle(c.id)} mt={2} />}
              <Badge color={LEVEL_COLOR[c.level] ?? 'lime'} miw={38} style={{ overflow: 'visible' }}>
                F{c.level}
              </Badge>
              <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
                <Text fw={600} size="sm">
                  {c.person.fullName}
                  {c.flagged && (
                    <Badge ml={6} color="red" size="xs">
                      {tc('contacts.flagged')}
                    </Badge>
                  )}
                </Text>
                <Group gap="xs">
                  <PhoneLink phone={c.person.phone} />
                  <Text size="xs" c="dimmed">
                    {[c.unit?.name, showCase ? c.caseCode : null].filter(Boolean).join(' · ')}
                  </Text>
                </Group>
                <Text size="xs">
                  {order(c)}
                  {c.status === 'monitoring' ? ` · ${tc('fields.daysLeft')}: ${c.daysLeft}` : ` · ${label('contactStatuses', c.status)}`}
                </Text>
                {c.viaPersonName && (
                  <Text size="xs" c="dimmed">
                    {tc('fields.viaPerson')}: {c.viaPersonName}
                  </Text>
                )}
                {exposures(c)}
              </Stack>
            </Group>
          </Card>
        ))}
      </CardList>
    );
  const cols = [
    ...(onSelect ? [''] : []),
    tc('fields.level'),
    tc('fields.fullName'),
    tc('fields.phone'),
    tc('fields.unit'),
    ...(showCase ? [tc('fields.code')] : []),
    tc('fields.venues'),
    tc('fields.lastExposure'),
    tc('fields.order'),
    tc('fields.daysLeft'),
    tc('fields.status'),
  ];
  return (
    <DataTable testId="contacts-table" minWidth={1000} isEmpty={items.length === 0} emptyText={tc('contacts.empty')} columns={cols}>
      {items.map((c) => (
        <Table.Tr key={c.id} data-level={c.level}>
          {onSelect && (
            <Table.Td>
              <Checkbox aria-label={c.person.fullName} checked={selected?.has(c.id) ?? false} onChange={() => toggle(c.id)} />
            </Table.Td>
          )}
          <Table.Td>
            <Badge color={LEVEL_COLOR[c.level] ?? 'lime'} miw={38} style={{ overflow: 'visible' }}>
              F{c.level}
            </Badge>
          </Table.Td>
          <Table.Td>
            {c.person.fullName}
            {c.flagged && (
              <Badge ml={6} color="red" size="xs">
                {tc('contacts.flagged')}
              </Badge>
            )}
            {c.viaPersonName && (
              <Text size="xs" c="dimmed">
                {tc('fields.viaPerson')}: {c.viaPersonName}
              </Text>
            )}
          </Table.Td>
          <Table.Td>
            <PhoneLink phone={c.person.phone} />
          </Table.Td>
          <Table.Td>{c.unit?.name ?? '—'}</Table.Td>
          {showCase && <Table.Td>{c.caseCode}</Table.Td>}
          <Table.Td>{exposures(c)}</Table.Td>
          <Table.Td>{c.lastExposureAt ? fmt.dateTime(c.lastExposureAt) : '—'}</Table.Td>
          <Table.Td>{order(c)}</Table.Td>
          <Table.Td>{c.status === 'monitoring' ? c.daysLeft : '—'}</Table.Td>
          <Table.Td>{label('contactStatuses', c.status)}</Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}

/**
 * " · with N F1s — list": the exposure stores how many sources were present during the stay; the list of who they
 * were is read from the server when opened (jurisdiction-scoped and audited there).
 */
function SourcesLink({ contactId, exposureId, count, level, timeOf }: { contactId: string; exposureId: string; count: number; level: number; timeOf(iso: string): string }) {
  const tc = useCasesT();
  const [open, setOpen] = useState(false);
  const q = useExposureSources(contactId, exposureId, open);
  return (
    <>
      {' · '}
      {count === 1 ? tc('contacts.withSource', { level }) : tc('contacts.withSources', { n: count, level })}
      {' — '}
      <Popover opened={open} onChange={setOpen} width={320} position="bottom-start" shadow="md" withinPortal>
        <Popover.Target>
          <Anchor component="button" type="button" size="xs" onClick={() => setOpen((o) => !o)} data-testid={`sources-${exposureId}`}>
            {tc('contacts.list')}
          </Anchor>
        </Popover.Target>
        <Popover.Dropdown data-testid={`sources-list-${exposureId}`}>
          <Text size="xs" fw={600} mb={4}>
            {tc('contacts.sourcesTitle')}
          </Text>
          {q.isLoading && <Loader size="xs" />}
          {q.isError && (
            <Text size="xs" c="red">
              {(q.error as Error).message}
            </Text>
          )}
          {q.data?.items.map((x) => (
            <Text key={x.person.id} size="xs">
              F{x.level} {x.person.fullName}
              {x.from && x.to ? ` · ${timeOf(x.from)}–${timeOf(x.to)}` : ''}
              {x.overlapMinutes !== null ? ` · ${tc('contacts.minutes', { n: x.overlapMinutes })}` : ''}
            </Text>
          ))}
        </Popover.Dropdown>
      </Popover>
    </>
  );
}
