// Load generator for bench/scan-to-dose.ts, run as a separate process (its own event loop). Each site walks people
// through the site-day page's three calls — scan the personal QR, record the screening with consent, record the dose.
//   mode 'saturation': closed loop, no think time: each site starts its next person the moment the last dose is
//     answered, all sites at once (the server's maximum people/s; latency there is queueing, Little's law).
//   mode 'paced': open loop: person k of a site arrives at its scheduled time (site.arrivals[k], ms from the start)
//     whether or not the site's earlier people are done (a site has several tables); scan → dose recorded is measured
//     from the scheduled arrival, so a late start (server or generator behind) counts against the server, never hides.
// Writes each step's latencies (ms).
import fs from 'node:fs';

interface SiteJob {
  siteId: string;
  lotId: string;
  cookie: string;
  ip: string;
  qrs: string[];
  /** paced mode: arrival of each person (ms after the start), as many as qrs */
  arrivals?: number[];
}
interface Job {
  base: string;
  mode: 'saturation' | 'paced';
  sites: SiteJob[];
}

const job = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as Job;
const healthy = { anaphylaxisToVaccine: false, severeAllergyOther: false, acuteIllness: false, covidLast3Months: false, otherVaccineLast14Days: false, chronicUncontrolled: false, chronicControlled: false, immunocompromised: false, pregnancyWeeks: null, bleedingDisorder: false };
const lat = { scan: [] as number[], screening: [] as number[], dose: [] as number[], total: [] as number[], startLag: [] as number[] };
const failures: Record<string, number> = {};
const fail = (key: string) => void (failures[key] = (failures[key] ?? 0) + 1);

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

/** One person: scan → screening → dose; t0 is when they arrived (scheduled arrival in paced mode). */
async function flow(s: SiteJob, qr: string, t0: number) {
  const scan = await post(s, '/api/vaccination/scan', { siteId: s.siteId, qr });
  if (scan.status !== 200) return fail(`scan ${scan.status}`);
  const personId = scan.json.person.id as string;
  const scr = await post(s, '/api/vaccination/screenings', { personId, siteId: s.siteId, answers: healthy, temperature: 36.6, consent: true });
  if (scr.status !== 201) return fail(`screening ${scr.status}`);
  const dose = await post(s, '/api/vaccination/doses', { personId, siteId: s.siteId, lotId: s.lotId, doseNumber: scan.json.nextDoseNumber, vaccinator: 'BS Bench', screeningId: scr.json.id });
  if (dose.status !== 201) return fail(`dose ${dose.status} ${dose.json?.error?.code ?? ''}`);
  lat.scan.push(scan.ms);
  lat.screening.push(scr.ms);
  lat.dose.push(dose.ms);
  lat.total.push(performance.now() - t0);
}

async function closedLoop(s: SiteJob) {
  for (const qr of s.qrs) await flow(s, qr, performance.now());
}

async function openLoop(s: SiteJob, start: number) {
  const flows: Promise<void>[] = [];
  for (const [k, qr] of s.qrs.entries()) {
    const due = start + s.arrivals![k]!;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lat.startLag.push(performance.now() - due);
    flows.push(flow(s, qr, due));
  }
  await Promise.all(flows);
}

const started = performance.now();
await Promise.all(job.sites.map((s) => (job.mode === 'paced' ? openLoop(s, started) : closedLoop(s))));
fs.writeFileSync(process.argv[3]!, JSON.stringify({ seconds: (performance.now() - started) / 1000, lat, failures }));
