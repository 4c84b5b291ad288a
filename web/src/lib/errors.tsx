import { Alert, Button, Group, Text } from '@mantine/core';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import vi from '../app/locales/vi.json';
import { isApiError } from './api';

type CataloguedCode = keyof typeof vi.apiErrors;
const isCatalogued = (code: string): code is CataloguedCode => Object.hasOwn(vi.apiErrors, code);

/**
 * The text for an API error code in the UI language. The server's messages are English and name the specifics
 * (which field, which venue), so an English UI shows them as they are; other languages show the catalogue's text
 * for the code (locales: apiErrors.*) and fall back to the server's message for a code the catalogue lacks.
 */
export function useApiErrorText(): (code: string, serverMessage: string) => string {
  const { t, i18n } = useTranslation();
  return useCallback(
    (code: string, serverMessage: string) => {
      if (!isCatalogued(code)) return serverMessage;
      return i18n.language.startsWith('en') && code !== 'INTERNAL' && serverMessage ? serverMessage : t(`apiErrors.${code}`);
    },
    [t, i18n],
  );
}

/** The message to show for any thrown error, in the UI language where we can tell. */
export function useErrorMessage(): (error: unknown) => string {
  const { t } = useTranslation();
  const apiText = useApiErrorText();
  return useCallback(
    (error: unknown) => {
      if (isApiError(error)) {
        if (error.status === 0) return t('common.networkError');
        if (error.status === 403) return t('common.forbidden');
        return apiText(error.code, error.message);
      }
      return error instanceof Error ? error.message : String(error);
    },
    [t, apiText],
  );
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message = useErrorMessage();
  const text = message(error);
  return (
    <Alert color="red" title={t('common.errorTitle')} role="alert">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <div>
          <Text size="sm">{text}</Text>
          {/* a translated text is general; the server's own words say which field or record (English) */}
          {isApiError(error) && error.status >= 400 && error.status < 500 && text !== error.message && (
            <Text size="xs" c="dimmed">
              {t('common.errorDetail')}: {error.message}
            </Text>
          )}
        </div>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        )}
      </Group>
    </Alert>
  );
}
