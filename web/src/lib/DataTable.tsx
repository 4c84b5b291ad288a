import { Group, Pagination, Stack, Table, Text, type GroupProps, type TableThProps } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from './format';

/** A header cell: its label, or its label with the props of its `Table.Th`. */
export type DataTableColumn = string | ({ label: string } & Omit<TableThProps, 'children'>);

/**
 * The list pages' table: a scrolling container, one header row, a dimmed line across
 * every column when there is nothing to show, then the rows the page renders as children.
 */
export function DataTable({
  columns,
  minWidth,
  testId,
  emptyText,
  isEmpty,
  striped = true,
  children,
}: {
  columns: DataTableColumn[];
  minWidth: number;
  testId: string;
  emptyText: string;
  isEmpty: boolean;
  striped?: boolean;
  children: ReactNode;
}) {
  return (
    // an empty table needs none of its columns' width: on a phone its "nothing to show" would sit off screen
    <Table.ScrollContainer minWidth={isEmpty ? 0 : minWidth}>
      <Table striped={striped} highlightOnHover verticalSpacing="xs" data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c, i) => {
              const { label, ...props } = typeof c === 'string' ? { label: c } : c;
              return (
                <Table.Th key={i} {...props}>
                  {label}
                </Table.Th>
              );
            })}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {isEmpty && (
            <Table.Tr>
              <Table.Td colSpan={columns.length}>
                {/* held at the left of what the screen shows, at most a screen wide: a phone sees it however wide the columns */}
                <Text c="dimmed" ta="center" size="sm" py="md" style={{ position: 'sticky', left: 0, maxWidth: 'calc(100vw - 2rem)' }}>
                  {emptyText}
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {children}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Under a paged list: which rows of how many are shown, and the page buttons when there is more than one page. */
export function Pager({
  page,
  pageSize,
  total,
  onChange,
  gap,
}: {
  page: number;
  pageSize: number;
  total: number;
  onChange(page: number): void;
  gap?: GroupProps['gap'];
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <Group justify="space-between" gap={gap}>
      <Text size="xs" c="dimmed">
        {total > 0 &&
          t('common.rangeSummary', {
            from: fmt.number((page - 1) * pageSize + 1),
            to: fmt.number(Math.min(page * pageSize, total)),
            total: fmt.number(total),
          })}
      </Text>
      {pages > 1 && <Pagination size="sm" total={pages} value={page} onChange={onChange} />}
    </Group>
  );
}

/** DataTable's phone form: a stack of cards (the page renders them as children), a dimmed line when there are none. */
export function CardList({ testId, emptyText, isEmpty, children }: { testId: string; emptyText: string; isEmpty: boolean; children: ReactNode }) {
  return (
    <Stack gap="xs" data-testid={testId}>
      {isEmpty && (
        <Text c="dimmed" ta="center" size="sm" py="md">
          {emptyText}
        </Text>
      )}
      {children}
    </Stack>
  );
}
