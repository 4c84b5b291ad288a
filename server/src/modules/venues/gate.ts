// What a gate shows about the person whose card was scanned (or whose card reference was typed): name and birth
// year, so staff can compare the card with the person in front of them. Only for scans this venue's gate staff
// made (the engine checked it: a personal QR or reference is refused from anyone else), and every person shown is
// an audited read. A citizen's own check-in never gets more than it sent.
import type { FastifyRequest } from 'fastify';
import { recordAudit } from '../../platform/audit';
import type { Access } from '../../platform/auth/access';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import type { Db } from '../../platform/db/types';
import type { PeoplePort } from './people-port';
import type { CheckinItem, CheckinResultItem } from './schema';

/** Items that are gate scans: a personal QR or card reference (staff of the venue only; refused otherwise). */
const isGateScan = (item: CheckinItem | undefined) => !!item && (!!item.personQr || !!item.personRef);

/**
 * Fills in name and birth year of the scanned people in the results of gate scans by `user`, and records who was
 * shown to whom. `items[i]` is the request item of `results[i]`.
 */
export async function identifyGateScans(
  deps: { db: Db; access: Access; people: PeoplePort },
  user: AuthUser,
  req: FastifyRequest,
  items: CheckinItem[],
  results: CheckinResultItem[],
): Promise<void> {
  const scans = results.filter((r, i) => r.status !== 'rejected' && isGateScan(items[i]));
  const ids = [...new Set(scans.flatMap((r) => r.people.map((p) => p.personId)))];
  if (!ids.length) return;
  const briefs = await deps.people.briefs(deps.db, ids);
  for (const r of scans)
    for (const p of r.people) {
      const b = briefs.get(p.personId);
      p.name = b?.name ?? null;
      p.birthYear = b?.birthYear ?? null;
    }
  const actor = await auditActor(deps.access, user);
  await recordAudit(
    deps.db,
    scans.flatMap((r) =>
      r.people.map((p) => ({
        actor,
        action: 'checkins.gate.identify',
        subjectType: 'person',
        subjectId: p.personId,
        ip: req.ip,
        details: { venueId: r.venue?.id ?? null, action: r.action, status: r.status, fields: ['name', 'birthYear'] },
      })),
    ),
  );
}
