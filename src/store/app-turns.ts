/**
 * Turns across applications in the plain claim (README, Isolation). Oldest
 * first alone let one tenant's fan-out (a message to thousands of endpoints,
 * none over its share, so none capped) queue ahead of every other tenant's
 * message. So while there is a backlog, each claim first visits a page of
 * applications with due work (a skip scan of deliveries_app_due,
 * 015_app_turns) and takes up to an even share of the batch from each one's
 * oldest; the rest of the batch is the oldest due work of all, as before. The
 * page moves on from claim to claim, so every application with due work gets
 * a turn within ceil(applications / MAX_APPS_PER_CLAIM) claims, however deep
 * another's backlog is.
 *
 * Without a backlog the turns are skipped: a plain claim that came back short
 * took everything that was due, so oldest first kept nobody waiting, and the
 * next claim is oldest first too (on PostgreSQL the turns cost about half a
 * millisecond of planning and probing per claim). A full one means more may be
 * waiting: the next claim takes turns. Per process: each worker keeps its own
 * place and its own view of the backlog.
 */

/** Applications visited per claim: a bound on one claim's index probes. */
export const MAX_APPS_PER_CLAIM = 16;

export interface AppPage {
  /** The page starts after this application id ('' : from the first). */
  after: string;
  /** At most this many applications. */
  size: number;
}

export function appTurns() {
  let after = '';
  let backlog = true; // unknown until the first claim says
  return {
    /** The next plain claim's page of applications, for `limit` deliveries; null: oldest first. */
    page(limit: number): AppPage | null {
      return backlog && limit > 0 ? { after, size: Math.min(limit, MAX_APPS_PER_CLAIM) } : null;
    },
    /**
     * A plain claim of `limit` took `taken`. With a page, it held `visited`
     * applications, the last one `last`: a full page goes on after it next
     * time, a short one has reached the end and starts over.
     */
    claimed(
      limit: number,
      taken: number,
      page: AppPage | null,
      visited = 0,
      last: string | null = null,
    ): void {
      backlog = taken >= limit;
      if (page) after = visited >= page.size && last !== null ? last : '';
    },
  };
}

/** Each application's share of a claim of `limit` over `apps` applications (0 apps: 0). */
export const turnShare = (limit: number, apps: number): number => (apps > 0 ? Math.ceil(limit / apps) : 0);
