import { Badge, Button, Card, Flex, Group, Modal, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { DataTable, Pager } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { roleLabel } from '../../lib/labels';
import { usePhone } from '../../lib/media';
import { ROLES } from '../../lib/types';
import { USERS_PAGE_SIZE, useUpdateUser, useUsers, type UserItem } from './api';
import { UserFormModal } from './UserFormModal';
import { TokensModal } from './TokensModal';

export default function UsersPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { user: me } = useAuth();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [role, setRole] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  // undefined = closed, null = create, user = edit
  const [editing, setEditing] = useState<UserItem | null | undefined>(undefined);
  const [confirmDisable, setConfirmDisable] = useState<UserItem | null>(null);
  const [tokensOf, setTokensOf] = useState<UserItem | null>(null);

  const list = useUsers(q, role, page);
  const update = useUpdateUser();
  const total = list.data?.total ?? 0;

  const phone = usePhone();
  const setDisabled = (u: UserItem, disabled: boolean) =>
    update.mutate({ id: u.id, patch: { disabled } }, { onSettled: () => setConfirmDisable(null) });

  const actions = (u: UserItem) => (
    <>
      <Button size="compact-sm" variant="light" onClick={() => setEditing(u)}>
        {t('common.edit')}
      </Button>
      <Button size="compact-sm" variant="light" color="gray" onClick={() => setTokensOf(u)}>
        API
      </Button>
      {/* The server refuses to disable oneself; do not offer it. */}
      {u.id !== me.id &&
        (u.disabled ? (
          <Button
            size="compact-sm"
            variant="light"
            color="teal"
            loading={update.isPending && update.variables.id === u.id}
            onClick={() => setDisabled(u, false)}
          >
            {t('users.enable')}
          </Button>
        ) : (
          <Button size="compact-sm" variant="light" color="red" onClick={() => setConfirmDisable(u)}>
            {t('users.disable')}
          </Button>
        ))}
    </>
  );

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('users.title')}
        </Title>
        <Button onClick={() => setEditing(null)}>{t('users.create')}</Button>
      </Group>

      <Flex gap="sm" direction={{ base: 'column', xs: 'row' }}>
        <TextInput
          style={{ flex: 1 }}
          type="search"
          placeholder={t('users.searchPlaceholder')}
          aria-label={t('users.searchPlaceholder')}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage(1);
          }}
        />
        <Select
          aria-label={t('users.roleFilter')}
          placeholder={t('users.allRoles')}
          data={ROLES.map((r) => ({ value: r, label: roleLabel(t, r) }))}
          value={role}
          onChange={(v) => {
            setRole(v);
            setPage(1);
          }}
          clearable
          w={{ base: '100%', xs: 260 }}
        />
      </Flex>

      {update.isError && <ErrorAlert error={update.error} />}
      {list.isError && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}

      {phone ? (
        <Stack gap="xs" data-testid="users-cards">
          {list.data?.items.length === 0 && (
            <Text c="dimmed" ta="center" size="sm" py="md">
              {t('users.noUsers')}
            </Text>
          )}
          {list.data?.items.map((u) => (
            <Card key={u.id} withBorder radius="md" p="sm" data-username={u.username}>
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <div style={{ minWidth: 0 }}>
                  <Text fw={600} truncate>
                    {u.displayName}
                  </Text>
                  <Text size="sm" c="dimmed" ff="monospace" truncate>
                    {u.username}
                    {u.id === me.id && ` (${t('users.you')})`}
                  </Text>
                </div>
                <StatusBadge disabled={u.disabled} />
              </Group>
              <Text size="sm" mt={6}>
                {roleLabel(t, u.role)} · {u.jurisdiction.name}{' '}
                <Text span c="dimmed" size="xs">
                  {u.jurisdiction.code}
                </Text>
              </Text>
              <Text size="xs" c="dimmed">
                {t('users.lastLogin')}: {u.lastLoginAt ? fmt.dateTime(u.lastLoginAt) : t('users.never')}
              </Text>
              <Group mt="xs" gap={6}>
                {actions(u)}
              </Group>
            </Card>
          ))}
        </Stack>
      ) : (
        <DataTable
          minWidth={820}
          testId="users-table"
          columns={[
            t('users.username'),
            t('users.displayName'),
            t('users.role'),
            t('users.jurisdiction'),
            t('users.status'),
            t('users.lastLogin'),
            t('common.actions'),
          ]}
          emptyText={t('users.noUsers')}
          isEmpty={list.data?.items.length === 0}
        >
          {list.data?.items.map((u) => (
            <Table.Tr key={u.id} data-username={u.username}>
              <Table.Td ff="monospace" fz="sm">
                {u.username}
                {u.id === me.id && (
                  <Text span c="dimmed" size="xs" ff="body">
                    {' '}
                    ({t('users.you')})
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{u.displayName}</Table.Td>
              <Table.Td>{roleLabel(t, u.role)}</Table.Td>
              <Table.Td>
                {u.jurisdiction.name}{' '}
                <Text span c="dimmed" size="xs">
                  {u.jurisdiction.code}
                </Text>
              </Table.Td>
              <Table.Td>
                <StatusBadge disabled={u.disabled} />
              </Table.Td>
              <Table.Td fz="sm">{u.lastLoginAt ? fmt.dateTime(u.lastLoginAt) : t('users.never')}</Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  {actions(u)}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}

      <Pager page={page} pageSize={USERS_PAGE_SIZE} total={total} onChange={setPage} />

      {tokensOf && <TokensModal user={tokensOf} own={tokensOf.id === me.id} permissions={me.permissions} onClose={() => setTokensOf(null)} />}

      {editing !== undefined && (
        <UserFormModal key={editing?.id ?? 'new'} user={editing} onClose={() => setEditing(undefined)} />
      )}

      <Modal
        opened={confirmDisable !== null}
        onClose={() => setConfirmDisable(null)}
        title={t('users.confirmDisableTitle')}
      >
        <Stack>
          <Text size="sm">{t('users.confirmDisable', { username: confirmDisable?.username ?? '' })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmDisable(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              color="red"
              loading={update.isPending}
              onClick={() => confirmDisable && setDisabled(confirmDisable, true)}
            >
              {t('users.disable')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function StatusBadge({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  return (
    <Badge color={disabled ? 'gray' : 'teal'} variant="light">
      {disabled ? t('users.disabled') : t('users.active')}
    </Badge>
  );
}
