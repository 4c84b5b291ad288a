// Declaring without an account (/khai-bao, ?venue=<venue QR token>): what most citizens use, from the link on the
// check-in page of a venue or medical facility, or typed in. The person's details and the answers go together to
// POST /api/public/declarations; the venue (when given) is named by its signed QR, and its unit follows up.
import { Card, Container, Group, NumberInput, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { LanguageSwitch } from '../../app/LanguageSwitch';
import { useUrlSearchParams } from '../../lib/urlParams';
import { CommunePicker } from '../people/CommunePicker';
import { usePeopleT } from '../people/i18n';
import { useSubmitPublic, type SubmitResponse } from './api';
import { DeclareBottom, Declared, DeclareTop, useDeclaring } from './DeclareParts';
import { useDeclT } from './i18n';

interface Who {
  fullName: string;
  phone: string;
  birthYear: number | '';
  communeCode: string | null;
}
const nobody: Who = { fullName: '', phone: '', birthYear: '', communeCode: null };

export default function PublicDeclarePage() {
  const td = useDeclT();
  const tp = usePeopleT();
  const d = useDeclaring(useUrlSearchParams());
  const [who, setWho] = useState<Who>(nobody);
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
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput label={tp('fullName')} required autoComplete="name" value={who.fullName} onChange={(e) => setWho({ ...who, fullName: e.currentTarget.value })} error={errors['person.fullName']} />
                <TextInput label={tp('phone')} required type="tel" autoComplete="tel" value={who.phone} onChange={(e) => setWho({ ...who, phone: e.currentTarget.value })} error={errors['person.phone']} />
                <NumberInput label={tp('birthYear')} required min={1900} max={new Date().getFullYear()} value={who.birthYear} onChange={(v) => setWho({ ...who, birthYear: typeof v === 'number' ? v : '' })} error={errors['person.birthYear']} />
                <CommunePicker label={tp('commune')} required value={who.communeCode} onChange={(code) => setWho({ ...who, communeCode: code })} error={errors['person.communeCode']} />
              </SimpleGrid>
            </Card>
            <DeclareBottom d={d} busy={submit.isPending} />
          </Stack>
        </form>
      )}
    </Container>
  );
}
