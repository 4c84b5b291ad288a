// The only reader of process.env. One TypeBox schema gives both the validation and the Config type.
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { PublicUrlSource } from './platform/public-url';
import { parseAllowNets } from './platform/net-guard';

const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535, env: 'PORT', default: 8080 }),
  host: Type.String({ minLength: 1, env: 'HOST', default: '0.0.0.0' }),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', env: 'DATABASE_URL' })),
  dataDir: Type.String({ minLength: 1, env: 'VIGIL_DATA_DIR', default: './data' }),
  embeddedPgPort: Type.Integer({ minimum: 0, maximum: 65535, env: 'VIGIL_PG_PORT', default: 0 }),
  timeZone: Type.String({ minLength: 1, env: 'VIGIL_TZ', default: 'Asia/Ho_Chi_Minh' }),
  signingKeyDir: Type.Optional(Type.String({ minLength: 1, env: 'VIGIL_SIGNING_KEY_DIR' })),
  // other issuers' EU DCC document signer certificates the verify route and page trust besides our own
  // (a PEM file, a base64 DER certificate or a trust list JSON, as `vigil cert verify --trust` reads)
  dccTrustFile: Type.Optional(Type.String({ minLength: 1, env: 'VIGIL_DCC_TRUST_FILE' })),
  // EU DCC test certificates: how long a negative test counts from its sample collection, per test type (NAAT such
  // as RT-PCR or LAMP; rapid antigen), and the rapid antigen device this deployment's sites use (its id in the EU
  // HSC common list, the certificate's `ma`); without it no antigen-test certificate is issued
  dccNaatValidityHours: Type.Integer({ minimum: 1, maximum: 24 * 30, env: 'VIGIL_DCC_NAAT_VALIDITY_HOURS', default: 72 }),
  dccRatValidityHours: Type.Integer({ minimum: 1, maximum: 24 * 30, env: 'VIGIL_DCC_RAT_VALIDITY_HOURS', default: 48 }),
  dccRatDevice: Type.Optional(Type.String({ pattern: '^[0-9]{1,10}$', env: 'VIGIL_DCC_RAT_DEVICE' })),
  // EU DCC document signers: how often a process looks whether another one rotated or retired a signer (seconds), and
  // how long a retired signer still verifies after its retirement (minutes; 0 = at once, for a compromised key)
  dccSignerRefreshSeconds: Type.Number({ minimum: 0, maximum: 3600, env: 'VIGIL_DCC_SIGNER_REFRESH_SECONDS', default: 5 }),
  dccRetireGraceMinutes: Type.Integer({ minimum: 0, maximum: 60 * 24 * 30, env: 'VIGIL_DCC_RETIRE_GRACE_MINUTES', default: 0 }),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { env: 'LOG_LEVEL', default: 'info' },
  ),
  publicUrl: Type.Optional(Type.String({ pattern: '^https?://', env: 'VIGIL_PUBLIC_URL' })),
  sessionTtlHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 30, env: 'VIGIL_SESSION_TTL_HOURS', default: 12 }),
  checkinRetentionDays: Type.Integer({ minimum: 1, maximum: 3650, env: 'VIGIL_CHECKIN_RETENTION_DAYS', default: 21 }),
  declarationRetentionDays: Type.Integer({ minimum: 1, maximum: 3650, env: 'VIGIL_DECLARATION_RETENTION_DAYS', default: 60 }),
  auditRetentionDays: Type.Integer({ minimum: 30, maximum: 36500, env: 'VIGIL_AUDIT_RETENTION_DAYS', default: 1825 }),
  adminLevels: Type.Array(Type.String({ pattern: '^[a-z_]+$' }), {
    minItems: 1,
    maxItems: 6,
    env: 'VIGIL_ADMIN_LEVELS',
    default: ['province', 'district', 'commune'],
  }),
  jobs: Type.Boolean({ env: 'VIGIL_JOBS', default: true }),
  // Domain events: a failing subscriber is retried this many times, the first retry after this delay, doubling.
  eventRetryLimit: Type.Integer({ minimum: 0, maximum: 100, env: 'VIGIL_EVENT_RETRY_LIMIT', default: 8 }),
  eventRetryDelaySeconds: Type.Integer({ minimum: 0, maximum: 3600, env: 'VIGIL_EVENT_RETRY_DELAY_SECONDS', default: 5 }),
  // SMS (module messaging). The provider: console (development, demo: prints to stderr), smpp (the carrier's SMSC),
  // http (a brandname-SMS gateway, see README "SMS").
  smsProvider: Type.Union([Type.Literal('console'), Type.Literal('smpp'), Type.Literal('http')], { env: 'VIGIL_SMS_PROVIDER', default: 'console' }),
  smppUrl: Type.Optional(Type.String({ pattern: '^smpp://[^:@/]+:[^@/]*@[^:/]+(:\\d+)?/?$', env: 'VIGIL_SMPP_URL' })),
  smsSource: Type.String({ minLength: 1, maxLength: 20, env: 'VIGIL_SMS_SOURCE', default: 'VIGIL' }),
  smsTps: Type.Number({ exclusiveMinimum: 0, maximum: 10_000, env: 'VIGIL_SMS_TPS', default: 20 }),
  smppWindow: Type.Integer({ minimum: 1, maximum: 1000, env: 'VIGIL_SMPP_WINDOW', default: 10 }),
  smsHttpUrl: Type.Optional(Type.String({ pattern: '^https?://', env: 'VIGIL_SMS_HTTP_URL' })),
  smsHttpToken: Type.Optional(Type.String({ minLength: 1, env: 'VIGIL_SMS_HTTP_TOKEN' })),
  smsMaxAttempts: Type.Integer({ minimum: 1, maximum: 50, env: 'VIGIL_SMS_MAX_ATTEMPTS', default: 6 }),
  smsRetryDelaySeconds: Type.Number({ minimum: 0, maximum: 3600, env: 'VIGIL_SMS_RETRY_DELAY_SECONDS', default: 5 }),
  smsRetentionDays: Type.Integer({ minimum: 1, maximum: 3650, env: 'VIGIL_SMS_RETENTION_DAYS', default: 90 }),
  trustProxy: Type.Boolean({ env: 'VIGIL_TRUST_PROXY', default: false }),
  // Per client address. Mobile carriers put many phones behind one address (carrier-grade NAT): raise it when a busy
  // entrance sees 429s. Signed-in gate staff have their own, higher limit per user.
  // Database client: a request fails fast (503) instead of queueing behind a database that does not answer.
  dbConnectTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, env: 'VIGIL_DB_CONNECT_TIMEOUT_MS', default: 5_000 }),
  dbStatementTimeoutMs: Type.Integer({ minimum: 0, maximum: 86_400_000, env: 'VIGIL_DB_STATEMENT_TIMEOUT_MS', default: 60_000 }),
  publicCheckinsPerMinute: Type.Integer({ minimum: 10, maximum: 1_000_000, env: 'VIGIL_PUBLIC_CHECKINS_PER_MINUTE', default: 120 }),
  // Worker threads that check the Ed25519 signatures of first-seen QR codes (posters, personal cards) off the event
  // loop (platform/signing verify-pool.ts); 0: on the event loop.
  signatureWorkers: Type.Integer({ minimum: 0, maximum: 16, env: 'VIGIL_SIGNATURE_WORKERS', default: 1 }),
  // A phone's remembered identity (device token) stops working after this many days without a check-in.
  deviceTokenIdleDays: Type.Integer({ minimum: 1, maximum: 3650, env: 'VIGIL_DEVICE_TOKEN_IDLE_DAYS', default: 30 }),
  // Contact tracing (cases module): infectious window starts this many days before symptom onset (or the test)
  traceDaysBefore: Type.Integer({ minimum: 0, maximum: 21, env: 'VIGIL_TRACE_DAYS_BEFORE', default: 2 }),
  traceMinOverlapMinutes: Type.Integer({ minimum: 0, maximum: 720, env: 'VIGIL_TRACE_MIN_OVERLAP_MINUTES', default: 0 }),
  // Mass exposure (README "Contact tracing"): an F1's stay at a venue during which more than this many other people
  // were there is announced (an exposure notice for the venue and window), not expanded into F2s one by one; F1s,
  // households and smaller settings are always listed. 0: off, list everyone.
  traceMassExposure: Type.Integer({ minimum: 0, maximum: 1_000_000, env: 'VIGIL_TRACE_MASS_EXPOSURE', default: 100 }),
  // Robot calls (module calls): run the dialers in this server; the daily report's cut-off hour (local time).
  callsDialer: Type.Boolean({ env: 'VIGIL_CALLS_DIALER', default: true }),
  callsReportHour: Type.Integer({ minimum: 0, maximum: 23, env: 'VIGIL_CALLS_REPORT_HOUR', default: 18 }),
  // Hotline voice messages: longest message, the silence that ends one, how long they are kept (then deleted).
  callsVoiceMaxSeconds: Type.Integer({ minimum: 10, maximum: 600, env: 'VIGIL_CALLS_VOICE_MAX_SECONDS', default: 120 }),
  callsVoiceSilenceSeconds: Type.Integer({ minimum: 1, maximum: 60, env: 'VIGIL_CALLS_VOICE_SILENCE_SECONDS', default: 5 }),
  callsVoiceRetentionDays: Type.Integer({ minimum: 1, maximum: 3650, env: 'VIGIL_CALLS_VOICE_RETENTION_DAYS', default: 30 }),
  // The daily report by e-mail (README "Robot calls"): the SMTP server (smtp://user:pass@host:587 or smtps://…:465),
  // the sender, and the steering committee's addresses per province: "40=a@x.vn,b@x.vn;42=c@y.vn".
  smtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://', maxLength: 500, env: 'VIGIL_SMTP_URL' })),
  smtpFrom: Type.String({ minLength: 3, maxLength: 200, env: 'VIGIL_SMTP_FROM', default: 'Vigil <vigil@localhost>' }),
  callsReportEmails: Type.String({ maxLength: 10_000, env: 'VIGIL_CALLS_REPORT_EMAILS', default: '' }),
  traceLevels: Type.Integer({ minimum: 1, maximum: 5, env: 'VIGIL_TRACE_LEVELS', default: 2 }),
  f1QuarantineDays: Type.Integer({ minimum: 1, maximum: 60, env: 'VIGIL_F1_QUARANTINE_DAYS', default: 14 }),
  f2MonitoringDays: Type.Integer({ minimum: 1, maximum: 60, env: 'VIGIL_F2_MONITORING_DAYS', default: 7 }),
  // The hotline contacts are told to call in their SMS warning (cases → messaging 'contact.warning').
  healthHotline: Type.String({ minLength: 3, maxLength: 20, pattern: '^[0-9+ ]+$', env: 'VIGIL_HEALTH_HOTLINE', default: '1900 9095' }),
  cameraProbeTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, env: 'VIGIL_CAMERA_PROBE_TIMEOUT_MS', default: 3000 }),
  // The camera probe refuses loopback, link-local (cloud metadata), private and reserved addresses. A province whose
  // cameras sit on its private network allows the private ranges, or exact CIDRs (comma-separated).
  cameraAllowPrivate: Type.Boolean({ env: 'VIGIL_CAMERA_ALLOW_PRIVATE', default: false }),
  cameraAllowNets: Type.String({ maxLength: 2000, env: 'VIGIL_CAMERA_ALLOW_NETS', default: '' }),
  // Check-ins accepted but not yet being written (group commit) at most; beyond it check-ins answer 503 + Retry-After.
  checkinQueueMax: Type.Integer({ minimum: 1, maximum: 10_000_000, env: 'VIGIL_CHECKIN_QUEUE_MAX', default: 20_000 }),
  // Robot calls over SIP (module calls, README "Robot calls"): the carrier's trunk and our user agent.
  sipHost: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.-]+$', env: 'VIGIL_SIP_HOST' })),
  sipPort: Type.Integer({ minimum: 1, maximum: 65535, env: 'VIGIL_SIP_PORT', default: 5060 }),
  sipUser: Type.Optional(Type.String({ minLength: 1, maxLength: 100, env: 'VIGIL_SIP_USER' })),
  sipPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 200, env: 'VIGIL_SIP_PASSWORD' })),
  sipCallerId: Type.String({ pattern: '^[+\\w.-]{1,40}$', env: 'VIGIL_SIP_CALLER_ID', default: 'vigil' }),
  sipMaxChannels: Type.Integer({ minimum: 1, maximum: 10_000, env: 'VIGIL_SIP_MAX_CHANNELS', default: 30 }),
  sipMaxCallsPerSecond: Type.Number({ exclusiveMinimum: 0, maximum: 1000, env: 'VIGIL_SIP_MAX_CALLS_PER_SECOND', default: 5 }),
  sipRegister: Type.Boolean({ env: 'VIGIL_SIP_REGISTER', default: false }),
  sipLocalAddress: Type.String({ pattern: '^\\d{1,3}(\\.\\d{1,3}){3}$', env: 'VIGIL_SIP_LOCAL_ADDRESS', default: '0.0.0.0' }),
  sipLocalPort: Type.Integer({ minimum: 0, maximum: 65535, env: 'VIGIL_SIP_LOCAL_PORT', default: 5060 }),
  sipPublicAddress: Type.Optional(Type.String({ pattern: '^\\d{1,3}(\\.\\d{1,3}){3}$', env: 'VIGIL_SIP_PUBLIC_ADDRESS' })),
  sipRingTimeoutSeconds: Type.Integer({ minimum: 5, maximum: 300, env: 'VIGIL_SIP_RING_TIMEOUT_SECONDS', default: 45 }),
  // Which telephony carries the robot's outbound calls and which answers the hotline (README "Robot calls"):
  // auto = the SIP trunk when VIGIL_SIP_HOST is set, else the simulated provider (outbound) / none (hotline: the
  // simulated provider gets no inbound calls).
  callsProvider: Type.Union([Type.Literal('auto'), Type.Literal('sip'), Type.Literal('twiml'), Type.Literal('simulated')], { env: 'VIGIL_CALLS_PROVIDER', default: 'auto' }),
  callsHotlineProvider: Type.Union([Type.Literal('auto'), Type.Literal('sip'), Type.Literal('twiml'), Type.Literal('none')], { env: 'VIGIL_CALLS_HOTLINE_PROVIDER', default: 'auto' }),
  // A Twilio-style (TwiML) account: REST API base, account SID and auth token (the webhooks' signing key: secret),
  // the caller id (a number of the account), channels; the webhooks are {VIGIL_PUBLIC_URL}/api/calls/twiml/… unless
  // VIGIL_TWILIO_WEBHOOK_URL gives the public URL of that prefix (behind a proxy that rewrites paths).
  twilioApiBase: Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', maxLength: 300, env: 'VIGIL_TWILIO_API_BASE', default: 'https://api.twilio.com' }),
  twilioAccountSid: Type.Optional(Type.String({ pattern: '^AC[0-9a-fA-F]{32}$', env: 'VIGIL_TWILIO_ACCOUNT_SID' })),
  twilioAuthToken: Type.Optional(Type.String({ minLength: 8, maxLength: 200, env: 'VIGIL_TWILIO_AUTH_TOKEN' })),
  twilioFrom: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{3,20}$', env: 'VIGIL_TWILIO_FROM' })),
  twilioMaxChannels: Type.Integer({ minimum: 1, maximum: 10_000, env: 'VIGIL_TWILIO_MAX_CHANNELS', default: 30 }),
  twilioWebhookUrl: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+[^/]$', maxLength: 300, env: 'VIGIL_TWILIO_WEBHOOK_URL' })),
  twilioWebhooksPerMinute: Type.Integer({ minimum: 10, maximum: 1_000_000, env: 'VIGIL_TWILIO_WEBHOOKS_PER_MINUTE', default: 6000 }),
});

