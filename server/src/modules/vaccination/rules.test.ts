// Screening classification, dose warnings, ages and priority-group rules (pure logic).
import { describe, expect, it } from 'vitest';
import { ageLimitProblem, ageOn, classify, doseCount, doseWarnings, eligibleFor, judgePriorityClaim, type ScreeningAnswers } from './rules';

const none: ScreeningAnswers = {
  anaphylaxisToVaccine: false,
  severeAllergyOther: false,
  acuteIllness: false,
  covidLast3Months: false,
  otherVaccineLast14Days: false,
  chronicUncontrolled: false,
  chronicControlled: false,
  immunocompromised: false,
  pregnancyWeeks: null,
  bleedingDisorder: false,
};

describe('screening', () => {
  it('classifies into the four groups, the most severe rule first', () => {
    expect(classify(none, { age: 40, temperature: 36.6 })).toEqual({ outcome: 'eligible', rules: [] });
    expect(classify({ ...none, bleedingDisorder: true }, { age: 40, temperature: 36.6 })).toEqual({ outcome: 'caution', rules: ['bleeding-disorder'] });
    expect(classify({ ...none, chronicControlled: true }, { age: 70, temperature: 37.6 })).toEqual({ outcome: 'postpone', rules: ['fever', 'chronic-controlled', 'age-65-plus'] });
    expect(classify({ ...none, acuteIllness: true, anaphylaxisToVaccine: true }, { age: 30, temperature: null }).outcome).toBe('contraindicated');
    expect(classify({ ...none, pregnancyWeeks: 8 }, { age: 30, temperature: null })).toEqual({ outcome: 'postpone', rules: ['pregnancy-first-trimester'] });
    expect(classify({ ...none, pregnancyWeeks: 20 }, { age: 30, temperature: null })).toEqual({ outcome: 'caution', rules: ['pregnancy'] });
  });
});

describe('dose warnings', () => {
  const az = { code: 'EU/1/21/1529', minAge: 18, maxAge: null, intervalDays: 56 };
  const sino = { code: 'BBIBP-CorV', minAge: 18, maxAge: 65, intervalDays: 21 };
  it('warns about age, mixed products and early doses', () => {
    expect(doseWarnings(az, 30, [], '2021-08-01')).toEqual([]);
    expect(doseWarnings(az, 16, [], '2021-08-01')).toEqual(['under-age']);
    expect(doseWarnings(sino, 70, [], '2021-08-01')).toEqual(['over-age']);
    expect(doseWarnings(az, 30, [{ productCode: 'EU/1/21/1529', doseNumber: 1, givenOn: '2021-07-01' }], '2021-08-01')).toEqual(['too-early']);
    expect(doseWarnings(az, 30, [{ productCode: 'EU/1/21/1529', doseNumber: 1, givenOn: '2021-06-06' }], '2021-08-01')).toEqual([]);
    expect(doseWarnings(sino, 30, [{ productCode: 'EU/1/21/1529', doseNumber: 1, givenOn: '2021-05-01' }], '2021-08-01')).toEqual(['mixed-product']);
  });
  it('computes ages from a birth date or a birth year', () => {
    expect(ageOn('2021-08-01', '2003-08-02', null)).toBe(17);
    expect(ageOn('2021-08-01', '2003-08-01', null)).toBe(18);
    expect(ageOn('2021-08-01', null, 1956)).toBe(65);
    expect(ageOn('2021-08-01', null, null)).toBeNull();
  });
});

describe('priority groups', () => {
  it('match when any listed criterion holds', () => {
    const g8 = { minAge: 65, conditions: ['chronic'] };
    const f = { age: 40, occupation: null, conditions: [], inOutbreakArea: false };
    expect(eligibleFor(g8, f)).toBe(false);
    expect(eligibleFor(g8, { ...f, age: 66 })).toBe(true);
    expect(eligibleFor(g8, { ...f, conditions: ['chronic'] })).toBe(true);
    expect(eligibleFor({ occupations: ['teacher'] }, { ...f, occupation: 'teacher' })).toBe(true);
    expect(eligibleFor({}, f)).toBe(true);
  });
});

describe('age limits and priority claims', () => {
  it('uses the full birth date when there is one, the year otherwise', () => {
    const twelvePlus = { minAge: 12, maxAge: null };
    expect(ageLimitProblem(twelvePlus, '2021-08-02', '2009-08-03', 2009)).toEqual({ code: 'under-age', age: 11 });
    expect(ageLimitProblem(twelvePlus, '2021-08-02', '2009-08-02', 2009)).toBeNull();
    expect(ageLimitProblem(twelvePlus, '2021-08-02', null, 2009)).toBeNull(); // year rule: 12 all through 2021
    expect(ageLimitProblem({ minAge: 18, maxAge: 65 }, '2021-08-02', '1956-08-01', 1956)).toBeNull(); // 65: within
    expect(ageLimitProblem({ minAge: 18, maxAge: 64 }, '2021-08-02', '1956-08-01', 1956)).toEqual({ code: 'over-age', age: 65 });
    expect(ageLimitProblem(twelvePlus, '2021-08-02', null, null)).toBeNull();
  });

  it('judges a claimed group: verified or vouched accepted, self-declared to review, impossible refused', () => {
    const g08 = { minAge: 65, conditions: ['chronic'] };
    const g01 = { occupations: ['health_worker'] };
    expect(judgePriorityClaim(g08, { age: 70, occupation: null, vouched: false })).toEqual({ status: 'accepted', reason: 'age' });
    expect(judgePriorityClaim(g08, { age: 40, occupation: null, vouched: false })).toEqual({ status: 'review', reason: 'condition-to-verify' });
    expect(judgePriorityClaim(g08, { age: 40, occupation: null, vouched: true })).toEqual({ status: 'accepted', reason: 'condition-vouched' });
    expect(judgePriorityClaim(g01, { age: 40, occupation: 'health_worker', vouched: false })).toEqual({ status: 'review', reason: 'occupation-to-verify' });
    expect(judgePriorityClaim(g01, { age: 40, occupation: 'health_worker', vouched: true })).toEqual({ status: 'accepted', reason: 'occupation-vouched' });
    expect(judgePriorityClaim(g01, { age: 40, occupation: 'farmer', vouched: true })).toEqual({ status: 'refused', reason: 'occupation-not-in-group' });
    expect(judgePriorityClaim({ minAge: 65 }, { age: 64, occupation: null, vouched: true })).toEqual({ status: 'refused', reason: 'too-young' });
    expect(judgePriorityClaim({ outbreakArea: true }, { age: 30, occupation: null, vouched: false })).toEqual({ status: 'review', reason: 'area-to-verify' });
  });
});

describe('dose counts as the EU DCC says them (Regulation (EU) 2021/2288)', () => {
  it('within the series as given, n/n after a series of 2+, n/1 after a single-dose series', () => {
    expect([doseCount(1, 2), doseCount(2, 2), doseCount(3, 2), doseCount(4, 2), doseCount(1, 1), doseCount(2, 1), doseCount(4, 3)]).toEqual([
      { dn: 1, sd: 2 },
      { dn: 2, sd: 2 },
      { dn: 3, sd: 3 },
      { dn: 4, sd: 4 },
      { dn: 1, sd: 1 },
      { dn: 2, sd: 1 },
      { dn: 4, sd: 4 },
    ]);
  });
});
