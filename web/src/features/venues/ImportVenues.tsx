// Bulk import (/venues/import): venues from the Excel template or CSV, check-ins from other systems (CSV), with
// the rejected lines listed.
import { Alert, Anchor, Button, Card, FileInput, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { ImportResult } from '../../../../server/src/modules/venues/schema';
import { useAuth } from '../../app/auth';
import { ErrorAlert } from '../../lib/errors';
import { uploadFile } from './api';
import { useVenueTexts } from './texts';

function ImportResultView({ r }: { r: ImportResult }) {
  const { t } = useVenueTexts();
  return (
    <Stack gap="xs">
      <Alert color={r.errors.length ? 'yellow' : 'green'}>{t('imported', { imported: r.imported, total: r.total, duplicates: r.duplicates, errors: r.errors.length })}</Alert>
      {r.errors.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('line')}</Table.Th>
              <Table.Th>{t('column')}</Table.Th>
              <Table.Th>{t('message')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {r.errors.map((e, i) => (
              <Table.Tr key={i}>
                <Table.Td>{e.line}</Table.Td>
                <Table.Td>{e.path}</Table.Td>
                <Table.Td>{e.message}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

export function ImportVenues() {
  const { t } = useVenueTexts();
  const { can } = useAuth();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [checkinFile, setCheckinFile] = useState<File | null>(null);
  const [checkinResult, setCheckinResult] = useState<ImportResult | null>(null);
  const run = async (url: string, f: File, done: (r: ImportResult) => void) => {
    setBusy(true);
    setError(null);
    try {
      done(await uploadFile(url, f));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack maw={900}>
      <Anchor component={Link} to="/venues">
        {t('back')}
      </Anchor>
      <Title order={2}>{t('importExcel')}</Title>
      <Card withBorder>
        <Stack>
          <Text size="sm">code, name, type, commune_code, address, default_stay_minutes</Text>
          <Group>
            <Button component="a" href="/api/venues/template.xlsx" download variant="light">
              {t('template')}
            </Button>
          </Group>
          <FileInput label={t('chooseFile')} accept=".xlsx,.csv" value={file} onChange={setFile} clearable />
          <Group>
            <Button disabled={!file} loading={busy} onClick={() => file && void run('/api/venues/import', file, setResult)}>
              {t('importExcel')}
            </Button>
          </Group>
          {result && <ImportResultView r={result} />}
        </Stack>
      </Card>
      {can('checkins.import') && (
        <Card withBorder>
          <Stack>
            <Title order={4}>{t('checkins')} — CSV</Title>
            <Text size="sm">person_national_id, person_phone, person_name, venue_code, checkin_at, checkout_at</Text>
            <FileInput label={t('chooseFile')} accept=".xlsx,.csv" value={checkinFile} onChange={setCheckinFile} clearable />
            <Group>
              <Button disabled={!checkinFile} loading={busy} onClick={() => checkinFile && void run('/api/checkins/import', checkinFile, setCheckinResult)}>
                {t('importExcel')}
              </Button>
            </Group>
            {checkinResult && <ImportResultView r={checkinResult} />}
          </Stack>
        </Card>
      )}
      {error ? <ErrorAlert error={error} /> : null}
    </Stack>
  );
}
