// API tokens of one account (users page): list with scopes, last use and expiry; revoke. One's own account may also
// create a token here (shown once). Tokens expire (90 days by default) and are revoked with a password reset.
import { Alert, Badge, Button, Code, Group, Modal, NumberInput, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TokenItem } from '../../../../server/src/platform/auth/schema';
import { api } from '../../lib/api';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import type { UserItem } from './api';

export function TokensModal({ user, own, permissions, onClose }: { user: UserItem; own: boolean; permissions: readonly string[]; onClose(): void }) {
  const { t } = useTranslation();
  const tx = t('users.tokens', { returnObjects: true });
  const fmt = useFormat();
  const client = useQueryClient();
  const key = ['users', 'tokens', user.id];
  const list = useQuery({ queryKey: key, queryFn: ({ signal }) => api.get<{ items: TokenItem[] }>('/api/auth/tokens', { userId: user.id }, signal) });
  const revoke = useMutation({ mutationFn: (id: string) => api.delete(`/api/auth/tokens/${id}`), onSuccess: () => client.invalidateQueries({ queryKey: key }) });
  const [name, setName] = useState('');
  const [readOnly, setReadOnly] = useState(true);
  const [days, setDays] = useState<number | string>(90);
  const create = useMutation({
    mutationFn: () =>
      api.post<{ token: string }>('/api/auth/tokens', { name: name.trim(), scopes: readOnly ? ['read'] : ['read', ...permissions.filter((p) => !p.endsWith('.read'))], expiresInDays: Number(days) }),
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
  return (
    <Modal opened onClose={onClose} title={`${tx.title} ${user.username}`} size="xl">
      <Stack>
        {list.isError && <ErrorAlert error={list.error} />}
        {revoke.isError && <ErrorAlert error={revoke.error} />}
        {list.data?.items.length === 0 && <Text c="dimmed">{tx.none}</Text>}
        {!!list.data?.items.length && (
          <Table withTableBorder verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{tx.name}</Table.Th>
                <Table.Th>{tx.scopes}</Table.Th>
                <Table.Th>{tx.lastUsed}</Table.Th>
                <Table.Th>{tx.expires}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((tok) => (
                <Table.Tr key={tok.id} data-token-name={tok.name}>
                  <Table.Td>{tok.name}</Table.Td>
                  <Table.Td fz="xs">{tok.scopes.join(', ')}</Table.Td>
                  <Table.Td fz="sm">{tok.lastUsedAt ? fmt.dateTime(tok.lastUsedAt) : tx.never}</Table.Td>
                  <Table.Td fz="sm">{fmt.dateTime(tok.expiresAt)}</Table.Td>
                  <Table.Td>
                    {tok.active ? (
                      <Button size="compact-sm" variant="light" color="red" loading={revoke.isPending && revoke.variables === tok.id} onClick={() => revoke.mutate(tok.id)}>
                        {tx.revoke}
                      </Button>
                    ) : (
                      <Badge color="gray" variant="light">
                        {tx.inactive}
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {own && (
          <Stack gap="xs">
            {create.isError && <ErrorAlert error={create.error} />}
            {create.data && (
              <Alert color="teal" title={tx.shownOnce}>
                <Code block>{create.data.token}</Code>
              </Alert>
            )}
            <Group align="flex-end">
              <TextInput label={tx.name} value={name} maxLength={100} onChange={(e) => setName(e.currentTarget.value)} />
              <NumberInput label={tx.days} value={days} onChange={setDays} min={1} max={365} w={140} />
              <Switch label={tx.readOnly} description={tx.readOnlyHint} checked={readOnly} onChange={(e) => setReadOnly(e.currentTarget.checked)} />
              <Button disabled={!name.trim()} loading={create.isPending} onClick={() => create.mutate()}>
                {tx.create}
              </Button>
            </Group>
          </Stack>
        )}
      </Stack>
    </Modal>
  );
}
