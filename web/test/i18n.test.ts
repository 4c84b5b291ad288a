// The two catalogues must have the same keys and the same {{placeholders}}: vi.json is the type-checked
// reference, so a key missing from en.json would only show up at runtime as a fallback to Vietnamese.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import en from '../src/app/locales/en.json';
import vi from '../src/app/locales/vi.json';

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
    for (const [key, text] of [...viKeys, ...enKeys]) expect(text.trim().length, key).toBeGreaterThan(0);
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
