import { createTheme } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  // System fonts render Vietnamese diacritics well on every platform and cost no download.
  fontFamily:
    '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif',
  defaultRadius: 'sm',
});
