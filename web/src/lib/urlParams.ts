// The page's query parameters without a router, for pages that have none (the account-less declaration page is
// a bundle of its own, without react-router). Same shape as react-router's useSearchParams.
import { useCallback, useSyncExternalStore } from 'react';

export type SearchParamsState = [URLSearchParams, (next: URLSearchParams, opts?: { replace?: boolean }) => void];

const listeners = new Set<() => void>();
function subscribe(cb: () => void) {
  listeners.add(cb);
  window.addEventListener('popstate', cb);
  return () => {
    listeners.delete(cb);
    window.removeEventListener('popstate', cb);
  };
}
const snapshot = () => window.location.search;

export function useUrlSearchParams(): SearchParamsState {
  const search = useSyncExternalStore(subscribe, snapshot);
  const set = useCallback((next: URLSearchParams, opts?: { replace?: boolean }) => {
    const url = `${window.location.pathname}?${next.toString()}${window.location.hash}`;
    if (opts?.replace) window.history.replaceState(window.history.state, '', url);
    else window.history.pushState(window.history.state, '', url);
    listeners.forEach((l) => l());
  }, []);
  return [new URLSearchParams(search), set];
}
