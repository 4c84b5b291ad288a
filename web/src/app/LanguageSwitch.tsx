import { Button, Menu } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { currentLanguage, LANGUAGES, setLanguage } from './i18n';

/** Tiếng Việt / English picker; the choice is kept in localStorage (vigil.lang) and sets <html lang>. */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = isKnown(i18n.resolvedLanguage) ? i18n.resolvedLanguage : currentLanguage();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="subtle"
          size="compact-sm"
          aria-label={`${t('lang.label')}: ${t(`lang.${lang}`)}`}
          data-testid="language-switch"
        >
          {compact ? lang.toUpperCase() : t(`lang.${lang}`)} ▾
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t('lang.label')}</Menu.Label>
        {LANGUAGES.map((l) => (
          <Menu.Item
            key={l}
            lang={l}
            onClick={() => setLanguage(l)}
            fw={l === lang ? 700 : undefined}
            aria-current={l === lang ? 'true' : undefined}
          >
            {/* Each language is named in itself, whatever the current UI language. */}
            {t(`lang.${l}`, { lng: l })}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function isKnown(v: string | undefined): v is (typeof LANGUAGES)[number] {
  return v !== undefined && (LANGUAGES as readonly string[]).includes(v);
}
