// The home page's numbers: today's figures for the user's area and the last 14 days, as tiles that modules provide.
// A module adds its tiles by giving its VigilModule a `summary` function (check-ins, declarations today; cases,
// contacts and calls as those modules land); this route gathers them for the caller's jurisdiction (or a unit inside
// it). Each provider decides from the caller's permissions whether its tiles are shown at all.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Access } from '../auth/access';
import type { AuthUser } from '../auth/service';
import { withinScope } from '../auth/jurisdiction';
import { forbidden, invalidField } from '../http/errors';
import { addDays, localDay, startOfLocalDay } from '../time';
import { SummaryResponse, type SummaryTile } from './schema';

export { SummaryResponse, SummaryTile } from './schema';
export { perDay, dailyCounts, dailyTile, stateTile, whenAny } from './tiles';

export const CHART_DAYS = 14;

export interface SummaryQuery {
  user: AuthUser;
  /** the unit looked at (the caller's jurisdiction or a unit inside it) */
  unitCode: string;
  /** unit codes of that subtree; null = the whole country (no filter) */
  scope: string[] | null;
  /** local days asked for, oldest first ('YYYY-MM-DD'); byDay answers in the same order */
  days: string[];
  /** start of the first day, start of the day after the last (deployment time zone) */
  from: Date;
  to: Date;
  timeZone: string;
  now: Date;
}

export type SummaryProvider = (q: SummaryQuery) => Promise<SummaryTile[]>;

const SummaryQuerySchema = Type.Object({ unit: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$' })) });

export interface HomeOptions {
  access: Access;
  providers: SummaryProvider[];
  clock: () => Date;
  timeZone: string;
  /** how long past days' figures are reused (they change only through late imports); today's are always fresh */
  pastCacheMs?: number;
}

/** Past days' tiles by provider + unit + day range, for a short while (a province's 13 past days are many rows). */
class PastCache {
  private readonly entries = new Map<string, { at: number; tiles: Promise<SummaryTile[]> }>();
  constructor(private readonly ttlMs: number) {}
  get(key: string, now: number, load: () => Promise<SummaryTile[]>): Promise<SummaryTile[]> {
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.tiles;
    if (this.entries.size > 2000) this.entries.clear();
    const tiles = load();
    this.entries.set(key, { at: now, tiles });
    tiles.catch(() => this.entries.delete(key));
    return tiles;
  }
}

export async function homeRoutes(fastify: FastifyInstance, opts: HomeOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { access } = opts;
  const cache = new PastCache(opts.pastCacheMs ?? 5 * 60_000);

  app.get(
    '/api/home/summary',
    { config: { permission: 'authenticated' }, schema: { tags: ['home'], querystring: SummaryQuerySchema, response: { 200: SummaryResponse } } },
    async (req) => {
      const user = req.user!;
      const code = req.query.unit ?? user.jurisdictionCode;
      const unit = await access.resolver.unit(code);
      if (!unit) throw invalidField('querystring.unit', `is not a known administrative unit ("${code}")`);
      if (!(await withinScope(access.resolver, user.jurisdictionCode, unit.code))) throw forbidden('That unit is outside your jurisdiction');
      const scope = await access.resolver.subtreeCodes(unit.code);
      const now = opts.clock();
      const today = localDay(now, opts.timeZone);
      const days = Array.from({ length: CHART_DAYS }, (_, i) => addDays(today, i - CHART_DAYS + 1));
      const query = (ds: string[]): SummaryQuery => ({
        user,
        unitCode: unit.code,
        scope,
        days: ds,
        from: startOfLocalDay(ds[0]!, opts.timeZone),
        to: startOfLocalDay(addDays(ds[ds.length - 1]!, 1), opts.timeZone),
        timeZone: opts.timeZone,
        now,
      });
      const past = days.slice(0, -1);
      const permissions = [...user.permissions].sort().join(',');
      const perProvider = await Promise.all(
        opts.providers.map(async (provide, i) => {
          const [old, fresh] = await Promise.all([
            cache.get(`${i}|${unit.code}|${permissions}|${past[0]}`, now.getTime(), () => provide(query(past))),
            provide(query([today])),
          ]);
          const before = new Map(old.map((t) => [t.key, t]));
          return fresh.map((t) => ({ ...t, byDay: t.byDay === null ? null : [...(before.get(t.key)?.byDay ?? past.map(() => 0)), ...t.byDay] }));
        }),
      );
      return {
        unit: { code: unit.code, name: unit.name, level: unit.level },
        today,
        days,
        tiles: perProvider.flat().sort((a, b) => a.order - b.order || a.key.localeCompare(b.key)),
      };
    },
  );
}
