import { describe, expect, it } from 'vitest';
import { formDefinitionProblems, unitCodesIn, validateAnswers, visibleQuestions } from './answers';
import type { FormDefinition } from './model';
import { STANDARD_FORMS, STANDARD_RULES } from './standard-forms';
import { conditionProblems } from './model';

const form: FormDefinition = {
  kind: 'domestic',
  title: { vi: 'Thử', en: 'Test' },
  questions: [
    { key: 'travel', type: 'boolean', required: true, label: { vi: 'Đi', en: 'Travel' } },
    { key: 'places', type: 'commune', multiple: true, required: true, visibleIf: { q: 'travel', truthy: true }, label: { vi: 'Nơi', en: 'Places' } },
    { key: 'transport', type: 'single', options: [{ value: 'air', label: { vi: 'Bay', en: 'Air' } }, { value: 'car', label: { vi: 'Xe', en: 'Car' } }], label: { vi: 'PT', en: 'Transport' } },
    { key: 'seat', type: 'text', maxLength: 4, visibleIf: { q: 'transport', equals: 'air' }, label: { vi: 'Ghế', en: 'Seat' } },
    { key: 'symptoms', type: 'multi', options: [{ value: 'sot', label: { vi: 'Sốt', en: 'Fever' } }, { value: 'ho', label: { vi: 'Ho', en: 'Cough' } }], label: { vi: 'TC', en: 'Symptoms' } },
    { key: 'temp', type: 'number', min: 34, max: 43, label: { vi: 'Nhiệt độ', en: 'Temp' } },
    { key: 'age', type: 'number', integer: true, label: { vi: 'Tuổi', en: 'Age' } },
    { key: 'arrived', type: 'date', pastDays: 14, futureDays: 0, label: { vi: 'Ngày', en: 'Date' } },
    { key: 'origin', type: 'country', label: { vi: 'QG', en: 'Country' } },
    { key: 'home', type: 'commune', label: { vi: 'Xã', en: 'Commune' } },
  ],
};
const ctx = { today: '2021-08-01', knownUnits: new Set(['16681', '79']) };

describe('validateAnswers', () => {
  it('accepts valid answers and cleans them', () => {
    const r = validateAnswers(
      form,
      { travel: true, places: ['79', '79', '16681'], transport: 'air', seat: ' 12A ', symptoms: ['sot'], temp: 38.5, age: 30, arrived: '2021-07-25', origin: 'jp', home: '16681' },
      ctx,
    );
    expect(r.problems).toEqual([]);
    expect(r.answers).toEqual({ travel: true, places: ['79', '16681'], transport: 'air', seat: '12A', symptoms: ['sot'], temp: 38.5, age: 30, arrived: '2021-07-25', origin: 'JP', home: '16681' });
  });

  it('names each bad answer as answers.<key>', () => {
    const r = validateAnswers(
      form,
      { travel: 'yes', transport: 'bus', symptoms: ['sot', 'x'], temp: 50, age: 3.5, arrived: '2021-06-01', origin: 'ZZ', home: '99999', extra: 1 },
      ctx,
    );
    const byPath = Object.fromEntries(r.problems.map((p) => [p.path, p.message]));
    expect(byPath).toEqual({
      'body.answers.extra': 'is not a question of this form',
      'body.answers.travel': 'must be true or false',
      'body.answers.transport': 'must be one of: air, car',
      'body.answers.symptoms': 'must be a list of: sot, ho',
      'body.answers.temp': 'must be at most 43',
      'body.answers.age': 'must be a whole number',
      'body.answers.arrived': 'must be within the last 14 days',
      'body.answers.origin': '"ZZ" is not an ISO 3166 country code',
      'body.answers.home': '"99999" is not a known administrative unit',
    });
  });

  it('requires visible required questions only', () => {
    expect(validateAnswers(form, {}, ctx).problems).toEqual([{ path: 'body.answers.travel', message: 'is required' }]);
    expect(validateAnswers(form, { travel: true }, ctx).problems).toEqual([{ path: 'body.answers.places', message: 'is required' }]);
    expect(validateAnswers(form, { travel: true, places: [] }, ctx).problems).toEqual([{ path: 'body.answers.places', message: 'is required' }]);
    expect(validateAnswers(form, { travel: false }, ctx).problems).toEqual([]);
  });

  it('drops answers to hidden questions', () => {
    const r = validateAnswers(form, { travel: false, places: ['79'], transport: 'car', seat: '1' }, ctx);
    expect(r.problems).toEqual([]);
    expect(r.answers).toEqual({ travel: false, transport: 'car' });
  });

  it('checks date limits and shapes', () => {
    expect(validateAnswers(form, { travel: false, arrived: '2021-08-02' }, ctx).problems[0]!.message).toBe('must not be in the future');
    expect(validateAnswers(form, { travel: false, arrived: '2021-02-30' }, ctx).problems[0]!.message).toMatch(/date/);
    expect(validateAnswers(form, { travel: false, seat: 'x'.repeat(5), transport: 'air' }, ctx).problems[0]!.message).toBe('must be at most 4 characters');
    expect(validateAnswers(form, 'nope', ctx).problems).toEqual([{ path: 'body.answers', message: 'must be an object of answers' }]);
  });

  it('lists unit codes to resolve and visible questions', () => {
    expect(unitCodesIn(form, { places: ['79', 'x'], home: '16681' }).sort()).toEqual(['16681', '79', 'x']);
    expect(visibleQuestions(form, { travel: false }).map((q) => q.key)).not.toContain('places');
  });
});

describe('form definitions', () => {
  it('the standard forms and rules are valid', () => {
    for (const f of Object.values(STANDARD_FORMS)) expect(formDefinitionProblems(f)).toEqual([]);
    for (const r of STANDARD_RULES) expect(conditionProblems(r.condition, r.key)).toEqual([]);
  });

  it('reports problems by path', () => {
    const bad: FormDefinition = {
      kind: 'domestic',
      title: { vi: 'x', en: '' },
      unitQuestion: 'a',
      questions: [
        { key: 'a', type: 'single', label: { vi: 'A', en: 'A' }, options: [{ value: 'x', label: { vi: 'x', en: 'x' } }] },
        { key: 'a', type: 'boolean', label: { vi: 'B', en: 'B' }, visibleIf: { q: 'later', truthy: true } },
        { key: 'later', type: 'text', label: { vi: 'C', en: 'C' }, multiple: true },
      ],
    };
    const paths = formDefinitionProblems(bad).map((p) => p.path);
    expect(paths).toEqual(['body.title', 'body.questions.0.options', 'body.questions.1.key', 'body.questions.1.visibleIf', 'body.questions.2.multiple', 'body.unitQuestion']);
  });
});
