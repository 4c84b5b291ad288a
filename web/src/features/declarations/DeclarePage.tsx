import { Alert, Button, Group, Select, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { PageLoader } from '../../app/pages';
import { ErrorAlert } from '../../lib/errors';
import { useMyDependants, useMyPerson } from '../people/api';
import { useSubmitMine, type SubmitResponse } from './api';
import { DeclareBottom, Declared, DeclareTop, useDeclaring } from './DeclareParts';
import { useDeclT } from './i18n';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The signed-in citizen's health declaration, for themselves or a dependant (?for=<personId>, ?form=<key>,
 * ?venue=<venue QR token>). Without an account: PublicDeclarePage.
 */
export default function DeclarePage() {
  const td = useDeclT();
  const d = useDeclaring(useSearchParams());
  const me = useMyPerson();
  const deps = useMyDependants(!!me.data?.person);
  const [subject, setSubject] = useState<string | null>(d.params.get('for'));
  const [done, setDone] = useState<SubmitResponse['declaration'] | null>(null);
  const submit = useSubmitMine();

  if (me.isPending || d.forms.isPending) return <PageLoader />;
  if (me.isError) return <ErrorAlert error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data.person)
    return (
      <Alert color="blue" maw={560} title={td('navDeclare')}>
        <Stack gap="sm">
          <Text size="sm">{td('form.registerFirst')}</Text>
          <Button component={Link} to="/me" w="fit-content">
            {td('form.goRegister')}
          </Button>
        </Stack>
      </Alert>
    );

  const people = [{ value: me.data.person.id, label: `${td('form.myself')} — ${me.data.person.fullName}` }, ...(deps.data?.items ?? []).map((x) => ({ value: x.id, label: x.fullName }))];

  if (done)
    return (
      <Declared
        done={done}
        actions={
          <Group>
            <Button
              onClick={() => {
                setDone(null);
                d.setAnswers({});
                d.setErrors({});
              }}
            >
              {td('form.another')}
            </Button>
            <Button variant="light" component={Link} to="/me">
              {td('navMine')}
            </Button>
          </Group>
        }
      />
    );

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const personId = me.data.person!.id;
    const done = await d.submitWith({}, (content) =>
      submit.mutateAsync({ ...content, ...(subject && subject !== personId && UUID.test(subject) && { subjectPersonId: subject }) }),
    );
    if (done) setDone(done);
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md" maw={720}>
        <DeclareTop d={d} />
        {people.length > 1 && (
          <Select label={td('form.subject')} data={people} value={subject ?? me.data.person.id} onChange={setSubject} allowDeselect={false} maw={420} />
        )}
        <DeclareBottom d={d} busy={submit.isPending} />
      </Stack>
    </form>
  );
}
