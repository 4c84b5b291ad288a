import { Alert, Badge, Button, Card, Group, Modal, Stack, Table, Text, Textarea, Title, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { useAuth } from '../../app/auth';
import { DataTable } from '../../lib/DataTable';
import { ErrorAlert } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useArchiveForm, useConfigForms, useRules, useSwitchRule, useZones, type RuleView } from './api';
import { useDeclT, useLang } from './i18n';
import { SEVERITY_COLOR, severityLabel } from './labels';
import { SubPageHeader } from './SubPageHeader';

type Owner = { code: string; name: string } | null;

/** Badges and short values keep their whole text (the column widens, the table scrolls) instead of ending in "…". */
const NOWRAP = { whiteSpace: 'nowrap' } as const;
/** A badge's label is clipped with "…" by default, and a table then squeezes it to nothing: show all of it. */
const WHOLE_LABEL = { label: { overflow: 'visible' } } as const;

/** Who owns it: "National" or the unit's name. */
function OwnerBadge({ owner }: { owner: Owner }) {
  const td = useDeclT();
  return (
    <Badge variant="light" color={owner ? 'indigo' : 'gray'} styles={WHOLE_LABEL} data-testid="owner">
      {owner ? owner.name : td('config.national')}
    </Badge>
  );
}

/** A form's, rule's or zone list's name over its key. */
function NameCell({ name, code }: { name: string; code: string }) {
  return (
    <Table.Td>
      <Text size="sm" fw={500}>
        {name}
      </Text>
      <Text size="xs" c="dimmed" ff="monospace">
        {code}
      </Text>
    </Table.Td>
  );
}

/** Why a row cannot be changed by the caller (shown instead of the buttons). */
function ReadOnlyNote({ owner }: { owner: Owner }) {
  const td = useDeclT();
  return (
    <Text size="xs" c="dimmed">
      {owner ? td('config.readOnlyOther', { unit: owner.name }) : td('config.readOnlyNational')}
    </Text>
  );
}

