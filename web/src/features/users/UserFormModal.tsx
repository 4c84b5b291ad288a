import { Alert, Button, Group, Modal, PasswordInput, Select, Stack, Text, TextInput, type ComboboxItem } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { isApiError } from '../../lib/api';
import { useErrorMessage } from '../../lib/errors';
import { levelLabel, roleLabel, useUnitName } from '../../lib/labels';
import { useNarrow } from '../../lib/media';
import { isRole, type Role } from '../../lib/types';
import { useCreateUser, useJurisdictionLookup, useRoles, useUpdateUser, type UpdateUserBody, type UserItem } from './api';

type Field = 'username' | 'displayName' | 'password' | 'role' | 'jurisdictionCode';
type Errors = Partial<Record<Field, string>>;

interface Props {
  /** null = create a new user. */
  user: UserItem | null;
  onClose(): void;
}

export function UserFormModal({ user, onClose }: Props) {
  const { t } = useTranslation();
  const { can, user: me } = useAuth();
  const errorMessage = useErrorMessage();
  const isMobile = useNarrow();
  const unitName = useUnitName();
  const create = useCreateUser();
  const update = useUpdateUser();
  const roles = useRoles();

  const [username, setUsername] = useState(user?.username ?? '');
  const [displayName, setDisplayName] = useState(user?.displayName ?? '');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role | null>(user && isRole(user.role) ? user.role : null);
  const [jurisdictionCode, setJurisdictionCode] = useState(user?.jurisdiction.code ?? '');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);

  const [debouncedCode] = useDebouncedValue(jurisdictionCode.trim(), 400);
  const lookup = useJurisdictionLookup(debouncedCode, can('geo.read'));
  let jurisdictionDescription: ReactNode = t('users.jurisdictionHint');
  if (debouncedCode && lookup.data) {
    const u = lookup.data.unit;
    jurisdictionDescription = (
      <Text span size="xs" c="teal.8" data-testid="jurisdiction-found">
        ✓ {unitName(u)} · {levelLabel(t, u.level)}
      </Text>
    );
  } else if (debouncedCode && isApiError(lookup.error) && lookup.error.status === 404) {
    jurisdictionDescription = (
      <Text span size="xs" c="orange.8">
        {t('users.jurisdictionUnknown')}
      </Text>
    );
  }

  const busy = create.isPending || update.isPending;
  // The server refuses changes to one's own role, jurisdiction or status.
  const self = user !== null && user.id === me.id;

  // Offer only the roles this manager may grant. An edited user whose current role is not one of them keeps it,
  // shown but locked: the server lets no one change a user of a role they may not grant.
  const currentRole = user?.role ?? null;
  const roleOptions = useMemo(() => {
    const list = roles.data ?? [];
    const options: ComboboxItem[] = list
      .filter((r) => r.assignable || r.role === currentRole)
      .map((r) => ({ value: r.role, label: roleLabel(t, r.role), disabled: !r.assignable }));
    if (currentRole && !list.some((r) => r.role === currentRole))
      options.unshift({ value: currentRole, label: roleLabel(t, currentRole), disabled: true });
    return options;
  }, [roles.data, currentRole, t]);
  const currentRoleLocked =
    currentRole !== null && roles.data !== undefined && !roles.data.some((r) => r.role === currentRole && r.assignable);
  let roleDescription: string | undefined;
  if (self) roleDescription = t('users.selfLocked');
  else if (currentRoleLocked) roleDescription = t('users.roleNotAssignable');

  function validate(): Errors {
    const errs: Errors = {};
    const req = t('common.required');
    if (!user && !username.trim()) errs.username = req;
    if (!displayName.trim()) errs.displayName = req;
    if (!user && !password) errs.password = req;
    if (!role) errs.role = req;
    if (!jurisdictionCode.trim()) errs.jurisdictionCode = req;
    return errs;
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const errs = validate();
    setErrors(errs);
    if (Object.keys(errs).length > 0 || !role) return;
    try {
      if (!user) {
        await create.mutateAsync({
          username: username.trim(),
          displayName: displayName.trim(),
          password,
          role,
          jurisdictionCode: jurisdictionCode.trim(),
        });
      } else {
        const patch: UpdateUserBody = {};
        if (displayName.trim() !== user.displayName) patch.displayName = displayName.trim();
        if (role !== user.role) patch.role = role;
        if (jurisdictionCode.trim() !== user.jurisdiction.code) patch.jurisdictionCode = jurisdictionCode.trim();
        if (password) patch.password = password;
        if (Object.keys(patch).length > 0) await update.mutateAsync({ id: user.id, patch });
      }
      onClose();
    } catch (err) {
      if (isApiError(err)) {
        const fields = err.fieldErrors();
        const known: Errors = {};
        const other: string[] = [];
        for (const [k, msg] of Object.entries(fields)) {
          if (isField(k)) known[k] = msg;
          else other.push(msg);
        }
        // The one conflict users meet: say it in the UI language.
        if (err.status === 409 && known.username) known.username = t('users.usernameTaken');
        setErrors(known);
        // Show the overall message unless every detail landed on a field.
        if (Object.keys(known).length === 0 || other.length > 0) setFormError(errorMessage(err));
      } else {
        setFormError(errorMessage(err));
      }
    }
  }

  return (
    <Modal
      opened
      onClose={onClose}
      title={user ? t('users.editTitle', { username: user.username }) : t('users.createTitle')}
      fullScreen={isMobile}
      size="md"
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm">
          {formError && (
            <Alert color="red" role="alert">
              {formError}
            </Alert>
          )}
          <TextInput
            label={t('users.username')}
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
            error={errors.username}
            disabled={user !== null}
            withAsterisk={!user}
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            autoComplete="off"
            data-autofocus={!user || undefined}
          />
          <TextInput
            label={t('users.displayName')}
            value={displayName}
            onChange={(e) => setDisplayName(e.currentTarget.value)}
            error={errors.displayName}
            withAsterisk
            autoComplete="off"
          />
          <PasswordInput
            label={user ? t('users.newPassword') : t('users.password')}
            description={user ? t('users.newPasswordHint') : undefined}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.password}
            withAsterisk={!user}
            autoComplete="new-password"
          />
          <Select
            label={t('users.role')}
            data={roleOptions}
            value={role}
            onChange={(v) => setRole(v !== null && isRole(v) ? v : null)}
            error={errors.role ?? (roles.isError ? errorMessage(roles.error) : undefined)}
            withAsterisk
            allowDeselect={false}
            searchable
            disabled={self || currentRoleLocked || roles.isPending}
            placeholder={roles.isPending ? t('common.loading') : undefined}
            description={roleDescription}
            comboboxProps={{ withinPortal: true }}
            data-testid="user-role"
          />
          <TextInput
            label={t('users.jurisdictionCode')}
            description={jurisdictionDescription}
            value={jurisdictionCode}
            onChange={(e) => setJurisdictionCode(e.currentTarget.value)}
            error={errors.jurisdictionCode}
            withAsterisk
            inputMode="numeric"
            autoComplete="off"
            disabled={self}
            inputWrapperOrder={['label', 'input', 'description', 'error']}
          />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={busy}>
              {user ? t('common.save') : t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function isField(k: string): k is Field {
  return ['username', 'displayName', 'password', 'role', 'jurisdictionCode'].includes(k);
}
