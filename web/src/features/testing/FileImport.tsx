// A file upload with its template (lab results, sample lists): the summary of what was taken and every refused line
// (line number, column, why). Good lines are kept by the server; re-uploading the same file changes nothing.
import { Alert, Button, Card, FileInput, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert } from '../../lib/errors';
import { localizeFieldMessage } from '../../lib/fieldMessages';
import { useFormat } from '../../lib/format';
import { uploadFile, type ImportResult } from './api';
import { useTestingT } from './i18n';

export function ImportResultView({ r }: { r: ImportResult }) {
  const t = useTestingT();
  const fmt = useFormat();
  return (
    <Stack gap="xs" data-testid="import-result">
      <Alert color={r.errors.length ? 'yellow' : 'green'} p="xs">
        {t('lab.importSummary', { imported: fmt.number(r.imported), total: fmt.number(r.total), duplicates: fmt.number(r.duplicates), errors: fmt.number(r.errors.length) })}
        {r.corrected ? ` ${t('lab.importCorrected', { n: fmt.number(r.corrected) })}` : ''}
      </Alert>
      {r.errors.length > 0 && (
        <Table.ScrollContainer minWidth={420}>
          <Table striped verticalSpacing={4} data-testid="import-errors">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={70}>{t('lab.line')}</Table.Th>
                <Table.Th w={140}>{t('lab.column')}</Table.Th>
                <Table.Th>{t('lab.message')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {/* in file order (the server lists unreadable lines first) */}
              {[...r.errors].sort((a, b) => a.line - b.line).map((e, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{e.line}</Table.Td>
                  <Table.Td ff="monospace" fz="sm">
                    {e.path}
                  </Table.Td>
                  <Table.Td fz="sm">{localizeFieldMessage(e.message)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {r.errorsTruncated && (
        <Text size="sm" c="dimmed">
          {t('lab.errorsTruncated', { n: fmt.number(r.errors.length) })}
        </Text>
      )}
    </Stack>
  );
}

export function FileImport({ title, intro, columns, url, templateUrl, action, onDone }: { title: string; intro: string; columns: string; url: string; templateUrl: string; action: string; onDone?: () => void }) {
  const t = useTestingT();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await uploadFile(url, file));
      onDone?.();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={3} size="h4">
          {title}
        </Title>
        <Text size="sm">{intro}</Text>
        <Text size="xs" ff="monospace" c="dimmed">
          {columns}
        </Text>
        <Group>
          <Button component="a" href={templateUrl} download variant="light">
            {t('lab.template')}
          </Button>
        </Group>
        <FileInput label={t('lab.chooseFile')} accept=".xlsx,.csv" value={file} onChange={(f) => (setFile(f), setResult(null))} clearable />
        <Group>
          <Button disabled={!file} loading={busy} onClick={() => void run()}>
            {action}
          </Button>
        </Group>
        {result && <ImportResultView r={result} />}
        {error ? <ErrorAlert error={error} /> : null}
      </Stack>
    </Card>
  );
}
