// PROVISIONAL: a copy of the shapes in server/src/modules/testing/schema.ts (being written on another branch); once
// it is merged this file re-exports from it (import type only) and the compiler shows every difference.
export type ResultValue = 'positive' | 'negative' | 'invalid';
export type TaskKind = 'retest' | 'resample';

export interface TestType {
  code: string;
  name: string;
  nameEn: string;
  maxPool: number;
}
export interface TestTypeList {
  items: TestType[];
}
export interface SamplingPoint {
  id: string;
  code: string;
  name: string;
  communeCode: string;
  communeName: string;
  team: string;
  active: boolean;
}
export interface PointList {
  items: SamplingPoint[];
}

export interface SamplePerson {
  token?: string;
  fullName?: string;
  phone?: string;
  birthYear?: number;
  nationalId?: string;
  communeCode?: string;
}
export interface SampleSubmission {
  clientId?: string;
  tubeCode: string;
  testType: string;
  collectedAt: string;
  pointCode?: string;
  communeCode?: string;
  collector?: string;
  people: SamplePerson[];
}
export interface BatchBody {
  items: (SampleSubmission & { clientId: string })[];
}

export interface Member {
  personId: string;
  fullName: string;
  phone: string | null;
  birthYear: number | null;
  created?: boolean;
}
export interface ResultEntry {
  id: string;
  result: ResultValue;
  resultedAt: string;
  labCode: string | null;
  recordedAt: string;
  source: string;
  replaces: { id: string; result: ResultValue } | null;
  reason: string | null;
}
export interface Sample {
  id: string;
  tubeCode: string;
  testType: string;
  collectedAt: string;
  collectedOn: string;
  point: { code: string; name: string } | null;
  communeCode: string;
  communeName: string;
  collector: string;
  clientId: string | null;
  poolSize: number;
  result: ResultValue | null;
  resultedAt: string | null;
  labCode: string | null;
  members: Member[];
}
export interface BatchItemResult {
  clientId: string;
  status: 'created' | 'replay' | 'rejected';
  sample?: Sample;
  error?: { code: string; message: string; details?: { path: string; message: string }[] };
}
export interface BatchResponse {
  items: BatchItemResult[];
}
export interface SampleListQuery {
  unit?: string;
  day?: string;
  point?: string;
  status?: 'waiting' | 'positive' | 'negative' | 'invalid';
  tube?: string;
  limit: number;
  offset: number;
}
export interface SampleList {
  items: Sample[];
  total: number;
}
export interface SampleDetail {
  sample: Sample;
  history: ResultEntry[];
  tasks: { id: string; kind: string; personId: string; status: string; createdAt: string }[];
}

export interface ResultBody {
  tubeCode: string;
  result: ResultValue;
  resultedAt: string;
  labCode?: string | null;
  reason?: string;
}
export interface ResultResponse {
  status: 'recorded' | 'unchanged' | 'corrected';
  sample: Sample;
  retestTasks: number;
  resampleTasks: number;
}
export interface ImportLineError {
  line: number;
  path: string;
  message: string;
}
export interface ImportResult {
  total: number;
  imported: number;
  duplicates: number;
  corrected?: number;
  errors: ImportLineError[];
  errorsTruncated: boolean;
}

export interface TaskListQuery {
  kind?: TaskKind;
  status: 'open' | 'done' | 'cancelled';
  unit?: string;
  limit: number;
  offset: number;
}
export interface Task {
  id: string;
  kind: TaskKind;
  status: string;
  since: string;
  closedAt: string | null;
  note: string;
  tubeCode: string;
  sampleId: string;
  communeCode: string;
  person: { id: string; fullName: string; phone: string | null; birthYear: number | null };
  doneSampleId: string | null;
}
export interface TaskList {
  items: Task[];
  total: number;
}
export interface CloseTaskBody {
  status: 'done' | 'cancelled';
  note?: string;
}

export interface PersonResult {
  sampleId: string;
  tubeCode: string;
  testType: string;
  collectedAt: string;
  pooled: boolean;
  outcome: 'waiting' | 'negative' | 'positive' | 'pool-positive' | 'invalid';
  resultedAt: string | null;
  pointName: string | null;
  openTask: TaskKind | null;
}
export interface PersonResults {
  person: { id: string; fullName: string };
  items: PersonResult[];
}
export interface MyResults {
  people: PersonResults[];
}

export interface DashboardQuery {
  unit?: string;
  from?: string;
  to?: string;
}
export interface Dashboard {
  from: string;
  to: string;
  perDay: { day: string; unitCode: string; unitName: string; tubes: number; people: number; positive: number; negative: number; invalid: number; waiting: number }[];
  positivity: { day: string; resulted: number; positive: number; rate: number | null }[];
  turnaround: { n: number; p50Hours: number | null; p90Hours: number | null };
  openRetests: number;
  openResamples: number;
  poolSizes: { size: number; tubes: number }[];
}
