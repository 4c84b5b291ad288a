import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../platform/module';
import { AppError, notFound } from '../../platform/http/errors';
import { Page } from '../../platform/http/schema';
import { recordAudit } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import { ancestorsOf, findUnit, listUnits, unitsWithGeometry, type AdminUnitRow } from './queries';
import { ImportError, importUnits, parseUnitsCsv, parseUnitsGeoJson, ROOT_CODE } from './service';
import { ImportQuery, ImportResponse, Unit, UnitDetail, UnitListQuery } from './schema';

type Listed = Pick<AdminUnitRow, 'code' | 'name' | 'name_en' | 'level' | 'parent_code' | 'population'> & {
  child_count: string | null;
  has_geometry: boolean;
};
const toUnit = (r: Listed): Unit => ({
  code: r.code,
  name: r.name,
  nameEn: r.name_en,
  level: r.level,
  parentCode: r.parent_code,
  population: r.population,
  childCount: Number(r.child_count ?? 0),
  hasGeometry: r.has_geometry,
});

export async function geoRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access } = ctx;

  app.get(
    '/api/geo/units',
    { config: { permission: 'geo.read' }, schema: { tags: ['geo'], querystring: UnitListQuery, response: { 200: Page(Unit) } } },
    async (req) => {
      const user = req.user!;
      const { parent, q, limit, offset } = req.query;
      if (parent) await access.authorize(user, 'geo.read', { unitCode: parent });
      if (q) {
        const scope = await access.resolver.unit(parent ?? user.jurisdictionCode);
        const r = await listUnits(db, { q: { text: q, pathPrefix: scope?.path ?? '/none/' }, limit, offset });
        return { items: r.items.map(toUnit), total: r.total };
      }
      const r = parent
        ? await listUnits(db, { parentCode: parent, limit, offset })
        : user.jurisdictionCode === ROOT_CODE
          ? await listUnits(db, { parentCode: ROOT_CODE, limit, offset })
          : await listUnits(db, { codes: [user.jurisdictionCode], limit, offset });
      return { items: r.items.map(toUnit), total: r.total };
    },
  );

  app.get(
    '/api/geo/units/:code',
    { config: { permission: 'geo.read' }, schema: { tags: ['geo'], params: Type.Object({ code: Type.String({ maxLength: 32 }) }), response: { 200: UnitDetail } } },
    async (req) => {
      const row = await findUnit(db, req.params.code);
      if (!row) throw notFound(`Administrative unit ${req.params.code}`);
      // Ancestors of one's own jurisdiction are visible (names only), the rest is jurisdiction-scoped.
      const own = await access.resolver.unit(req.user!.jurisdictionCode);
      if (!own?.path.startsWith(row.path)) await access.authorize(req.user, 'geo.read', { unitCode: row.code });
      const ancestors = (await ancestorsOf(db, row.path)).filter((a) => a.code !== row.code).map((a) => ({ code: a.code, name: a.name, nameEn: a.name_en, level: a.level }));
      return { unit: toUnit(row), ancestors };
    },
  );

  app.get(
    '/api/geo/geojson',
    {
      config: { permission: 'geo.read' },
      schema: {
        tags: ['geo'],
        description: 'Children of `parent` (default: the top units visible to the user), or with `code` that one unit’s own outline.',
        querystring: Type.Object({ parent: Type.Optional(Type.String({ maxLength: 32 })), code: Type.Optional(Type.String({ maxLength: 32 })) }),
      },
    },
    async (req, reply) => {
      const user = req.user!;
      const { parent, code } = req.query;
      if (parent) await access.authorize(user, 'geo.read', { unitCode: parent });
      if (code) await access.authorize(user, 'geo.read', { unitCode: code });
      const rows = code
        ? await unitsWithGeometry(db, { codes: [code] })
        : parent
        ? await unitsWithGeometry(db, { parentCode: parent })
        : user.jurisdictionCode === ROOT_CODE
          ? await unitsWithGeometry(db, { parentCode: ROOT_CODE })
          : await unitsWithGeometry(db, { codes: [user.jurisdictionCode] });
      reply.header('cache-control', 'private, max-age=300');
      return {
        type: 'FeatureCollection',
        features: rows.map((r) => ({
          type: 'Feature',
          properties: { code: r.code, name: r.name, nameEn: r.name_en, level: r.level, population: r.population, childCount: Number(r.child_count ?? 0), generated: r.geometry_generated },
          geometry: r.geometry,
        })),
      };
    },
  );

  app.get('/api/geo/levels', { config: { permission: 'geo.read' }, schema: { tags: ['geo'] } }, async () =>
    ctx.config.adminLevels.map((level, i) => ({ level, depth: i + 1 })),
  );

  // Raw upload of a CSV or GeoJSON file (the CLI `vigil import admin-units` is the same code path).
  fastify.addContentTypeParser(['text/csv', 'application/geo+json'], { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  app.post(
    '/api/geo/import',
    {
      config: { permission: 'geo.write' },
      bodyLimit: 64 * 1024 * 1024,
      schema: { tags: ['geo'], querystring: ImportQuery, response: { 200: ImportResponse } },
    },
    async (req) => {
      await access.authorize(req.user, 'geo.write', { unitCode: null }); // country-wide data: national admin
      const text = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      try {
        const units = req.query.format === 'csv' ? parseUnitsCsv(text) : parseUnitsGeoJson(text);
        const r = await importUnits(db, ctx.config.adminLevels, units);
        await recordAudit(db, { actor: await auditActor(access, req.user!), action: 'geo.import', subjectType: 'admin_units', ip: req.ip, details: { ...r } });
        return r;
      } catch (err) {
        if (err instanceof ImportError) throw new AppError(400, 'IMPORT_REJECTED', err.message.split('\n')[0], err.details);
        throw err;
      }
    },
  );
}
