// Fields of one person on the first-visit form, with the commune search.
import { useEffect, useRef, useState } from 'react';
import type { CommuneOption } from '../../../server/src/modules/venues/schema';
import { call } from './api';
import type { FieldErrors, NewPerson } from './form';
import type { Texts } from './i18n';

function CommunePicker(props: { value: CommuneOption | null; onChange(c: CommuneOption | null): void; province: string | null; t: Texts; id: string; error?: string }) {
  const { t } = props;
  const [q, setQ] = useState(props.value ? props.value.name : '');
  const [items, setItems] = useState<CommuneOption[]>([]);
  const [open, setOpen] = useState(false);
  const seq = useRef(0);
  useEffect(() => {
    if (!open) return;
    const mine = ++seq.current;
    const h = setTimeout(() => {
      const params = new URLSearchParams({ q: q.trim(), limit: '12' });
      if (props.province) params.set('near', props.province);
      call<{ items: CommuneOption[] }>('GET', `/api/checkin/communes?${params}`)
        .then((r) => mine === seq.current && setItems(r.items))
        .catch(() => mine === seq.current && setItems([]));
    }, 200);
    return () => clearTimeout(h);
  }, [q, open, props.province]);
  return (
    <div className="picker">
      <input
        id={props.id}
        type="text"
        autoComplete="off"
        placeholder={t.communeSearch}
        value={q}
        aria-invalid={!!props.error}
        onFocus={() => setOpen(true)}
        onChange={(e) => {
          setQ(e.target.value);
          setOpen(true);
          if (props.value) props.onChange(null);
        }}
      />
      {open && (
        <ul className="options" role="listbox">
          {items.length === 0 && <li className="none">{t.communeNone}</li>}
          {items.map((c) => (
            <li key={c.code}>
              <button
                type="button"
                role="option"
                aria-selected={props.value?.code === c.code}
                onClick={() => {
                  props.onChange(c);
                  setQ(c.name);
                  setOpen(false);
                }}
              >
                <strong>{c.name}</strong>
                <span>
                  {c.district}
                  {c.province ? `, ${c.province}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function PersonFields(props: {
  p: NewPerson;
  i: number;
  t: Texts;
  errors: FieldErrors;
  province: string | null;
  /** `field` (fullName, phone, birthYear, communeCode) was changed: its error mark should go */
  onChange(p: NewPerson, field: string): void;
  onRemove?: () => void;
  title: string;
}) {
  const { p, i, t, errors } = props;
  const set = (k: keyof NewPerson, v: unknown) => props.onChange({ ...p, [k]: v }, k === 'commune' ? 'communeCode' : k);
  const id = (k: string) => `p${i}-${k}`;
  return (
    <fieldset className="person">
      <legend>
        {props.title}
        {props.onRemove && (
          <button type="button" className="link" onClick={props.onRemove}>
            {t.removePerson}
          </button>
        )}
      </legend>
      <label htmlFor={id('fullName')}>{t.fullName}</label>
      <input id={id('fullName')} name="fullName" autoComplete="name" value={p.fullName} aria-invalid={!!errors[`${i}.fullName`]} onChange={(e) => set('fullName', e.target.value)} />
      {errors[`${i}.fullName`] && <p className="err">{errors[`${i}.fullName`]}</p>}
      <div className="row">
        <div>
          <label htmlFor={id('phone')}>{t.phone}</label>
          <input id={id('phone')} name="phone" type="tel" inputMode="tel" autoComplete="tel" value={p.phone} aria-invalid={!!errors[`${i}.phone`]} onChange={(e) => set('phone', e.target.value)} />
          {errors[`${i}.phone`] && <p className="err">{errors[`${i}.phone`]}</p>}
        </div>
        <div className="year">
          <label htmlFor={id('birthYear')}>{t.birthYear}</label>
          <input id={id('birthYear')} name="birthYear" inputMode="numeric" maxLength={4} value={p.birthYear} aria-invalid={!!errors[`${i}.birthYear`]} onChange={(e) => set('birthYear', e.target.value.replace(/\D/g, ''))} />
          {errors[`${i}.birthYear`] && <p className="err">{errors[`${i}.birthYear`]}</p>}
        </div>
      </div>
      <label htmlFor={id('commune')}>{t.commune}</label>
      <CommunePicker id={id('commune')} value={p.commune} onChange={(c) => set('commune', c)} province={props.province} t={t} error={errors[`${i}.communeCode`]} />
      {errors[`${i}.communeCode`] && <p className="err">{errors[`${i}.communeCode`]}</p>}
    </fieldset>
  );
}
