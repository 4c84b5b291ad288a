// Editable templates: national staff change a purpose's texts (vi/en) over HTTP; the built-in text (templates.ts)
// applies until then. An edit may use only the purpose's variables (those of its built-in text) and must keep the
// ones a text cannot do without (a one-time code's {code}); a preview renders it with sample values and counts the
// SMS parts. Every change is kept (history) and audited by the route.

import type { DbOrTx } from '../../platform/db/types';
import { invalidField } from '../../platform/http/errors';
import { TEMPLATES, type Lang } from './templates';
import { partsOf } from './text';

/** Variables a text of the purpose may not drop. */
const REQUIRED: Record<string, string[]> = { 'otp.signup': ['code'], 'otp.link': ['code'], campaign: ['text'] };

const SAMPLE: Record<string, string> = {
  code: '482913',
  minutes: '10',
  account: '0912•••678',
  who: 'Nguyễn Văn An',
  sender: 'Sở Y tế Nghệ An',
  place: 'Chợ Vinh',
  date: '12/08',
  until: '26/08/2021',
  hotline: '1900 9095',
  name: 'Nguyễn Thị Minh Khai',
  result: 'âm tính',
  link: 'https://vigil.example/r/AB12',
  dose: '2',
  site: 'Trạm Y tế phường Hưng Bình',
  text: 'Vigil: nhắc nhở quét mã QR khi đến nơi công cộng.',
};

export const variablesOf = (purpose: string) => [...new Set([...(TEMPLATES[purpose]!.vi + TEMPLATES[purpose]!.en).matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))];

/** Checks a text for the purpose: known variables only, required ones kept, at most 5 SMS parts. */
export function checkTemplate(purpose: string, texts: { textVi: string; textEn: string }) {
  const allowed = new Set(variablesOf(purpose));
  const out: Record<Lang, { text: string; parts: number }> = {} as never;
  for (const [lang, path, text] of [['vi', 'body.textVi', texts.textVi], ['en', 'body.textEn', texts.textEn]] as const) {
    const used = [...text.matchAll(/\{(\w*)\}?/g)];
    for (const m of used) {
      if (!m[0].endsWith('}') || !m[1]) throw invalidField(path, `has an unclosed or empty {variable}`);
      if (!allowed.has(m[1])) throw invalidField(path, `unknown variable {${m[1]}}; ${purpose} may use ${[...allowed].map((v) => `{${v}}`).join(', ')}`);
    }
    for (const r of REQUIRED[purpose] ?? []) if (!used.some((m) => m[1] === r)) throw invalidField(path, `must keep {${r}}`);
    const rendered = text.replace(/\{(\w+)\}/g, (_, k: string) => SAMPLE[k] ?? k);
    let parts: number;
    try {
      parts = partsOf(rendered);
    } catch (err) {
      throw invalidField(path, (err as Error).message);
    }
    if (parts > 5) throw invalidField(path, `is ${parts} SMS parts with sample values; keep it to 5`);
    out[lang] = { text: rendered, parts };
  }
  return out;
}

/** The texts in force for a purpose: the edited ones, else the built-in ones. */
export async function currentTexts(db: DbOrTx, purpose: string): Promise<{ vi: string; en: string } | null> {
  const r = await db.selectFrom('sms_templates').select(['text_vi', 'text_en']).where('purpose', '=', purpose).executeTakeFirst();
  return r ? { vi: r.text_vi, en: r.text_en } : null;
}

export async function listTemplates(db: DbOrTx) {
  const rows = new Map((await db.selectFrom('sms_templates').selectAll().execute()).map((r) => [r.purpose, r]));
  return Object.entries(TEMPLATES).map(([purpose, t]) => {
    const r = rows.get(purpose);
    return {
      purpose,
      textVi: r?.text_vi ?? t.vi,
      textEn: r?.text_en ?? t.en,
      defaultVi: t.vi,
      defaultEn: t.en,
      variables: variablesOf(purpose),
      required: REQUIRED[purpose] ?? [],
      edited: !!r,
      updatedBy: r?.updated_by ?? null,
      updatedAt: r?.updated_at.toISOString() ?? null,
    };
  });
}

/** Saves a purpose's texts (validated) and keeps the change; returns the texts before. */
export async function saveTemplate(db: DbOrTx, purpose: string, texts: { textVi: string; textEn: string }, by: string, now: Date) {
  checkTemplate(purpose, texts);
  const before = (await currentTexts(db, purpose)) ?? { vi: TEMPLATES[purpose]!.vi, en: TEMPLATES[purpose]!.en };
  await db
    .insertInto('sms_templates')
    .values({ purpose, text_vi: texts.textVi, text_en: texts.textEn, updated_by: by, updated_at: now })
    .onConflict((oc) => oc.column('purpose').doUpdateSet({ text_vi: texts.textVi, text_en: texts.textEn, updated_by: by, updated_at: now }))
    .execute();
  await db.insertInto('sms_template_history').values({ purpose, text_vi: texts.textVi, text_en: texts.textEn, changed_by: by, changed_at: now }).execute();
  return before;
}

export async function templateHistory(db: DbOrTx, purpose: string) {
  const rows = await db.selectFrom('sms_template_history').selectAll().where('purpose', '=', purpose).orderBy('id', 'desc').limit(100).execute();
  return rows.map((r) => ({ textVi: r.text_vi, textEn: r.text_en, changedBy: r.changed_by, changedAt: r.changed_at.toISOString() }));
}

