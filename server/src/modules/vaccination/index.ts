// Module vaccination (being built): campaigns, products and lots, sites, sessions and slots, bookings, screening,
// doses, AEFI, the electronic health book. Its events are declared in events.ts.
export type { DoseRecorded, DoseVoided } from './events';
