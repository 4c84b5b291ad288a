import { Alert, Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { VenuePublic } from '../../../../server/src/modules/venues/schema';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { PageLoader } from '../../app/pages';
import { api, isApiError } from '../../lib/api';
import { ErrorAlert, useErrorMessage } from '../../lib/errors';
import { useMyDependants, useMyPerson } from '../people/api';
import { useForm, useForms, useSubmitMine, type Answers, type SubmitResponse } from './api';
import { answerErrors, cleanAnswers, DeclarationForm, missingRequired } from './DeclarationForm';
import { useDeclT, useLang } from './i18n';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The signed-in citizen's health declaration, for themselves or a dependant (?for=<personId>, ?form=<key>). */
export default function DeclarePage() {
  const td = useDeclT();
  const lang = useLang();
  const errorMessage = useErrorMessage();
  const [params, setParams] = useSearchParams();
  const me = useMyPerson();
  const deps = useMyDependants(!!me.data?.person);
  const forms = useForms();
  // ?venue=<venue QR token>: declaring at a venue or medical facility (its poster's QR); its unit follows up
  const venueToken = params.get('venue');
  const defaultKind = venueToken ? 'venue' : 'domestic';
  const venue = useQuery({
    queryKey: ['checkin-venue', venueToken],
    queryFn: ({ signal }) => api.get<VenuePublic>(`/api/checkin/venue/${venueToken}`, undefined, signal),
    enabled: !!venueToken,
    retry: false,
  });
  const formKey = params.get('form') ?? forms.data?.items.find((f) => f.kind === defaultKind)?.key ?? forms.data?.items[0]?.key ?? null;
  const form = useForm(formKey);
  const [subject, setSubject] = useState<string | null>(params.get('for'));
  const [answers, setAnswers] = useState<Answers>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<SubmitResponse['declaration'] | null>(null);
  const submit = useSubmitMine();

  if (me.isPending || forms.isPending) return <PageLoader />;
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

  const people = [{ value: me.data.person.id, label: `${td('form.myself')} — ${me.data.person.fullName}` }, ...(deps.data?.items ?? []).map((d) => ({ value: d.id, label: d.fullName }))];

  if (done)
    return (
      <Card withBorder maw={640} p="lg">
        <Stack>
          <Title order={2} size="h3">
            {td('form.thanks')}
          </Title>
          <Alert color={done.followUp ? 'orange' : 'teal'}>{done.followUp ? td('form.followUp') : td('form.noFollowUp')}</Alert>
          <Text size="xs" c="dimmed">
            {td('form.reference', { id: done.id.slice(0, 8).toUpperCase() })}
          </Text>
          <Group>
            <Button
              onClick={() => {
                setDone(null);
                setAnswers({});
                setErrors({});
              }}
            >
              {td('form.another')}
            </Button>
            <Button variant="light" component={Link} to="/me">
              {td('navMine')}
            </Button>
          </Group>
        </Stack>
      </Card>
    );

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!form.data) return;
    const f = form.data.form;
    const missing = missingRequired(f, answers);
    setFormError(null);
    if (missing.length) {
      setErrors(Object.fromEntries(missing.map((k) => [k, td('form.required')])));
      setFormError(td('form.fixErrors'));
      return;
    }
    try {
      const res = await submit.mutateAsync({
        formKey: f.key,
        formVersion: f.version,
        answers: cleanAnswers(f, answers),
        ...(subject && subject !== me.data.person!.id && UUID.test(subject) && { subjectPersonId: subject }),
        ...(venueToken && { venueToken }),
      });
      setDone(res.declaration);
      window.scrollTo({ top: 0 });
    } catch (err) {
      if (isApiError(err)) {
        const ae = answerErrors(err.fieldErrors());
        setErrors(ae);
        setFormError(Object.keys(ae).length ? td('form.fixErrors') : errorMessage(err));
      } else setFormError(errorMessage(err));
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md" maw={720}>
        <Title order={1} size="h2">
          {form.data?.form.title[lang] ?? td('navDeclare')}
        </Title>
        {venue.data && <Alert color="blue">{td('form.atVenue', { name: venue.data.venue.name })}</Alert>}
        {venue.isError && <ErrorAlert error={venue.error} />}
        {(forms.data?.items.length ?? 0) > 1 && (
          <Select
            label={td('form.choose')}
            value={formKey}
            allowDeselect={false}
            onChange={(key) => {
              if (!key) return;
              const p = new URLSearchParams(params);
              p.set('form', key);
              setParams(p, { replace: true });
              setAnswers({});
              setErrors({});
            }}
            data={(forms.data?.items ?? []).map((f) => ({ value: f.key, label: f.title[lang] }))}
          />
        )}
        {people.length > 1 && (
          <Select label={td('form.subject')} data={people} value={subject ?? me.data.person.id} onChange={setSubject} allowDeselect={false} maw={420} />
        )}
        {forms.isError && <ErrorAlert error={forms.error} />}
        {form.isError && <ErrorAlert error={form.error} />}
        {form.isPending && formKey && <PageLoader />}
        {form.data && (
          <Card withBorder p="md">
            <DeclarationForm
              form={form.data.form}
              answers={answers}
              onChange={(a) => {
                setAnswers(a);
                setErrors({});
              }}
              errors={errors}
              lang={lang}
              disabled={submit.isPending}
            />
          </Card>
        )}
        {formError && (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" size="md" loading={submit.isPending} disabled={!form.data}>
            {td('form.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
