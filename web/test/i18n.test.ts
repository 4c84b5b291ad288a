// The two catalogues must have the same keys and the same {{placeholders}}: vi.json is the type-checked
// reference, so a key missing from en.json would only show up at runtime as a fallback to Vietnamese.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import en from '../src/app/locales/en.json';
import { TEXT as CHECKIN } from '../src/checkin/i18n';
import vi from '../src/app/locales/vi.json';
import { TEMPLATES } from '../../server/src/modules/messaging/templates';

type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('locale catalogues', () => {
  const viKeys = flatten(vi as Tree);
  const enKeys = flatten(en as Tree);

  it('have the same keys', () => {
    expect([...enKeys.keys()].sort()).toEqual([...viKeys.keys()].sort());
  });

  it('use the same placeholders in each message', () => {
    for (const [key, viText] of viKeys) {
      const enText = enKeys.get(key);
      if (enText === undefined) continue;
      expect(placeholders(enText), key).toEqual(placeholders(viText));
    }
  });

  it('have no empty messages', () => {
    // the follow-up grid shows nothing for a person whose follow-up is over (the cell is blank on purpose)
    const blank = new Set(['cases.followups.states.out']);
    for (const [key, text] of [...viKeys, ...enKeys]) if (!blank.has(key)) expect(text.trim().length, key).toBeGreaterThan(0);
  });

  it('label every role in both languages', () => {
    const roles = [
      'national_admin', 'cdc_officer', 'district_officer', 'commune_officer', 'contact_tracer',
      'call_supervisor', 'venue_operator', 'vaccination_staff', 'lab_staff', 'citizen',
    ];
    for (const r of roles) {
      expect(viKeys.has(`roles.${r}`), r).toBe(true);
      expect(enKeys.has(`roles.${r}`), r).toBe(true);
    }
  });

  it('label every message purpose in both languages (the messages list, figures and templates show them)', () => {
    for (const purpose of Object.keys(TEMPLATES)) {
      const key = `messaging.purposes.${purpose.replace(/\./g, '-')}`;
      expect(viKeys.get(key), `vi ${key}`).toBeTruthy();
      expect(enKeys.get(key), `en ${key}`).toBeTruthy();
    }
  });
});

describe('audit log labels', () => {
  // every action and subject type the server writes to the audit log, read from its sources
  const serverSources = (): string[] => {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, f.name);
        if (f.isDirectory()) walk(p);
        else if (f.name.endsWith('.ts') && !f.name.endsWith('.test.ts')) out.push(fs.readFileSync(p, 'utf8'));
      }
    };
    walk(path.resolve(__dirname, '../../server/src'));
    return out;
  };
  const sources = serverSources().join('\n');
  // audit calls name `action:` next to `subjectType:`; workflow actions ('called', 'in') are not audit actions
  const actions = new Set([...sources.matchAll(/action: '([a-z_]+\.[a-z_.]+)'/g)].map((m) => m[1]!));
  for (const m of sources.matchAll(/action: `venue\.\$\{[^}]*'(\w+)' : '(\w+)'\}`/g)) actions.add(`venue.${m[1]}`).add(`venue.${m[2]}`);
  const subjects = new Set([...sources.matchAll(/subjectType: '([a-z_]+)'/g)].map((m) => m[1]!));

  it('translates every audit action and subject type in both languages (no raw codes on the Audit page)', () => {
    expect(actions.size).toBeGreaterThan(20);
    expect(actions).toContain('venue.approve');
    for (const a of actions) {
      expect((vi.auditActions as Record<string, string>)[a], `vi ${a}`).toBeTruthy();
      expect((en.auditActions as Record<string, string>)[a], `en ${a}`).toBeTruthy();
    }
    for (const s of subjects) {
      expect((vi.auditSubjects as Record<string, string>)[s], `vi ${s}`).toBeTruthy();
      expect((en.auditSubjects as Record<string, string>)[s], `en ${s}`).toBeTruthy();
    }
  });
});