function FormsCard() {
  const td = useDeclT();
  const lang = useLang();
  const fmt = useFormat();
  const forms = useConfigForms();
  const archive = useArchiveForm();
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        {td('config.forms')}
      </Title>
      {forms.isError && <ErrorAlert error={forms.error} onRetry={() => void forms.refetch()} />}
      {archive.isError && <ErrorAlert error={archive.error} />}
      <DataTable
        minWidth={720}
        testId="config-forms"
        columns={[td('config.name'), td('config.kind'), td('config.version'), td('config.owner'), td('config.state'), '']}
        emptyText={td('config.empty')}
        isEmpty={forms.data?.items.length === 0}
      >
        {forms.data?.items.map((f) => (
          <Table.Tr key={f.key} data-key={f.key}>
            <NameCell name={f.title[lang]} code={f.key} />
            <Table.Td fz="sm">{td(`config.kinds.${f.kind}`)}</Table.Td>
            <Table.Td fz="sm" style={NOWRAP}>
              {f.version} · {fmt.dateTime(f.updatedAt)}
            </Table.Td>
            <Table.Td style={NOWRAP}>
              <OwnerBadge owner={f.owner} />
            </Table.Td>
            <Table.Td style={NOWRAP}>
              <Badge variant="dot" color={f.archived ? 'gray' : 'teal'} styles={WHOLE_LABEL}>
                {f.archived ? td('config.archived') : td('config.inUse')}
              </Badge>
            </Table.Td>
            <Table.Td>
              {f.editable ? (
                <Button
                  size="compact-sm"
                  variant="light"
                  color={f.archived ? 'teal' : 'red'}
                  loading={archive.isPending && archive.variables?.key === f.key}
                  onClick={() => archive.mutate({ key: f.key, archived: !f.archived })}
                >
                  {f.archived ? td('config.unarchive') : td('config.archive')}
                </Button>
              ) : (
                <ReadOnlyNote owner={f.owner} />
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </Card>
  );
}

/** The rule's state where the caller works: applies, switched off by its owner, or switched off for this area (by whom, why). */
function RuleState({ rule }: { rule: RuleView }) {
  const td = useDeclT();
  if (!rule.active)
    return (
      <Badge variant="dot" color="gray" styles={WHOLE_LABEL}>
        {td('config.inactive')}
      </Badge>
    );
  return (
    <Stack gap={2}>
      <Badge variant="dot" color={rule.activeHere ? 'teal' : 'orange'} styles={WHOLE_LABEL}>
        {rule.activeHere ? td('config.active') : td('config.offHere')}
      </Badge>
      {rule.switchOffs.map((s) => (
        <Text key={s.unit.code} size="xs" c="dimmed">
          {td('config.switchedOffBy', { unit: s.unit.name, reason: s.reason })}
        </Text>
      ))}
    </Stack>
  );
}

function RulesCard() {
  const td = useDeclT();
  const lang = useLang();
  const { user, can } = useAuth();
  const rules = useRules();
  const switchRule = useSwitchRule();
  const [offFor, setOffFor] = useState<RuleView | null>(null);
  const [reason, setReason] = useState('');
  const me = user.jurisdiction;
  // a rule is switched off for one's own area; nationally, a rule's own "active" setting does it
  const mayToggle = can('declarations.forms') && me.level !== 'country';

  const close = () => {
    setOffFor(null);
    setReason('');
    switchRule.reset();
  };

  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        {td('config.rules')}
      </Title>
      {rules.isError && <ErrorAlert error={rules.error} onRetry={() => void rules.refetch()} />}
      {switchRule.isError && !offFor && <ErrorAlert error={switchRule.error} />}
      <DataTable
        minWidth={820}
        testId="config-rules"
        columns={[td('config.name'), td('config.severity'), td('config.owner'), td('config.here'), '']}
        emptyText={td('config.empty')}
        isEmpty={rules.data?.items.length === 0}
      >
        {rules.data?.items.map((r) => {
          const mineOff = r.switchOffs.some((s) => s.unit.code === me.code);
          return (
            <Table.Tr key={r.key} data-key={r.key}>
              <NameCell name={r.name[lang]} code={r.key} />
              <Table.Td style={NOWRAP}>
                <Badge color={SEVERITY_COLOR[r.severity]} variant="light" styles={WHOLE_LABEL}>
                  {severityLabel(td, r.severity)}
                </Badge>
              </Table.Td>
              <Table.Td style={NOWRAP}>
                <OwnerBadge owner={r.owner} />
              </Table.Td>
              <Table.Td>
                <RuleState rule={r} />
              </Table.Td>
              <Table.Td>
                <Stack gap={4} align="flex-start">
                  {mayToggle && r.active && mineOff && (
                    <Button
                      size="compact-sm"
                      variant="light"
                      color="teal"
                      loading={switchRule.isPending && switchRule.variables?.key === r.key}
                      onClick={() => switchRule.mutate({ key: r.key, body: { active: true } })}
                    >
                      {td('config.switchOn', { unit: me.name })}
                    </Button>
                  )}
                  {mayToggle && r.active && r.activeHere && (
                    <Button size="compact-sm" variant="light" color="orange" onClick={() => setOffFor(r)}>
                      {td('config.switchOff', { unit: me.name })}
                    </Button>
                  )}
                  {!r.editable && <ReadOnlyNote owner={r.owner} />}
                </Stack>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </DataTable>

      <Modal opened={!!offFor} onClose={close} title={offFor ? td('config.switchOffTitle', { name: offFor.name[lang], unit: me.name }) : ''} size="lg">
        <Stack gap="sm">
          <Alert color="orange" variant="light">
            {td('config.switchOffHelp')}
          </Alert>
          <Textarea label={td('config.reason')} required autosize minRows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-autofocus />
          {switchRule.isError && <ErrorAlert error={switchRule.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {td('config.cancel')}
            </Button>
            <Button
              color="orange"
              disabled={!reason.trim()}
              loading={switchRule.isPending}
              onClick={() => offFor && switchRule.mutate({ key: offFor.key, body: { active: false, reason: reason.trim() } }, { onSuccess: close })}
            >
              {td('config.confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

function ZonesCard() {
  const td = useDeclT();
  const lang = useLang();
  const zones = useZones();
  if (!zones.data?.items.length) return null;
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        {td('config.zones')}
      </Title>
      <DataTable minWidth={520} testId="config-zones" columns={[td('config.name'), td('config.owner'), '']} emptyText={td('config.empty')} isEmpty={false}>
        {zones.data.items.map((z) => (
          <Table.Tr key={z.key}>
            <NameCell name={z.name[lang]} code={z.key} />
            <Table.Td style={NOWRAP}>
              <OwnerBadge owner={z.owner} />
            </Table.Td>
            <Table.Td>
              <Tooltip label={z.codes.join(', ') || '—'} multiline maw={360} withinPortal>
                <Text size="sm" c="dimmed">
                  {td('config.codes', { count: z.codes.length })}
                </Text>
              </Tooltip>
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </Card>
  );
}

/** /declarations/config: forms, risk rules and zone lists with their owners; switch a rule off for one's own area. */
export default function ConfigPage() {
  const td = useDeclT();
  return (
    <Stack gap="md">
      <SubPageHeader title={td('config.title')} />
      <RulesCard />
      <FormsCard />
      <ZonesCard />
    </Stack>
  );
}
