import { Type, type Static } from '@sinclair/typebox';

export const Unit = Type.Object({
  code: Type.String(),
  name: Type.String(),
  nameEn: Type.Union([Type.String(), Type.Null()]),
  level: Type.String(),
  parentCode: Type.Union([Type.String(), Type.Null()]),
  population: Type.Union([Type.Integer(), Type.Null()]),
  childCount: Type.Integer(),
  hasGeometry: Type.Boolean(),
});
export type Unit = Static<typeof Unit>;

export const UnitListQuery = Type.Object({
  parent: Type.Optional(Type.String({ maxLength: 32 })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});

export const UnitDetail = Type.Object({
  unit: Unit,
  ancestors: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), nameEn: Type.Union([Type.String(), Type.Null()]), level: Type.String() })),
});
export type UnitDetail = Static<typeof UnitDetail>;

export const ImportQuery = Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('geojson')]) });
export const ImportResponse = Type.Object({ inserted: Type.Integer(), updated: Type.Integer() });
