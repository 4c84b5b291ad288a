// Table shapes of the testing module (Kysely declaration merging). Only this module's files import them.
import type { Generated, Selectable } from 'kysely';

export type ResultValue = 'positive' | 'negative' | 'invalid';

export interface TestTypeTable {
  code: string;
  name_vi: string;
  name_en: string;
  max_pool: number;
  active: Generated<boolean>;
}

export interface SamplingPointTable {
  id: Generated<string>;
  code: string;
  name: string;
  commune_code: string;
  team: Generated<string>;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  created_by: string | null;
}

export interface SampleTable {
  id: Generated<string>;
  tube_code: string;
  test_type: string;
  collected_at: Date;
  collected_on: string;
  point_id: string | null;
  commune_code: string;
  collector: Generated<string>;
  collected_by: string | null;
  client_id: string | null;
  pool_size: number;
  source: 'app' | 'import';
  result: ResultValue | null;
  resulted_at: Date | null;
  lab_code: string | null;
  result_id: string | null;
  created_at: Generated<Date>;
}

export interface SampleMemberTable {
  sample_id: string;
  person_id: string;
  position: number;
}

export interface TestResultTable {
  id: Generated<string>;
  sample_id: string;
  result: ResultValue;
  resulted_at: Date;
  lab_code: string | null;
  recorded_at: Date;
  recorded_by: string | null;
  source: 'entry' | 'upload' | 'import';
  replaces_id: string | null;
  reason: string | null;
}

export interface TestingTaskTable {
  id: Generated<string>;
  kind: 'retest' | 'resample';
  person_id: string;
  sample_id: string;
  commune_code: string;
  status: Generated<'open' | 'done' | 'cancelled'>;
  created_at: Date;
  closed_at: Date | null;
  closed_by: string | null;
  done_sample_id: string | null;
  note: Generated<string>;
}

export interface TestNoticeTable {
  id: Generated<string>;
  result_id: string;
  person_id: string;
  kind: 'negative' | 'positive' | 'pool-positive' | 'invalid';
  channel: 'sms' | 'none';
  created_at: Date;
}

declare module '../../platform/db/types' {
  interface Database {
    test_types: TestTypeTable;
    sampling_points: SamplingPointTable;
    samples: SampleTable;
    sample_members: SampleMemberTable;
    test_results: TestResultTable;
    testing_tasks: TestingTaskTable;
    test_notices: TestNoticeTable;
  }
}

export type SampleRow = Selectable<SampleTable>;
export type TestResultRow = Selectable<TestResultTable>;
export type TaskRow = Selectable<TestingTaskTable>;
