import { Badge, createTheme } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  // System fonts render Vietnamese diacritics well on every platform and cost no download.
  fontFamily:
    '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif',
  defaultRadius: 'sm',
  components: {
    // A badge says a status or a level in a word or two: never cut it ("TRU…"). Mantine's label hides its overflow,
    // which lets a table column shrink below the text; visible overflow keeps the text's width as the minimum.
    Badge: Badge.extend({ styles: { root: { flexShrink: 0 }, label: { overflow: 'visible', textOverflow: 'clip' } } }),
  },
});
