import { useMediaQuery } from '@mantine/hooks';

// Client-only app: read the media query during the first render so phones never flash the desktop layout.
const opts = { getInitialValueInEffect: false };

/** Narrower than Mantine's `sm` breakpoint (48em): lists become cards. */
export const usePhone = (): boolean => useMediaQuery('(max-width: 47.99em)', undefined, opts);
/** Narrower than Mantine's `xs` breakpoint (36em): modals go full screen. */
export const useNarrow = (): boolean => useMediaQuery('(max-width: 35.99em)', undefined, opts);
/** At least Mantine's `md` breakpoint (62em): side-by-side layouts. */
export const useWide = (): boolean => useMediaQuery('(min-width: 62em)', undefined, opts);
