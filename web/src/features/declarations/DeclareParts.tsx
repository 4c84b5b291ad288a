// What the two declaring pages share (signed-in DeclarePage, account-less PublicDeclarePage): which form (?form=,
// or the venue form for ?venue=<venue QR token>), the venue named by that QR, the answers with their errors, and
// the page's top (title, venue, form choice) and bottom (the form, errors, submit button).
import { Alert, Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import type { VenuePublic } from '../../../../server/src/modules/venues/schema';
import { PageLoader } from '../../app/pages';
import { api, isApiError } from '../../lib/api';
import { ErrorAlert, useErrorMessage } from '../../lib/errors';
import type { SearchParamsState } from '../../lib/urlParams';
import { useForm, useForms, type Answers, type SubmitResponse } from './api';
import { answerErrors, cleanAnswers, DeclarationForm, missingRequired, numberProblems } from './DeclarationForm';
import { useDeclT, useLang } from './i18n';

/** `search`: the page's query parameters (react-router's useSearchParams, or useUrlSearchParams without a router). */
export function useDeclaring([params, setParams]: SearchParamsState) {
  const forms = useForms();
  // ?venue=<venue QR token>: declaring at a venue or medical facility (its poster's QR); its unit follows up
  const venueToken = params.get('venue');
  const defaultKind = venueToken ? 'venue' : 'domestic';
  const formKey = params.get('form') ?? forms.data?.items.find((f) => f.kind === defaultKind)?.key ?? forms.data?.items[0]?.key ?? null;
  const form = useForm(formKey);
  const venue = useQuery({
    queryKey: ['checkin-venue', venueToken],
    queryFn: ({ signal }) => api.get<VenuePublic>(`/api/checkin/venue/${venueToken}`, undefined, signal),
    enabled: !!venueToken,
    retry: false,
  });
  const [answers, setAnswers] = useState<Answers>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  // bumped when a submit found problems: once they are on screen, the first one is scrolled to
  const [problemsShown, setProblemsShown] = useState(0);
  useEffect(() => {
    if (problemsShown) scrollToFirstError();
  }, [problemsShown]);
  /** An answer or detail was changed: its "required"/"not valid" mark goes (the others stay until fixed). */
  const clearError = (key: string) => setErrors((e) => (key in e ? Object.fromEntries(Object.entries(e).filter(([k]) => k !== key)) : e));
  const pickForm = (key: string) => {
    const p = new URLSearchParams(params);
    p.set('form', key);
    setParams(p, { replace: true });
    setAnswers({});
    setErrors({});
  };
  const td = useDeclT();
  const errorMessage = useErrorMessage();
  /**
   * Checks the required answers (plus the page's own `problems`, keyed like the errors), sends the form's content
   * with `send`, and marks what the server refused: answers by question, `person.*` fields with a general "not
   * valid" (the server's words are English). Resolves to the stored declaration, or null.
   */
  const submitWith = async (
    problems: Record<string, string>,
    send: (content: { formKey: string; formVersion: number; answers: Answers; venueToken?: string }) => Promise<SubmitResponse>,
  ): Promise<SubmitResponse['declaration'] | null> => {
    if (!form.data) return null;
    const f = form.data.form;
    const all = { ...numberProblems(f, answers, td), ...Object.fromEntries(missingRequired(f, answers).map((k) => [k, td('form.required')])), ...problems };
    setErrors(all);
    setFormError(null);
    if (Object.keys(all).length) {
      setFormError(td('form.fixErrors'));
      setProblemsShown((n) => n + 1);
      return null;
    }
    try {
      const res = await send({ formKey: f.key, formVersion: f.version, answers: cleanAnswers(f, answers), ...(venueToken && { venueToken }) });
      window.scrollTo({ top: 0 });
      return res.declaration;
    } catch (err) {
      if (!isApiError(err)) {
        setFormError(errorMessage(err));
        return null;
      }
      const fe = err.fieldErrors();
      const person = Object.fromEntries(Object.keys(fe).filter((k) => k.startsWith('person.')).map((k) => [k, td('form.invalid')]));
      const marked = { ...answerErrors(fe), ...person };
      setErrors(marked);
      setFormError(Object.keys(marked).length ? td('form.fixErrors') : errorMessage(err));
      setProblemsShown((n) => n + 1);
      return null;
    }
  };
  return { params, forms, formKey, form, venueToken, venue, answers, setAnswers, errors, setErrors, clearError, formError, setFormError, pickForm, submitWith };
}
export type Declaring = ReturnType<typeof useDeclaring>;

/** Brings the first marked field (or, failing that, the message above the button) into view and focuses it. */
function scrollToFirstError() {
  // in page order: a field marked invalid, a question's error text; the "check the answers" message last
  const marked =
    document.querySelector<HTMLElement>('form [aria-invalid="true"], form .mantine-InputWrapper-error, form [data-question] [role="alert"]') ??
    document.querySelector<HTMLElement>('form [data-form-error]');
  if (!marked) return;
  const field = marked.matches('input, textarea') ? marked : marked.closest('[data-question], .mantine-InputWrapper-root')?.querySelector<HTMLElement>('input, textarea, button');
  marked.scrollIntoView({ block: 'center' });
  field?.focus({ preventScroll: true });
}

/** Title, the venue declared at, and the choice of form (not when declaring at a venue: that is its form). */
export function DeclareTop({ d }: { d: Declaring }) {
  const td = useDeclT();
  const lang = useLang();
  return (
    <>
      <Title order={1} size="h2">
        {d.form.data?.form.title[lang] ?? td('navDeclare')}
      </Title>
      {d.venue.data && <Alert color="blue">{td('form.atVenue', { name: d.venue.data.venue.name })}</Alert>}
      {d.venue.isError && <ErrorAlert error={d.venue.error} />}
      {!d.venueToken && (d.forms.data?.items.length ?? 0) > 1 && (
        <Select
          label={td('form.choose')}
          value={d.formKey}
          allowDeselect={false}
          onChange={(key) => key && d.pickForm(key)}
          data={(d.forms.data?.items ?? []).map((f) => ({ value: f.key, label: f.title[lang] }))}
        />
      )}
    </>
  );
}

/** The questions, what went wrong, and the submit button. */
export function DeclareBottom({ d, busy }: { d: Declaring; busy: boolean }) {
  const td = useDeclT();
  const lang = useLang();
  return (
    <>
      {d.forms.isError && <ErrorAlert error={d.forms.error} />}
      {d.form.isError && <ErrorAlert error={d.form.error} />}
      {d.form.isPending && d.formKey && <PageLoader />}
      {d.form.data && (
        <Card withBorder p="md">
          <DeclarationForm
            form={d.form.data.form}
            answers={d.answers}
            onChange={(a) => {
              for (const k of new Set([...Object.keys(a), ...Object.keys(d.answers)])) if (a[k] !== d.answers[k]) d.clearError(k);
              d.setAnswers(a);
            }}
            errors={d.errors}
            lang={lang}
            disabled={busy}
            venueType={d.venue.data?.venue.type ?? null}
          />
        </Card>
      )}
      {d.formError && (
        <Alert color="red" role="alert" data-form-error>
          {d.formError}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button type="submit" size="md" loading={busy} disabled={!d.form.data}>
          {td('form.submit')}
        </Button>
      </Group>
    </>
  );
}

/** After sending: thanks, whether staff may call, the reference; `actions` below. */
export function Declared({ done, actions }: { done: SubmitResponse['declaration']; actions?: ReactNode }) {
  const td = useDeclT();
  return (
    <Card withBorder maw={640} p="lg" role="status">
      <Stack>
        <Title order={2} size="h3">
          {td('form.thanks')}
        </Title>
        <Alert color={done.followUp ? 'orange' : 'teal'}>{done.followUp ? td('form.followUp') : td('form.noFollowUp')}</Alert>
        <Text size="xs" c="dimmed">
          {td('form.reference', { id: done.id.slice(0, 8).toUpperCase() })}
        </Text>
        {actions}
      </Stack>
    </Card>
  );
}
