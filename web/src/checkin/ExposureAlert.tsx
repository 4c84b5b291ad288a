// "You were at X between … and …": shown on the check-in page when a published exposure notice matches a visit
// this phone remembers (matched on the phone; see exposure.ts).
import { useEffect, useState } from 'react';
import { checkExposures, type Match } from './exposure';
import type { Lang } from './i18n';

const TEXTS = {
  vi: {
    title: 'Bạn có thể đã tiếp xúc với ca bệnh',
    where: (venue: string, from: string, to: string) => `Bạn đã ở ${venue} từ ${from} đến ${to}, cùng thời gian với một ca bệnh COVID-19.`,
    todo: 'Hãy tự theo dõi sức khoẻ 14 ngày, đeo khẩu trang, hạn chế tiếp xúc và gọi ngay trạm y tế xã/phường hoặc đường dây nóng 1900 9095 để được hướng dẫn xét nghiệm.',
    privacy: 'Việc đối chiếu được thực hiện trên điện thoại của bạn; máy chủ không biết bạn đã ở đâu.',
  },
  en: {
    title: 'You may have been exposed to a case',
    where: (venue: string, from: string, to: string) => `You were at ${venue} between ${from} and ${to}, at the same time as a COVID-19 case.`,
    todo: 'Watch your health for 14 days, wear a mask, limit contacts and call your commune health station or the 1900 9095 hotline now for a test.',
    privacy: 'This was matched on your phone; the server does not know where you were.',
  },
};

function when(iso: string, lang: Lang) {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit' }).format(new Date(iso));
}

export function ExposureAlert({ lang }: { lang: Lang }) {
  const [matches, setMatches] = useState<Match[]>([]);
  useEffect(() => {
    checkExposures().then(setMatches, () => setMatches([]));
  }, []);
  if (!matches.length) return null;
  const t = TEXTS[lang];
  return (
    <section className="card error" role="alert" data-testid="exposure-alert">
      <h2>{t.title}</h2>
      {matches.map((m) => (
        <p key={m.notice.id}>
          <strong>{t.where(m.notice.venueName, when(m.from, lang), when(m.to, lang))}</strong>
        </p>
      ))}
      <p>{t.todo}</p>
      <p className="muted">{t.privacy}</p>
    </section>
  );
}
