// The session caches of this process (session-cache.ts; tests run several apps in one process), so a change this
// process makes reaches them all before its answer leaves, without waiting for the change feed.
export interface SessionDropper {
  dropSession(sessionHash: string): void;
  dropUser(userId: string): void;
  /** the next request reads the change feed before trusting any cached session */
  feedStale(): void;
}

export const sessionCaches = new Set<SessionDropper>();

/** This process signed a session out (or changed it): no cache of the process uses it any more. */
export function forgetSession(sessionHash: string) {
  for (const c of sessionCaches) c.dropSession(sessionHash);
}

/** This process changed a user (role, area, status, linked person…): every cache of the process reads their sessions again. */
export function forgetUserSessions(userId: string | number | bigint) {
  for (const c of sessionCaches) c.dropUser(String(userId));
}

/** This process changed users it cannot name (a merge repointed accounts): every cache reads the change feed first. */
export function sessionFeedStale() {
  for (const c of sessionCaches) c.feedStale();
}
