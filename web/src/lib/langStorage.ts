// The reader's language, kept on the phone under `vigil.lang` and shared by the staff app and the citizen pages (the
// check-in page, the declaration page): one format, the plain code ('vi', 'en'). The check-in page used to keep it
// as JSON ('"en"'): such a value is read too (and rewritten plain), so no reader loses their choice.
// No imports: the check-in page's small bundle uses it.

export const LANG_STORAGE_KEY = 'vigil.lang';

/** The stored language if it is one of `languages` (either format), else null. */
export function readStoredLang<L extends string>(languages: readonly L[]): L | null {
  try {
    const raw = localStorage.getItem(LANG_STORAGE_KEY);
    if (raw === null) return null;
    const plain = raw.startsWith('"') && raw.endsWith('"') && raw.length > 2 ? raw.slice(1, -1) : raw;
    if (!(languages as readonly string[]).includes(plain)) return null;
    if (plain !== raw) localStorage.setItem(LANG_STORAGE_KEY, plain);
    return plain as L;
  } catch {
    return null; // storage blocked (private mode)
  }
}

/** Keeps the reader's choice (plain code); a blocked storage is ignored. */
export function storeLang(lang: string): void {
  try {
    localStorage.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // storage full or blocked: the page still works, it just will not remember
  }
}
