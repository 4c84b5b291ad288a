// Declaring without an account (/khai-bao, ?venue=<venue QR token>): what most citizens use, from the link on the
// check-in page of a venue or medical facility, or typed in. The person's details and the answers go together to
// POST /api/public/declarations; the venue (when given) is named by its signed QR, and its unit follows up.
import { Alert, Button, Card, Container, Group, NumberInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { LanguageSwitch } from '../../app/LanguageSwitch';
import { useUrlSearchParams } from '../../lib/urlParams';
import { CommunePicker } from '../people/CommunePicker';
import { usePeopleT } from '../people/i18n';
import { useSubmitPublic, type SubmitResponse } from './api';
import { DeclareBottom, Declared, DeclareTop, useDeclaring } from './DeclareParts';
import { useDeclT } from './i18n';
import { LAST_KEY, load, PEOPLE_KEY, type LastCheckin, type StoredPerson } from '../../checkin/storage';

interface Who {
  fullName: string;
  phone: string;
  birthYear: number | '';
  communeCode: string | null;
}
const nobody: Who = { fullName: '', phone: '', birthYear: '', communeCode: null };

interface Known extends Who {
  token: string;
  communeName: string | null;
}

/**
 * The people of the last check-in on this phone (the check-in page keeps them, with what was typed for them): the
 * declaration that follows a check-in starts from their details instead of asking them again.
 */
function checkedInPeople(): Known[] {
  const last = load<LastCheckin | null>(LAST_KEY, null);
  const stored = load<StoredPerson[]>(PEOPLE_KEY, []);
  if (!last?.people?.length) return [];
  return last.people.flatMap((p) => {
    const d = stored.find((s) => s.token === p.token)?.details;
    if (!d) return [];
    return [{ token: p.token, fullName: p.name, phone: d.phone, birthYear: d.birthYear, communeCode: d.commune.code, communeName: d.commune.name }];
  });
}

export default function PublicDeclarePage() {
  const td = useDeclT();
  const tp = usePeopleT();
  const d = useDeclaring(useUrlSearchParams());
  const [known] = useState(checkedInPeople);
  const [picked, setPicked] = useState(known[0]?.token ?? null);
  const [who, setWho] = useState<Who>(() => known[0] ?? nobody);
  const pick = (k: Known) => {
    setPicked(k.token);
    setWho(k);
    for (const f of ['fullName', 'phone', 'birthYear', 'communeCode']) d.clearError(`person.${f}`);
  };
  const [done, setDone] = useState<SubmitResponse['declaration'] | null>(null);
  const submit = useSubmitPublic();

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const missing = (['fullName', 'phone', 'birthYear', 'communeCode'] as const).filter((k) => who[k] === '' || who[k] === null);
    const done = await d.submitWith(Object.fromEntries(missing.map((k) => [`person.${k}`, td('form.required')])), (content) =>
      submit.mutateAsync({
        ...content,
        person: { fullName: who.fullName.trim(), phone: who.phone.trim(), birthYear: Number(who.birthYear), communeCode: who.communeCode! },
      }),
    );
    if (done) setDone(done);
  };

  const errors = d.errors;
  /** Changes one of the person's details, and takes its "required"/"not valid" mark away. */
  const set = <K extends keyof Who>(key: K, value: Who[K]) => {
    setWho((w) => ({ ...w, [key]: value }));
    d.clearError(`person.${key}`);
  };
  return (
    <Container size={720} py="md" px="sm">
      <Group justify="flex-end">
        <LanguageSwitch compact />
      </Group>
      {done ? (
        <Declared done={done} />
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <Stack gap="md">
            <DeclareTop d={d} />
            <Card withBorder p="md">
              {known.length > 0 && (
                <Stack gap="xs" mb="sm">
                  <Alert color="teal" p="xs">
                    {td('form.prefilled')}
                  </Alert>
                  {known.length > 1 && (
                    <Group gap="xs" aria-label={td('form.declareFor')} role="group">
                      <Text size="sm">{td('form.declareFor')}:</Text>
                      {known.map((k) => (
                        <Button key={k.token} size="compact-sm" variant={k.token === picked ? 'filled' : 'light'} aria-pressed={k.token === picked} onClick={() => pick(k)}>
                          {k.fullName}
                        </Button>
                      ))}
                    </Group>
                  )}
                </Stack>
              )}
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput label={tp('fullName')} required autoComplete="name" value={who.fullName} onChange={(e) => set('fullName', e.currentTarget.value)} error={errors['person.fullName']} />
                <TextInput label={tp('phone')} required type="tel" autoComplete="tel" value={who.phone} onChange={(e) => set('phone', e.currentTarget.value)} error={errors['person.phone']} />
                <NumberInput label={tp('birthYear')} required min={1900} max={new Date().getFullYear()} value={who.birthYear} onChange={(v) => set('birthYear', typeof v === 'number' ? v : '')} error={errors['person.birthYear']} />
                <CommunePicker key={picked ?? ''} label={tp('commune')} required value={who.communeCode} initialLabel={known.find((k) => k.token === picked)?.communeName ?? null} onChange={(code) => set('communeCode', code)} error={errors['person.communeCode']} />
              </SimpleGrid>
            </Card>
            <DeclareBottom d={d} busy={submit.isPending} />
          </Stack>
        </form>
      )}
    </Container>
  );
}
