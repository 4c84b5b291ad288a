// "You were at X between … and …": shown on the check-in page when a published exposure notice matches a visit
// this phone remembers (matched on the phone; see exposure.ts).
import { useEffect, useState } from 'react';
import { checkExposures, type Match } from './exposure';
import { fmt, TEXT, type Lang } from './i18n';

function when(iso: string, lang: Lang) {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit' }).format(new Date(iso));
}

export function ExposureAlert({ lang }: { lang: Lang }) {
  const [matches, setMatches] = useState<Match[]>([]);
  useEffect(() => {
    checkExposures().then(setMatches, () => setMatches([]));
  }, []);
  if (!matches.length) return null;
  const t = TEXT[lang].exposure;
  return (
    <section className="card error" role="alert" data-testid="exposure-alert">
      {/* only mass exposures (level 2) matched: the title says it is self-monitoring, not an F1's quarantine */}
      <h2 data-testid="exposure-title">{matches.every((m) => m.notice.level === 2) ? t.titleCrowd : t.title}</h2>
      {matches.map((m) => (
        <p key={m.notice.id}>
          <strong>{fmt(m.notice.level === 2 ? t.whereCrowd : t.where, { venue: m.notice.venueName, from: when(m.from, lang), to: when(m.to, lang) })}</strong>
        </p>
      ))}
      {/* a case's own notice asks for more than a mass exposure's (F1s of a case in a crowd) */}
      <p>{matches.some((m) => m.notice.level !== 2) ? t.todo : t.todoCrowd}</p>
      <p className="muted">{t.privacy}</p>
    </section>
  );
}
