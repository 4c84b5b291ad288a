// Load generator for bench/scan-to-dose.ts, run as a separate process (its own event loop): one worker per site, each
// walks its queue of people through the site-day page's three calls — scan the personal QR, record the screening
// with consent, record the dose — one person after another, all sites at once. Writes each step's latencies (ms).
import fs from 'node:fs';

interface SiteJob {
  siteId: string;
  lotId: string;
  cookie: string;
  ip: string;
  qrs: string[];
}
interface Job {
  base: string;
  sites: SiteJob[];
}

const job = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as Job;
const healthy = { anaphylaxisToVaccine: false, severeAllergyOther: false, acuteIllness: false, covidLast3Months: false, otherVaccineLast14Days: false, chronicUncontrolled: false, chronicControlled: false, immunocompromised: false, pregnancyWeeks: null, bleedingDisorder: false };
const lat = { scan: [] as number[], screening: [] as number[], dose: [] as number[], total: [] as number[] };
const failures: Record<string, number> = {};

async function post(s: SiteJob, path: string, body: unknown): Promise<{ status: number; json: any; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(`${job.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'vigil', cookie: s.cookie, 'x-forwarded-for': s.ip },
    body: JSON.stringify(body),
  });
  const json = await r.json();
  return { status: r.status, json, ms: performance.now() - t0 };
}

async function site(s: SiteJob) {
  for (const qr of s.qrs) {
    const t0 = performance.now();
    const scan = await post(s, '/api/vaccination/scan', { siteId: s.siteId, qr });
    if (scan.status !== 200) { failures[`scan ${scan.status}`] = (failures[`scan ${scan.status}`] ?? 0) + 1; continue; }
    const personId = scan.json.person.id as string;
    const scr = await post(s, '/api/vaccination/screenings', { personId, siteId: s.siteId, answers: healthy, temperature: 36.6, consent: true });
    if (scr.status !== 201) { failures[`screening ${scr.status}`] = (failures[`screening ${scr.status}`] ?? 0) + 1; continue; }
    const dose = await post(s, '/api/vaccination/doses', { personId, siteId: s.siteId, lotId: s.lotId, doseNumber: scan.json.nextDoseNumber, vaccinator: 'BS Bench', screeningId: scr.json.id });
    if (dose.status !== 201) { failures[`dose ${dose.status} ${dose.json?.error?.code ?? ''}`] = (failures[`dose ${dose.status} ${dose.json?.error?.code ?? ''}`] ?? 0) + 1; continue; }
    lat.scan.push(scan.ms);
    lat.screening.push(scr.ms);
    lat.dose.push(dose.ms);
    lat.total.push(performance.now() - t0);
  }
}

const started = performance.now();
await Promise.all(job.sites.map(site));
fs.writeFileSync(process.argv[3]!, JSON.stringify({ seconds: (performance.now() - started) / 1000, lat, failures }));
