// The citizen check-in page opened from a venue poster's QR code (/c/<token>). A light bundle: plain React and a
// small stylesheet, no UI kit; Vietnamese by default, English on request; made for cheap phones at 360 px.
import { StrictMode, useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import type { CheckinResponse, PeopleStatusResponse, VenuePublic } from '../../../server/src/modules/venues/schema';
import { ApiFailure, call, tokenFromPath, uuid } from './api';
import { blank, validate, type FieldErrors, type NewPerson } from './form';
import { fmt, TEXT, type Lang } from './i18n';
import { PersonFields } from './PersonFields';
import { ExposureAlert } from './ExposureAlert';
import { endVisit, recordVisit } from './exposure';
import { readStoredLang, storeLang } from '../lib/langStorage';
import { LAST_KEY, load, PEOPLE_KEY, save, type LastCheckin, type StoredPerson } from './storage';
import './checkin.css';

function App() {
  const [lang, setLang] = useState<Lang>(() => readStoredLang<Lang>(['vi', 'en']) ?? 'vi');
  const t = TEXT[lang];
  const venueToken = useMemo(tokenFromPath, []);
  const [venue, setVenue] = useState<VenuePublic | null>(null);
  const [fatal, setFatal] = useState<ApiFailure | null>(null);
  const [stored, setStored] = useState<StoredPerson[]>(() => load<StoredPerson[]>(PEOPLE_KEY, []));
  const [selected, setSelected] = useState<Set<string>>(() => new Set(load<StoredPerson[]>(PEOPLE_KEY, []).map((p) => p.token)));
  const [forms, setForms] = useState<NewPerson[]>(() => (load<StoredPerson[]>(PEOPLE_KEY, []).length ? [] : [blank()]));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [offline, setOffline] = useState(false);
  const [last, setLast] = useState<LastCheckin | null>(() => {
    const l = load<LastCheckin | null>(LAST_KEY, null);
    return l && l.venueToken === tokenFromPath() && !l.checkedOutAt && (!l.autoCheckoutAt || new Date(l.autoCheckoutAt) > new Date()) ? l : null;
  });
  const [duplicate, setDuplicate] = useState(false);
  // bumped when a submit found problems: once they are on screen, the first one is scrolled to and focused
  const [problemsShown, setProblemsShown] = useState(0);
  useEffect(() => {
    if (!problemsShown) return;
    const marked = document.querySelector<HTMLElement>('form [aria-invalid="true"], form .err');
    marked?.scrollIntoView({ block: 'center' });
    if (marked instanceof HTMLInputElement) marked.focus({ preventScroll: true });
  }, [problemsShown]);
  const pending = useRef<{ clientId: string; body: { clientId: string; venueToken: string; people: { token?: string; fullName?: string }[] }; storedCount: number; typed: NewPerson[] } | null>(null);
  // The last check-in whose outcome is unknown (no answer, 5xx, 429): sending the same again reuses its client id,
  // so a check-in the server did record is not counted twice.
  const unsettled = useRef<{ key: string; clientId: string } | null>(null);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = venue ? `${t.title} — ${venue.venue.name}` : t.title;
    storeLang(lang);
  }, [lang, venue, t.title]);

  useEffect(() => {
    if (!venueToken) {
      setFatal(new ApiFailure(400, 'VENUE_QR_INVALID', 'no token'));
      return;
    }
    call<VenuePublic>('GET', `/api/checkin/venue/${encodeURIComponent(venueToken)}`).then(setVenue, (e: ApiFailure) => setFatal(e));
  }, [venueToken]);

  // Refresh names of the people remembered on this phone; drop the ones the server no longer knows.
  useEffect(() => {
    if (!stored.length) return;
    call<PeopleStatusResponse>('POST', '/api/checkin/people', { tokens: stored.map((p) => p.token) })
      .then((r) => {
        const next = stored
          .map((p) => {
            const s = r.people.find((x) => x.token === p.token);
            return s && !s.valid ? null : { ...p, name: s?.name ?? p.name };
          })
          .filter((p): p is StoredPerson => !!p);
        if (next.length !== stored.length || next.some((p, i) => p.name !== stored[i]?.name)) {
          setStored(next);
          save(PEOPLE_KEY, next);
          if (!next.length) setForms([blank()]);
        }
      })
      .catch(() => {});
    // only on first load
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // The server's field messages are English; each form field fails for one reason, so say it in the page's language.
  const fieldMessage = (field: string, serverMessage: string): string =>
    ({ fullName: t.invalidName, phone: t.invalidPhone, birthYear: t.invalidYear, communeCode: t.pickCommune })[field] ?? serverMessage;
  const message = (e: ApiFailure): string => t.errors[e.code] ?? (e.status === 0 ? t.errors.NETWORK : e.status >= 500 ? t.errors.DEFAULT : e.message) ?? e.message;

  const send = useCallback(async () => {
    const p = pending.current;
    if (!p) return;
    setBusy(true);
    let retrying = false;
    try {
      const r = await call<CheckinResponse>('POST', '/api/checkins', p.body);
      pending.current = null;
      unsettled.current = null;
      setOffline(false);
      const res = r.results[0]!;
      const names = new Map<string, string>();
      p.body.people.forEach((x, i) => {
        const tok = res.people[i]?.token;
        if (tok) names.set(tok, x.fullName ?? stored.find((s) => s.token === x.token)?.name ?? '');
      });
      // what was typed for each new person, kept with them for the declaration page
      const details = new Map<string, StoredPerson['details']>();
      p.body.people.forEach((x, i) => {
        const tok = res.people[i]?.token;
        const f = p.typed[i - p.storedCount];
        if (tok && f?.commune && x.fullName) details.set(tok, { phone: f.phone.trim(), birthYear: Number(f.birthYear), commune: { code: f.commune.code, name: f.commune.name } });
      });
      const people: StoredPerson[] = res.people.map((x) => {
        const d = details.get(x.token) ?? stored.find((s) => s.token === x.token)?.details;
        return { token: x.token, name: x.name ?? names.get(x.token) ?? '', ...(d && { details: d }) };
      });
      const merged = [...stored.filter((s) => !people.some((x) => x.token === s.token)), ...people];
      setStored(merged);
      save(PEOPLE_KEY, merged);
      setSelected(new Set(people.map((x) => x.token)));
      setForms([]);
      setDuplicate(res.status === 'duplicate');
      const l: LastCheckin = { venueToken, venueName: res.venue?.name ?? venue?.venue.name ?? '', clientId: p.clientId, at: res.at, autoCheckoutAt: res.autoCheckoutAt, people: people.map(({ token, name }) => ({ token, name })) };
      setLast(l);
      save(LAST_KEY, l);
      // this phone's own history, for matching exposure notices on the phone
      if (res.venue) recordVisit({ venueId: res.venue.id, venueName: res.venue.name, from: res.at, to: res.autoCheckoutAt ?? new Date(Date.parse(res.at) + (venue?.venue.defaultStayMinutes ?? 60) * 60_000).toISOString() });
    } catch (err) {
      const e = err as ApiFailure;
      if (e.status === 0) {
        // no network: keep the same client id and try again (the server counts it once); the button stays busy
        setOffline(true);
        retrying = true;
        setTimeout(() => void send(), 3000);
        return;
      }
      pending.current = null;
      if (e.status < 500 && e.status !== 429) unsettled.current = null; // refused: nothing was recorded
      const fe: FieldErrors = {};
      for (const d of e.details) {
        const m = /people\.(\d+)\.(\w+)/.exec(d.path);
        if (m) {
          const idx = Number(m[1]) - p.storedCount;
          if (m[2] === 'token') {
            // a remembered person is no longer valid: forget them
            const tok = p.body.people[Number(m[1])]?.token;
            const next = stored.filter((s) => s.token !== tok);
            setStored(next);
            save(PEOPLE_KEY, next);
          } else if (idx >= 0) fe[`${idx}.${m[2]}`] = fieldMessage(m[2]!, d.message);
        }
      }
      setErrors(fe);
      setFormError(message(e));
      setProblemsShown((n) => n + 1);
    } finally {
      if (!retrying) setBusy(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stored, venue, venueToken, lang]);

  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    setFormError(null);
    let fe: FieldErrors = {};
    forms.forEach((f, i) => (fe = { ...fe, ...validate(f, t, i) }));
    setErrors(fe);
    if (Object.keys(fe).length) {
      setProblemsShown((n) => n + 1);
      return;
    }
    const chosen = stored.filter((s) => selected.has(s.token));
    if (!chosen.length && !forms.length) {
      setFormError(t.nobody);
      return;
    }
    if (pending.current) return; // already being sent
    const people = [
      ...chosen.map((s) => ({ token: s.token })),
      ...forms.map((f) => ({ fullName: f.fullName.trim(), phone: f.phone.trim(), birthYear: Number(f.birthYear), communeCode: f.commune!.code })),
    ];
    const key = JSON.stringify([venueToken, people]);
    const clientId = unsettled.current?.key === key ? unsettled.current.clientId : uuid();
    unsettled.current = { key, clientId };
    const body = { clientId, venueToken, people };
    // storedCount maps error paths (body.people.N) back to the form fields
    pending.current = { clientId, body, storedCount: chosen.length, typed: forms };
    void send();
  };

  const checkout = async () => {
    if (!last) return;
    setBusy(true);
    setFormError(null);
    try {
      const r = await call<CheckinResponse>('POST', '/api/checkouts', { clientId: uuid(), venueToken: last.venueToken, checkinClientId: last.clientId, people: last.people.map((p) => ({ token: p.token })) });
      // the time the server recorded, shown on the check-out screen
      const l = { ...last, checkedOutAt: r.results[0]?.at ?? new Date().toISOString() };
      save(LAST_KEY, l);
      setLast(l);
      if (venue) endVisit(venue.venue.id, l.checkedOutAt);
    } catch (err) {
      const e = err as ApiFailure;
      if (e.code === 'NO_OPEN_CHECKIN') {
        const l = { ...last, checkedOutAt: new Date().toISOString() };
        save(LAST_KEY, l);
        setLast(l);
      }
      setFormError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const time = (iso: string) => new Date(iso).toLocaleTimeString(lang === 'vi' ? 'vi-VN' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
  const province = venue?.venue.provinceCode ?? null;
  // the venue's own health declaration (hospitals, clinics…): the venue's unit follows up what it flags
  const declareHref = `/khai-bao?venue=${encodeURIComponent(venueToken)}`;

  return (
    <main>
      <header>
        <span className="brand">Vigil · {t.title}</span>
        <button type="button" className="lang" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
          {t.lang}
        </button>
      </header>

      <ExposureAlert lang={lang} />

      {fatal && (
        <section className="card error" role="alert">
          <h1>{t.errorTitle}</h1>
          <p>{message(fatal)}</p>
        </section>
      )}
      {!fatal && !venue && <p className="muted">{t.loading}</p>}

      {venue && (
        <section className="card venue">
          <h1>{venue.venue.name}</h1>
          <p className="muted">{[venue.venue.address, venue.venue.commune.name].filter(Boolean).join(', ')}</p>
          <p className="pill">
            {t.entrance}: {venue.entrance.name}
          </p>
        </section>
      )}

      {venue && last && !last.checkedOutAt && (
        <section className="card done" role="status">
          <div className="tick" aria-hidden="true">
            ✓
          </div>
          <h2>{fmt(t.checkedIn, { venue: last.venueName })}</h2>
          <p>
            {fmt(t.at, { time: time(last.at) })}
            {last.people.length > 1 ? ` · ${fmt(t.checkedInPeople, { n: last.people.length })}` : ''}
          </p>
          <ul className="names">
            {last.people.map((p) => (
              <li key={p.token}>{p.name}</li>
            ))}
          </ul>
          {duplicate && <p className="muted">{t.duplicate}</p>}
          {last.autoCheckoutAt && <p className="muted">{fmt(t.autoCheckout, { time: time(last.autoCheckoutAt) })}</p>}
          {formError && <p className="err">{formError}</p>}
          <button type="button" className="primary" disabled={busy} onClick={() => void checkout()}>
            {busy ? t.checkingOut : t.checkout}
          </button>
          {/* the venue's own health declaration (hospitals, clinics…): the venue's unit follows up what it flags */}
          <a className="declare" href={declareHref}>
            {t.declareHere}
          </a>
        </section>
      )}

      {venue && last?.checkedOutAt && (
        <section className="card done out" role="status">
          <h2>{fmt(t.checkedOut, { venue: last.venueName })}</h2>
          <p>
            {fmt(t.at, { time: time(last.checkedOutAt) })}
            {last.people.length > 1 ? ` · ${fmt(t.checkedInPeople, { n: last.people.length })}` : ''}
          </p>
          <a className="declare" href={declareHref}>
            {t.declareHere}
          </a>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              save(LAST_KEY, null);
              setLast(null);
              setFormError(null);
            }}
          >
            {t.again}
          </button>
        </section>
      )}

      {venue && !last && (
        <form className="card" onSubmit={submit} noValidate>
          {stored.length > 0 && (
            <>
              <h2>{t.whoTitle}</h2>
              <p className="muted">{t.whoHint}</p>
              <ul className="people">
                {stored.map((p) => (
                  <li key={p.token}>
                    <label>
                      <input
                        type="checkbox"
                        checked={selected.has(p.token)}
                        onChange={(e) => {
                          const next = new Set(selected);
                          if (e.target.checked) next.add(p.token);
                          else next.delete(p.token);
                          setSelected(next);
                        }}
                      />
                      <span>{p.name}</span>
                    </label>
                    <button
                      type="button"
                      className="link"
                      title={t.forget}
                      aria-label={`${t.forget}: ${p.name}`}
                      onClick={() => {
                        const next = stored.filter((s) => s.token !== p.token);
                        setStored(next);
                        save(PEOPLE_KEY, next);
                        if (!next.length && !forms.length) setForms([blank()]);
                      }}
                    >
                      ✕
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
          {forms.length > 0 && stored.length === 0 && (
            <>
              <h2>{t.formTitle}</h2>
              <p className="muted">{t.formHint}</p>
            </>
          )}
          {forms.map((f, i) => (
            <PersonFields
              key={f.key}
              p={f}
              i={i}
              t={t}
              errors={errors}
              province={province}
              title={fmt(t.personN, { n: stored.length + i + 1 })}
              onChange={(p, field) => {
                setForms(forms.map((x, j) => (j === i ? p : x)));
                // the "required"/"not valid" mark of a field goes once it is changed
                const key = `${i}.${field}`;
                if (errors[key]) setErrors(Object.fromEntries(Object.entries(errors).filter(([k]) => k !== key)));
              }}
              onRemove={forms.length > 1 || stored.length > 0 ? () => setForms(forms.filter((_, j) => j !== i)) : undefined}
            />
          ))}
          <button type="button" className="link add" onClick={() => setForms([...forms, blank()])}>
            {stored.length && !forms.length ? t.notMe : t.addPerson}
          </button>
          {offline && <p className="warn">{t.offline}</p>}
          {formError && (
            <p className="err" role="alert">
              {formError}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t.submitting : t.submit}
          </button>
          <p className="muted small">{t.privacy}</p>
        </form>
      )}
    </main>
  );
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
