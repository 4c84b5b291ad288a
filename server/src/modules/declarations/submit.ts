// Submitting a health declaration: the form version (and how long a replaced one is still accepted), the answers
// checked against it, the venue named by its signed QR, the risk rules, and the responsible unit whose work list
// a flagged declaration opens on. Takes a Db (or transaction) and plain values; no HTTP types.
import type { DbOrTx } from '../../platform/db/types';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { AppError, badRequest, invalidField, type ErrorDetail } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { getPersonBrief } from '../people';
import { venueOfQr } from '../venues';
import { unitCodesIn, validateAnswers } from './answers';
import { evaluateRules, type Answers, type RiskHit, type Severity } from './model';
import { findForm, findFormVersion, insertDeclaration, json, type DeclarationRow } from './queries';
import { activeRulesFor, evalContextFor, toDefinition, type LoadedForm } from './service';
import { localDay } from '../../platform/time';

// ── submission ───────────────────────────────────────────────────────────────

export interface DeclarationContent {
  formKey: string;
  formVersion: number;
  answers: unknown;
  /** the venue QR declared at (verified through SubmitDeps.venueOfQr) */
  venueToken?: string | null;
}

export interface SubmitWho {
  subjectPersonId: string;
  declarantPersonId: string | null;
  userId: string | null;
  channel: 'citizen' | 'public' | 'officer';
}

export type SubmitInput = DeclarationContent & SubmitWho;

/** How long answers to a replaced form version are still accepted (forms loaded before the edit). */
export const OLD_VERSION_GRACE_MS = 24 * 3600_000;

export interface SubmitDeps {
  resolver: JurisdictionResolver;
  now: Date;
  timeZone: string;
  /** The venue a venue QR names (signature checked; throws a 4xx AppError naming `path`). */
  venueOfQr(token: string, path: string): Promise<{ venueId: string; type: string; communeCode: string }>;
}

/** SubmitDeps from the app context, at `now`. */
export function submitDeps(ctx: AppContext, now: Date): SubmitDeps {
  return {
    resolver: ctx.access.resolver,
    now,
    timeZone: ctx.config.timeZone,
    venueOfQr: (token, path) => venueOfQr(ctx.db, ctx.keys, token, now, path),
  };
}

export interface PreparedDeclaration {
  loaded: LoadedForm;
  answers: Answers;
  venueId: string | null;
  venueUnitCode: string | null;
  /** administrative units named in the answers (for zone rules) */
  answerUnits: string[];
  resolver: JurisdictionResolver;
}

/**
 * Checks a declaration's content without writing anything: the form version exists and is in use, the venue unit is
 * known, the answers fit the form. Returns every problem (paths like body.answers.<questionKey>) instead of throwing,
 * so a caller can report them together with its own (e.g. the public path's person details).
 */
export async function prepareDeclaration(
  db: DbOrTx,
  input: DeclarationContent,
  deps: SubmitDeps,
): Promise<{ prepared: PreparedDeclaration | null; problems: ErrorDetail[] }> {
  const problems: ErrorDetail[] = [];
  const form = await findForm(db, input.formKey);
  if (!form) return { prepared: null, problems: [{ path: 'body.formKey', message: `is not a known form ("${input.formKey}")` }] };
  if (form.archived) return { prepared: null, problems: [{ path: 'body.formKey', message: 'this form is no longer in use' }] };
  const version = await findFormVersion(db, form.key, input.formVersion);
  if (!version) return { prepared: null, problems: [{ path: 'body.formVersion', message: `form "${form.key}" has no version ${input.formVersion}` }] };
  if (version.version !== form.current_version) {
    // a phone may still show the version it loaded before an edit, for a while; after that, an old version could
    // skip the questions (and risk rules) added since
    const next = await findFormVersion(db, form.key, version.version + 1);
    if (!next || deps.now.getTime() - next.created_at.getTime() > OLD_VERSION_GRACE_MS)
      return {
        prepared: null,
        problems: [{ path: 'body.formVersion', message: `version ${version.version} of form "${form.key}" was replaced by version ${form.current_version}; reload the form` }],
      };
  }
  const loaded = { form, version, definition: toDefinition(form, version) };

  // the venue comes from its signed QR, never from client-supplied ids: the venue's unit gets the follow-up
  let venueId: string | null = null;
  let venueUnitCode: string | null = null;
  let venueType: string | null = null;
  if (input.venueToken) {
    try {
      const v = await deps.venueOfQr(input.venueToken, 'body.venueToken');
      venueId = v.venueId;
      venueUnitCode = v.communeCode;
      venueType = v.type;
    } catch (e) {
      if (!(e instanceof AppError) || e.statusCode >= 500) throw e;
      problems.push(...(e.details?.length ? e.details : [{ path: 'body.venueToken', message: e.message }]));
    }
  }
  const codes = unitCodesIn(loaded.definition, input.answers);
  const known = new Set<string>();
  for (const c of codes) {
    const u = await deps.resolver.unit(c);
    if (u && u.level !== 'country') known.add(c);
  }
  const checked = validateAnswers(loaded.definition, input.answers, { today: localDay(deps.now, deps.timeZone), knownUnits: known, venueType });
  problems.push(...checked.problems);
  if (problems.length) return { prepared: null, problems };

  return { prepared: { loaded, answers: checked.answers, venueId, venueUnitCode, answerUnits: [...known], resolver: deps.resolver }, problems: [] };
}

