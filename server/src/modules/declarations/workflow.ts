// Follow-up of flagged declarations: which action moves a declaration to which status.
//   open ──called──▶ called ──referred──▶ referred ──cleared──▶ cleared ──reopened──▶ open
// "called" may repeat (no answer, call back later); any open status may go straight to "cleared".
export const ACTIONS = ['called', 'referred', 'cleared', 'reopened'] as const;
export type Action = (typeof ACTIONS)[number];

export const STATUSES = ['none', 'open', 'called', 'referred', 'cleared'] as const;
export type Status = (typeof STATUSES)[number];

/** Statuses that still need someone to act ("open" in the dashboard). */
export const ACTIVE_STATUSES: readonly Status[] = ['open', 'called', 'referred'];

const RESULT: Record<Action, Status> = { called: 'called', referred: 'referred', cleared: 'cleared', reopened: 'open' };

const ALLOWED: Record<Status, readonly Action[]> = {
  none: [],
  open: ['called', 'referred', 'cleared'],
  called: ['called', 'referred', 'cleared'],
  referred: ['called', 'referred', 'cleared'],
  cleared: ['reopened'],
};

/** The status after `action`, or null when the action is not allowed from `status`. */
export function nextStatus(status: Status, action: Action): Status | null {
  return ALLOWED[status]?.includes(action) ? RESULT[action] : null;
}

export const allowedActions = (status: Status): readonly Action[] => ALLOWED[status] ?? [];
