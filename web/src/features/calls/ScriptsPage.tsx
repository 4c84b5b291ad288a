import { Alert, Button, Group, List, Paper, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useAuth } from '../../app/auth';
import { ErrorAlert } from '../../lib/errors';
import { checkScript, previewAudio, useSaveScript, useScripts, type ScriptJson } from './api';
import { CallsNav } from './CallsNav';
import { useCallsT, useScriptLabel } from './i18n';

type Problem = { path: string; message: string };

/** The script editor: the script as JSON, checked by the server (problems name the state), prompts played back. */
export default function ScriptsPage() {
  const t = useCallsT();
  const scriptLabel = useScriptLabel();
  const { user, can } = useAuth();
  const scripts = useScripts();
  const save = useSaveScript();
  const [id, setId] = useState<string | null>(null);
  const [unitCode, setUnit] = useState(user.jurisdiction.code);
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [playing, setPlaying] = useState<string | null>(null);

  useEffect(() => {
    const s = scripts.data?.items.find((x) => x.id === id) ?? (id === null ? scripts.data?.items[0] : undefined);
    if (s && id === null) setId(s.id);
    if (s) {
      setText(JSON.stringify(s.script, null, 2));
      setUnit(s.unitCode);
      setProblems(null);
    }
  }, [id, scripts.data]);

  let parsed: ScriptJson | null = null;
  try {
    parsed = text ? (JSON.parse(text) as ScriptJson) : null;
  } catch {
    parsed = null;
  }
  const parse = (): ScriptJson | null => {
    try {
      setParseError(null);
      return JSON.parse(text) as ScriptJson;
    } catch (e) {
      setParseError(t('editor.badJson', { message: (e as Error).message }));
      return null;
    }
  };
  const check = async () => {
    const s = parse();
    if (s) setProblems((await checkScript(s)).problems);
  };
  const play = async (state: string, prompt: string) => {
    if (!parsed) return;
    setPlaying(state);
    try {
      const blob = await previewAudio(prompt, parsed.language, parsed.voice);
      const audio = new Audio(URL.createObjectURL(blob));
      audio.onended = () => setPlaying(null);
      await audio.play();
    } catch {
      setPlaying(null);
    }
  };

  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('editor.title')}
      </Title>
      <CallsNav />
      <Group align="flex-end">
        <Select label={t('scripts')} data={[...(scripts.data?.items ?? []).map((s) => ({ value: s.id, label: scriptLabel({ name: s.name, title: s.script.title, language: s.language }) })), { value: 'new', label: t('editor.new') }]} value={id} onChange={(v) => (v === 'new' ? (setId('new'), setText('')) : setId(v))} w={320} />
        <TextInput label={t('editor.unit')} value={unitCode} onChange={(e) => setUnit(e.currentTarget.value)} w={140} />
      </Group>
      <Group align="flex-start" grow>
        <Textarea label={t('editor.json')} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={18} maxRows={30} styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }} data-testid="script-json" />
        <Paper withBorder p="sm">
          <Text fw={600} mb="xs">
            {t('editor.states')}
          </Text>
          <Stack gap={6} data-testid="script-states">
            {parsed?.states &&
              Object.entries(parsed.states).map(([name, s]) => (
                <Group key={name} gap="xs" wrap="nowrap" align="flex-start">
                  <Button size="compact-xs" variant="light" disabled={!('text' in s) || !s.text || playing !== null} onClick={() => 'text' in s && s.text && play(name, s.text)} aria-label={`${t('editor.preview')} ${name}`}>
                    {playing === name ? '…' : '▶'}
                  </Button>
                  <Text size="xs">
                    <b>{name}</b> ({s.kind}) {'text' in s ? s.text : ''}
                  </Text>
                </Group>
              ))}
          </Stack>
        </Paper>
      </Group>
      {parseError && <Alert color="red">{parseError}</Alert>}
      {problems && problems.length === 0 && <Alert color="green">{t('editor.ok')}</Alert>}
      {problems && problems.length > 0 && (
        <Alert color="red" data-testid="script-problems">
          <List size="sm">
            {problems.map((p) => (
              <List.Item key={p.path + p.message}>
                <code>{p.path}</code>: {p.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      {save.isError && <ErrorAlert error={save.error} />}
      {save.isSuccess && <Alert color="green">{t('editor.saved')}</Alert>}
      <Group>
        <Button variant="default" onClick={check}>
          {t('editor.check')}
        </Button>
        {can('calls.manage') && (
          <Button
            loading={save.isPending}
            onClick={() => {
              const s = parse();
              if (s) save.mutate({ id: id && id !== 'new' ? id : undefined, unitCode, script: s });
            }}
          >
            {t('editor.save')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}