/**
 * The unit that follows a declaration up (calls the person, refers them for a test, clears it): the form's unit
 * question when it has one (entry: the quarantine commune), else the person's home commune (it is the commune that
 * calls them), else the venue's unit. A declaration made at a venue is also shown to the venue's unit
 * (venue_unit_code), which reads it but leaves the follow-up to the unit named here.
 */
async function followUpUnit(db: DbOrTx, p: PreparedDeclaration, who: SubmitWho): Promise<string | null> {
  const def = p.loaded.definition;
  if (def.unitQuestion && typeof p.answers[def.unitQuestion] === 'string') return p.answers[def.unitQuestion] as string;
  const home = (await getPersonBrief(db, who.subjectPersonId))?.communeCode;
  if (home) return home;
  if (who.declarantPersonId) {
    const declarant = (await getPersonBrief(db, who.declarantPersonId))?.communeCode;
    if (declarant) return declarant;
  }
  return p.venueUnitCode;
}

/** Risk rules that apply where the declaration is followed up (owner's area, local switch-offs) over its answers. */
async function assess(db: DbOrTx, p: PreparedDeclaration, unit: string): Promise<{ hits: RiskHit[]; severity: Severity | null }> {
  const ctx = await evalContextFor(db, p.resolver, p.answerUnits);
  return evaluateRules(await activeRulesFor(db, p.resolver, unit), p.loaded.definition.kind, p.answers, ctx);
}

/**
 * Stores a prepared declaration, assessed by the risk rules that apply where it is followed up (see followUpUnit); a
 * flagged declaration opens on that unit's work list (and shows on the venue unit's).
 */
export async function storeDeclaration(db: DbOrTx, p: PreparedDeclaration, who: SubmitWho, now: Date): Promise<DeclarationRow> {
  const def = p.loaded.definition;
  const unit = await followUpUnit(db, p, who);
  if (!unit) throw invalidField('body.subjectPersonId', 'has no commune of residence; record it first');
  const { hits, severity } = await assess(db, p, unit);
  const flagged = hits.length > 0;
  return insertDeclaration(db, {
    form_key: p.loaded.form.key,
    form_version: p.loaded.version.version,
    kind: def.kind,
    subject_person_id: who.subjectPersonId,
    declarant_person_id: who.declarantPersonId,
    submitted_by_user_id: who.userId,
    channel: who.channel,
    venue_id: p.venueId,
    venue_unit_code: p.venueUnitCode,
    responsible_unit_code: unit,
    answers: json(p.answers),
    submitted_at: now,
    flagged,
    severity,
    risk_hits: json(hits),
    status: flagged ? 'open' : 'none',
    status_changed_at: flagged ? now : null,
  });
}

/** prepare + store, throwing one 400 with every problem. */
export async function submitDeclaration(db: DbOrTx, input: SubmitInput, deps: SubmitDeps): Promise<DeclarationRow> {
  const { prepared, problems } = await prepareDeclaration(db, input, deps);
  if (!prepared) throw badRequest(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  return storeDeclaration(db, prepared, input, deps.now);
}

