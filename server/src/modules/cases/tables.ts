// Table shapes of the cases module (Kysely declaration merging). Only this module's files import them.
import type { Generated, Selectable } from 'kysely';

export interface CaseTable {
  id: Generated<string>;
  code: string;
  person_id: string;
  province_code: string;
  commune_code: string;
  confirmed_at: Date;
  onset_date: string | null;
  test_date: string | null;
  isolated_at: Date | null;
  source: string;
  status: Generated<string>;
  status_changed_at: Date | null;
  status_reason: string | null;
  review_reason: string | null;
  review_flagged_at: Date | null;
  isolation: Generated<string>;
  place_id: string | null;
  origin: Generated<string>;
  origin_ref: string | null;
  notes: Generated<string>;
  last_symptoms: unknown;
  trace_status: Generated<string>;
  trace_levels: Generated<number>;
  trace_started_at: Date | null;
  trace_finished_at: Date | null;
  trace_counts: Generated<unknown>;
  trace_error: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CaseContactTable {
  id: Generated<string>;
  case_id: string;
  person_id: string;
  level: number;
  unit_code: string;
  via_person_id: string | null;
  first_exposure_at: Date | null;
  last_exposure_at: Date | null;
  order_kind: string;
  order_start: string;
  order_end: string;
  status: Generated<string>;
  status_changed_at: Date | null;
  end_reason: string | null;
  flagged: Generated<boolean>;
  place_id: string | null;
  origin: string;
  became_case_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ContactExposureTable {
  id: Generated<string>;
  contact_id: string;
  kind: string;
  via: string;
  venue_id: string | null;
  from_at: Date | null;
  to_at: Date | null;
  overlap_minutes: number | null;
  source_person_id: string | null;
  /** sources present during a venue stay (migration 0005); 1 for the other kinds */
  sources_count: Generated<number>;
  note: Generated<string>;
  created_at: Generated<Date>;
}

export interface FollowUpTable {
  id: Generated<string>;
  person_id: string;
  day: string;
  symptoms: boolean;
  temperature: string | number | null;
  symptom_list: Generated<string[]>;
  channel: string;
  note: Generated<string>;
  recorded_by: string | null;
  recorded_at: Generated<Date>;
}

export interface CaseTaskTable {
  id: Generated<string>;
  kind: string;
  person_id: string;
  unit_code: string;
  reason: string;
  status: Generated<string>;
  created_at: Generated<Date>;
  done_at: Date | null;
  done_by: string | null;
}

export interface PlaceTable {
  id: Generated<string>;
  name: string;
  kind: string;
  purpose: Generated<string>;
  commune_code: string;
  address: Generated<string>;
  capacity: number;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  created_by: string | null;
}

export interface PlaceCameraTable {
  id: Generated<string>;
  place_id: string;
  name: string;
  location: Generated<string>;
  stream_url: string;
  last_probe_at: Date | null;
  last_probe_ok: boolean | null;
  /** why the last probe failed (cameras.ts PROBE_REASONS; migration 0008), null when it succeeded */
  last_probe_reason: string | null;
  last_probe_detail: string | null;
  created_at: Generated<Date>;
}

export interface PlaceStayTable {
  id: Generated<string>;
  place_id: string;
  person_id: string;
  case_id: string | null;
  contact_id: string | null;
  admitted_on: string;
  planned_discharge_on: string | null;
  discharged_on: string | null;
  created_at: Generated<Date>;
}

export interface ExposureNoticeTable {
  id: Generated<string>;
  case_id: string;
  venue_id: string;
  entrance_id: string | null;
  from_at: Date;
  to_at: Date;
  published_at: Generated<Date>;
  withdrawn_at: Date | null;
}

export interface ContactImportReviewTable {
  id: Generated<string>;
  case_id: string;
  line: unknown;
  line_key: string;
  candidate_ids: string[];
  reason: string;
  unit_code: string;
  created_at: Generated<Date>;
  created_by: string | null;
}

export interface FollowUpAssignmentTable {
  person_id: string;
  tracer_user_id: string;
  unit_code: string;
  assigned_by: string | null;
  assigned_at: Date;
}

export interface CaseCodeCounterTable {
  province_code: string;
  last_value: number;
}

declare module '../../platform/db/types' {
  interface Database {
    cases: CaseTable;
    case_contacts: CaseContactTable;
    contact_exposures: ContactExposureTable;
    follow_ups: FollowUpTable;
    case_tasks: CaseTaskTable;
    quarantine_places: PlaceTable;
    place_cameras: PlaceCameraTable;
    place_stays: PlaceStayTable;
    exposure_notices: ExposureNoticeTable;
    contact_import_reviews: ContactImportReviewTable;
    case_code_counters: CaseCodeCounterTable;
    followup_assignments: FollowUpAssignmentTable;
  }
}

export type CaseRow = Selectable<CaseTable>;
export type ContactRow = Selectable<CaseContactTable>;
export type ExposureRow = Selectable<ContactExposureTable>;
export type FollowUpRow = Selectable<FollowUpTable>;
export type PlaceRow = Selectable<PlaceTable>;
