// Table shapes of the calls module (Kysely declaration merging). Only this module's files import them.
import type { Generated, Selectable } from 'kysely';

/** How a survey's answers came: the robot's call, the hotline, the SMS link, a tracer's own call (manual). */
export type SurveySource = 'outbound' | 'inbound' | 'sms' | 'manual';

export interface CallScriptTable {
  id: Generated<string>;
  name: string;
  unit_code: string;
  language: string;
  body: unknown;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CallCampaignTable {
  id: Generated<string>;
  name: string;
  unit_code: string;
  script_id: string;
  audience_kind: 'monitoring' | 'list' | 'filter';
  audience_filter: unknown;
  window_start: string;
  window_end: string;
  retry_busy_minutes: number;
  retry_no_answer_minutes: number;
  retry_failed_minutes: number;
  max_attempts: number;
  channels: number;
  calls_per_second: string | number;
  ring_timeout_seconds: number;
  non_reporting_days: number;
  alert_phones: string[];
  status: Generated<string>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CallAudienceTable {
  campaign_id: string;
  member_key: string;
  person_id: string | null;
  phone: string | null;
  full_name: string;
  unit_code: string | null;
  level: number | null;
  active: Generated<boolean>;
  invalid_phone: string | null;
  joined_at: Generated<Date>;
  left_at: Date | null;
}

export interface CallDailyTable {
  id: Generated<string>;
  campaign_id: string;
  day: string;
  member_key: string;
  person_id: string | null;
  phone: string | null;
  full_name: string;
  unit_code: string | null;
  status: Generated<string>;
  attempts: Generated<number>;
  next_at: Date;
  lease_until: Date | null;
  last_disposition: string | null;
  last_sip_code: number | null;
  answers: unknown;
  symptomatic: boolean | null;
  completed_at: Date | null;
  sms_fallback_at: Date | null;
  survey_token: string | null;
  /** answered calls lost with their dialer (the watchdog gave them back); at POISON_LIMIT the call is failed */
  crashes: Generated<number>;
  /** why a `failed` call is not placed again: 'dialer-lost-answered' (a poison call), 'dialer-error' */
  failed_reason: string | null;
  updated_at: Generated<Date>;
}

export interface CallAttemptTable {
  id: Generated<string>;
  daily_id: string | null;
  campaign_id: string | null;
  person_id: string | null;
  phone: string | null;
  unit_code: string | null;
  kind: 'robot' | 'manual';
  direction: 'outbound' | 'inbound';
  provider: Generated<string>;
  started_at: Date;
  ringing_at: Date | null;
  answered_at: Date | null;
  ended_at: Date | null;
  sip_code: number | null;
  disposition: string | null;
  reason: string | null;
  billsec: string | number | null;
  digits: Generated<string>;
  answers: unknown;
  outcome: string | null;
  recorded_by: string | null;
  note: Generated<string>;
}

export interface CallFlagTable {
  id: Generated<string>;
  kind: 'symptomatic' | 'wrong-number';
  campaign_id: string | null;
  person_id: string | null;
  phone: string | null;
  full_name: string;
  unit_code: string;
  day: string;
  details: unknown;
  source: SurveySource;
  created_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
}

export interface CallReportTable {
  unit_code: string;
  day: string;
  figures: unknown;
  created_at: Date;
  sent_at: Date | null;
  emailed_at: Generated<Date | null>;
}

export interface CallVoiceMessageTable {
  id: Generated<string>;
  unit_code: string;
  person_id: string | null;
  phone: string;
  full_name: string;
  received_at: Date;
  duration_ms: number;
  ended_by: 'key' | 'silence' | 'max-length' | 'hangup';
  audio: Buffer;
  handled_at: Date | null;
  handled_by: string | null;
  note: Generated<string>;
}

declare module '../../platform/db/types' {
  interface Database {
    call_scripts: CallScriptTable;
    call_campaigns: CallCampaignTable;
    call_audience: CallAudienceTable;
    call_daily: CallDailyTable;
    call_attempts: CallAttemptTable;
    call_flags: CallFlagTable;
    call_reports: CallReportTable;
    call_voice_messages: CallVoiceMessageTable;
  }
}

export type CampaignRow = Selectable<CallCampaignTable>;
export type DailyRow = Selectable<CallDailyTable>;