describe('every key the pages use', () => {
  // Reads web/src for t('key') (react-i18next) and the feature hooks bound to a subtree (usePeopleT() → people.*),
  // and checks each literal key, and the fixed prefix of each `${}` key, in both catalogues.
  const viKeys = flatten(vi as Tree);
  const enKeys = flatten(en as Tree);
  const SCOPED: Record<string, string> = {
    usePeopleT: 'people', useDeclT: 'declarations', useCasesT: 'cases', useMsgT: 'messaging', useHomeT: 'homeSummary', useVenueTexts: 'venues',
    useCertT: 'certificates',
  };
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(f.name)) files.push(p);
    }
  };
  const src = path.resolve(__dirname, '../src');
  walk(src);
  const used: { file: string; key: string; prefix: boolean }[] = [];
  for (const file of files) {
    // the light page's own catalogue, tested below (src/checkin/: relative to src, so a checkout in a folder named
    // "checkin" is not skipped whole)
    if (path.relative(src, file).split(path.sep)[0] === 'checkin') continue;
    const text = fs.readFileSync(file, 'utf8');
    const fns = new Map<string, string>(); // local function name → catalogue prefix ('' = whole catalogue)
    if (/\{[^}]*\bt\b[^}]*\} = useTranslation\(\)/.test(text)) fns.set('t', '');
    for (const m of text.matchAll(/const (\w+) = (use\w+T)\(\)/g)) if (SCOPED[m[2]!]) fns.set(m[1]!, `${SCOPED[m[2]!]}.`);
    const venue = text.match(/const \{([^}]*)\} = useVenueTexts\(\)/);
    if (venue && /\bt\b/.test(venue[1]!)) fns.set('t', 'venues.');
    for (const [fn, prefix] of fns) {
      for (const m of text.matchAll(new RegExp(`(?<![\\w.])${fn}\\(\\s*(['\`])([^'\`]*)\\1`, 'g'))) {
        const raw = m[2]!;
        const dyn = raw.indexOf('${');
        if (dyn === 0) continue; // wholly computed: typed against vi.json at compile time
        used.push({ file: path.relative(src, file), key: prefix + (dyn > 0 ? raw.slice(0, dyn) : raw), prefix: dyn > 0 });
      }
    }
  }
  const has = (keys: Map<string, string>, key: string, prefix: boolean) => {
    if (prefix || !keys.has(key)) {
      const p = prefix ? key : `${key}.`;
      if ([...keys.keys()].some((k) => k.startsWith(p))) return true; // a subtree (returnObjects, `${group}.${value}`)
      return keys.has(`${key}_one`) && keys.has(`${key}_other`); // plurals
    }
    return true;
  };

  it('finds the keys of every feature', () => {
    expect(used.length).toBeGreaterThan(500);
    for (const p of ['people.', 'declarations.', 'cases.', 'messaging.', 'homeSummary.', 'venues.', 'users.', 'common.']) {
      expect(used.some((u) => u.key.startsWith(p)), p).toBe(true);
    }
  });

  it('exist in vi and in en', () => {
    const missing = used.filter((u) => !has(viKeys, u.key, u.prefix) || !has(enKeys, u.key, u.prefix)).map((u) => `${u.file}: ${u.key}`);
    expect(missing).toEqual([]);
  });
});

describe('the check-in page catalogue (no i18next, its own small one)', () => {
  const viKeys = flatten(vi as Tree);
  const enKeys = flatten(en as Tree);
  const ciVi = flatten(CHECKIN.vi as unknown as Tree);
  const ciEn = flatten(CHECKIN.en as unknown as Tree);
  const single = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('has the same keys, placeholders and no empty text in both languages', () => {
    expect([...ciEn.keys()].sort()).toEqual([...ciVi.keys()].sort());
    for (const [key, text] of ciVi) {
      expect(single(ciEn.get(key)!), key).toEqual(single(text));
      expect(text.trim(), key).not.toBe('');
      expect(ciEn.get(key)!.trim(), key).not.toBe('');
    }
  });

  it('words the texts it shares with the app as the app catalogues do', () => {
    const shared: Record<string, string> = {
      loading: 'common.loading', retry: 'common.retry', required: 'common.required', entrance: 'venues.entrance',
      fullName: 'people.fullName', phone: 'people.phone', birthYear: 'people.birthYear',
    };
    for (const [ci, app] of Object.entries(shared)) {
      expect(ciVi.get(ci), `vi ${ci}`).toBe(viKeys.get(app));
      expect(ciEn.get(ci), `en ${ci}`).toBe(enKeys.get(app));
    }
    // the switch offers the other language by its own name
    expect(CHECKIN.vi.lang).toBe(vi.lang.en);
    expect(CHECKIN.en.lang).toBe(vi.lang.vi);
  });

  it('explains only server error codes the app catalogues know too, in both languages', () => {
    const codes = Object.keys(CHECKIN.vi.errors).filter((c) => c !== 'NETWORK' && c !== 'DEFAULT'); // client-side
    expect(codes.length).toBeGreaterThan(10);
    for (const c of codes) {
      expect(viKeys.has(`apiErrors.${c}`), `vi apiErrors.${c}`).toBe(true);
      expect(enKeys.has(`apiErrors.${c}`), `en apiErrors.${c}`).toBe(true);
    }
  });
});
