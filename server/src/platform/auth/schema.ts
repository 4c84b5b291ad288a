import { Type, type Static } from '@sinclair/typebox';
import { ROLES, PERMISSIONS } from './roles';

export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
export const UnitRef = Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() });
export type UnitRef = Static<typeof UnitRef>;

export const Me = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  jurisdiction: UnitRef,
  permissions: Type.Array(Type.Union(PERMISSIONS.map((p) => Type.Literal(p)))),
  personId: Type.Union([Type.String(), Type.Null()]),
});
export type Me = Static<typeof Me>;

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const UserItem = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  jurisdiction: Type.Object({ code: Type.String(), name: Type.String() }),
  disabled: Type.Boolean(),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type UserItem = Static<typeof UserItem>;

export const UserListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  role: Type.Optional(RoleSchema),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});

export const CreateUserBody = Type.Object(
  {
    username: Type.String({ minLength: 3, maxLength: 64 }),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
    role: RoleSchema,
    jurisdictionCode: Type.String({ minLength: 1, maxLength: 32 }),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    role: Type.Optional(RoleSchema),
    jurisdictionCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const CreateTokenBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })) },
  { additionalProperties: false },
);

export const AuditItem = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Union([Type.Object({ id: Type.String(), username: Type.String() }), Type.Null()]),
  action: Type.String(),
  subjectType: Type.String(),
  subjectId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  details: Type.Unknown(),
});
export type AuditItem = Static<typeof AuditItem>;

export const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  subjectType: Type.Optional(Type.String({ maxLength: 64 })),
  subjectId: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});
