// Invitations in priority order up to capacity: the free seats of a campaign's coming sessions, less the
// invitations still open (invited, not booked), go to registered people not yet invited, in the campaign's order of
// priority groups (then registration order); a claimed group counts once it is accepted (a claim waiting for staff
// review or refused waits with those who claimed none). Each invitation is an SMS asked for through `messaging.requested`
// (purpose `campaign`, one per person and campaign), published in the transaction that marks them invited.
import { sql } from 'kysely';
import type { Db } from '../../platform/db/types';
import type { Events } from '../../platform/events';
import { getPersonPhones } from '../people';
import type { CampaignRow } from './admin';

export async function inviteUpToCapacity(db: Db, events: Events, campaign: CampaignRow, opts: { limit: number; now: Date; bookingUrl: string }) {
  return db.transaction().execute(async (trx) => {
    // one inviter per campaign at a time
    await sql`select pg_advisory_xact_lock(hashtextextended(${campaign.id}, 8122))`.execute(trx);
    const seats = (
      await sql<{ free: number; open: number }>`
        select coalesce((select sum(sl.capacity - sl.booked) from vaccination_slots sl join vaccination_sessions se on se.id = sl.session_id
                          where se.campaign_id = ${campaign.id} and sl.starts_at > ${opts.now}), 0)::int as free,
               (select count(*) from vaccination_registrations r where r.campaign_id = ${campaign.id} and r.invited_at is not null
                  and not exists (select 1 from vaccination_bookings b where b.person_id = r.person_id and b.campaign_id = r.campaign_id)
                  and not exists (select 1 from vaccination_doses d where d.person_id = r.person_id and d.status = 'valid'))::int as open`.execute(trx)
    ).rows[0]!;
    const room = Math.max(0, Math.min(opts.limit, seats.free - seats.open));
    if (!room) return { invited: 0, freeSeats: seats.free, openInvitations: seats.open };
    const picked = (
      await sql<{ id: string; person_id: string }>`
        select r.id, r.person_id from vaccination_registrations r
        where r.campaign_id = ${campaign.id} and r.invited_at is null
          and not exists (select 1 from vaccination_bookings b where b.person_id = r.person_id and b.campaign_id = r.campaign_id)
          and not exists (select 1 from vaccination_doses d where d.person_id = r.person_id and d.status = 'valid')
        order by case when r.priority_status = 'accepted' then coalesce(array_position(${campaign.priority_codes}::text[], r.priority_code), 1000) else 1000 end, r.created_at, r.id
        limit ${room} for update skip locked`.execute(trx)
    ).rows;
    if (!picked.length) return { invited: 0, freeSeats: seats.free, openInvitations: seats.open };
    await sql`update vaccination_registrations set invited_at = ${opts.now} where id = any(${picked.map((p) => p.id)}::uuid[])`.execute(trx);
    const phones = (await getPersonPhones(trx, picked.map((p) => p.person_id))).filter((p) => p.phone);
    if (phones.length)
      await events.publish(trx, 'messaging.requested', {
        purpose: 'campaign',
        subject: `vaccination-invite:${campaign.id}`,
        recipients: phones.map((p) => ({
          phone: p.phone!,
          personId: p.id,
          unitCode: p.communeCode,
          vars: { text: `${campaign.name}: ${p.fullName} được mời tiêm vắc xin. Đặt lịch: ${opts.bookingUrl}` },
        })),
      });
    return { invited: picked.length, freeSeats: seats.free, openInvitations: seats.open };
  });
}