export type ConfigValues = Static<typeof ConfigSchema>;

export interface Config extends ConfigValues {
  /** Absolute data directory. */
  dataDir: string;
  signingKeyDir: string;
  publicUrl: string;
  /** Where publicUrl came from: VIGIL_PUBLIC_URL (or an override), the LAN address `vigil start` found, or the
   * loopback default (platform/public-url.ts) */
  publicUrlSource: PublicUrlSource;
  /** Time source for every rule that depends on time; tests pin it. */
  clock: () => Date;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

/** Build a Config from an environment (default process.env) plus explicit overrides (tests, CLI flags). */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    const name = (schema as unknown as { env: string }).env;
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (key === 'adminLevels') raw[key] = value.split(',').map((s) => s.trim()).filter(Boolean);
    else if (schema.type === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(value)) problems.push(`${name} must be true or false (got "${value}")`);
      raw[key] = value === 'true' || value === '1';
    } else if (schema.type === 'integer' || schema.type === 'number') raw[key] = Number(value);
    else raw[key] = value;
  }
  Object.assign(raw, Object.fromEntries(Object.entries(overrides).filter(([k]) => k in ConfigSchema.properties)));
  const withDefaults = Value.Default(ConfigSchema, raw) as Record<string, unknown>;
  for (const err of Value.Errors(ConfigSchema, withDefaults)) {
    const key = err.path.split('/')[1] ?? '';
    const name = (ConfigSchema.properties as Record<string, { env?: string }>)[key]?.env ?? key;
    const secret = key === 'smppUrl' || key === 'smsHttpToken' || key === 'sipPassword' || key === 'smtpUrl' || key === 'twilioAuthToken';
    problems.push(`${name}: ${err.message}${secret ? '' : ` (got ${JSON.stringify(err.value)})`}`);
  }
  const values = withDefaults as ConfigValues;
  if (!problems.length) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: values.timeZone });
    } catch {
      problems.push(`VIGIL_TZ: unknown time zone "${values.timeZone}"`);
    }
    const recipients = parseReportEmails(values.callsReportEmails);
    if (typeof recipients === 'string') problems.push(`VIGIL_CALLS_REPORT_EMAILS: ${recipients}`);
    try {
      parseAllowNets(values.cameraAllowNets);
    } catch (err) {
      problems.push(`VIGIL_CAMERA_ALLOW_NETS: ${(err as Error).message}`);
    }
    if (values.smsProvider === 'smpp' && !values.smppUrl) problems.push('VIGIL_SMS_PROVIDER=smpp needs VIGIL_SMPP_URL (smpp://system_id:password@host:port)');
    if (values.smsProvider === 'http' && !values.smsHttpUrl) problems.push('VIGIL_SMS_PROVIDER=http needs VIGIL_SMS_HTTP_URL');
    if ((values.callsProvider === 'twiml' || values.callsHotlineProvider === 'twiml') && !(values.twilioAccountSid && values.twilioAuthToken && values.twilioFrom))
      problems.push('VIGIL_CALLS_PROVIDER=twiml or VIGIL_CALLS_HOTLINE_PROVIDER=twiml needs VIGIL_TWILIO_ACCOUNT_SID, VIGIL_TWILIO_AUTH_TOKEN and VIGIL_TWILIO_FROM');
    if ((values.callsProvider === 'sip' || values.callsHotlineProvider === 'sip') && !values.sipHost) problems.push('VIGIL_CALLS_PROVIDER=sip or VIGIL_CALLS_HOTLINE_PROVIDER=sip needs VIGIL_SIP_HOST');
  }
  if (problems.length) throw new ConfigError([...new Set(problems)]);
  const dataDir = path.resolve(values.dataDir);
  return {
    ...values,
    dataDir,
    signingKeyDir: path.resolve(overrides.signingKeyDir ?? values.signingKeyDir ?? path.join(dataDir, 'keys')),
    publicUrl: (overrides.publicUrl ?? values.publicUrl ?? `http://localhost:${values.port}`).replace(/\/$/, ''),
    publicUrlSource: overrides.publicUrl || values.publicUrl ? 'configured' : 'default',
    clock: overrides.clock ?? (() => new Date()),
  };
}

/** Names of the environment variables, for --help and the README. */
export const configEnvVars = Object.values(ConfigSchema.properties).map((s) => (s as unknown as { env: string }).env);

/**
 * VIGIL_CALLS_REPORT_EMAILS: "40=a@x.vn,b@x.vn;42=c@y.vn" → province code → addresses; a message naming the
 * first bad part when it is not so.
 */
export function parseReportEmails(raw: string): Map<string, string[]> | string {
  const out = new Map<string, string[]>();
  for (const part of raw.split(';').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([0-9A-Za-z]{1,20})\s*=\s*(.+)$/.exec(part);
    if (!m) return `"${part}" is not UNIT=address,address`;
    const addresses = m[2]!.split(',').map((a) => a.trim()).filter(Boolean);
    const bad = addresses.find((a) => !/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(a));
    if (bad !== undefined || !addresses.length) return `"${bad ?? part}" is not an e-mail address`;
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), ...addresses]);
  }
  return out;
}
