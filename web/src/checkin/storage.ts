// What the check-in page remembers on the phone: the household (people checked in from it before, by personal
// token, and the details typed in for them), the last check-in (for the check-out button and the declaration page)
// (the language: lib/langStorage). localStorage; failures are ignored.

export interface StoredPerson {
  token: string;
  name: string;
  /**
   * What was typed for them on this phone (first visit), so the declaration page can fill it in for them. Kept on
   * the phone only, like the rest; a person remembered before this was kept has none.
   */
  details?: { phone: string; birthYear: number; commune: { code: string; name: string } };
}
export interface LastCheckin {
  venueToken: string;
  venueName: string;
  clientId: string;
  at: string;
  autoCheckoutAt: string | null;
  people: StoredPerson[];
  checkedOutAt?: string;
}

export const PEOPLE_KEY = 'vigil.checkin.people';
export const LAST_KEY = 'vigil.checkin.last';

export function load<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}
export function save(key: string, value: unknown) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or blocked: the page still works, it just will not remember
  }
}
