// Background jobs on pg-boss: modules define named handlers (optionally on a cron schedule); the server starts
// the workers; the CLI and tests with a pinned clock run a handler in-process with runNow(). Domain events
// (platform/events) ride on the same pg-boss instance.
import PgBoss from 'pg-boss';

export interface JobDefinition<T extends object = Record<string, never>> {
  name: string;
  handler: (data: T) => Promise<unknown>;
  /** cron expression in the deployment time zone */
  cron?: string;
  retryLimit?: number;
  expireInMinutes?: number;
}

export interface JobsOptions {
  url: string;
  /** run every module's workers and cron schedules (the server); otherwise only what start(scope) asks for */
  enabled: boolean;
  timeZone: string;
  log: { info(o: object, m: string): void; error(o: object, m: string): void; warn?(o: object, m: string): void };
  /** Connection errors go to the database watcher (one log line per outage), not one line per poll. */
  health?: { report(err: unknown): boolean; readonly up: boolean };
}

/**
 * What a started pg-boss runs:
 * - 'all': every job's worker, cron schedules, pg-boss maintenance, the domain-event worker (the server);
 * - 'events': the domain-event worker and maintenance, no module job workers or schedules (tests: events go through
 *   the real queue while time-dependent jobs run with runNow and a pinned clock);
 * - 'send': queues exist and jobs can be inserted, nothing is worked (one-shot CLI commands; a server works them).
 */
export type JobsScope = 'all' | 'events' | 'send';

/** Something that runs on the started pg-boss (the domain-event worker); returns what stops it. */
export type BossAttachment = (boss: PgBoss, scope: JobsScope) => Promise<() => Promise<void>>;

export class Jobs {
  private readonly defs = new Map<string, JobDefinition<object>>();
  private readonly attachments: BossAttachment[] = [];
  private readonly extraQueues = new Map<string, PgBoss.Queue>();
  private boss: PgBoss | null = null;
  private scope: JobsScope | null = null;
  private starting: Promise<PgBoss> | null = null;
  private detach: (() => Promise<void>)[] = [];

  constructor(private readonly opts: JobsOptions) {}

  define<T extends object>(def: JobDefinition<T>): void {
    if (this.defs.has(def.name)) throw new Error(`Job ${def.name} defined twice`);
    this.defs.set(def.name, def as unknown as JobDefinition<object>);
  }

  /** A queue that is not a job definition (the domain-event queue): created on start. */
  queue(name: string, options: Omit<PgBoss.Queue, 'name'>): void {
    this.extraQueues.set(name, { name, ...options });
  }

  /** Called with the boss each time it starts (after the queues exist). */
  attach(fn: BossAttachment): void {
    this.attachments.push(fn);
  }

  names(): string[] {
    return [...this.defs.keys()];
  }

  /** Start pg-boss; the default scope is 'all' for a server (config.jobs) and 'send' otherwise. */
  async start(scope: JobsScope = this.opts.enabled ? 'all' : 'send'): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    if (this.boss && this.scope === scope) return;
    if (this.boss && this.scope === 'send') await this.stop(); // upgrade a lazily started sender
    else if (this.boss) return;
    this.starting = this.startBoss(scope);
    try {
      await this.starting;
    } finally {
      this.starting = null;
    }
  }

  /** The started boss; starts a sender ('send' scope) on first use, e.g. a CLI command that publishes an event. */
  async started(): Promise<PgBoss> {
    if (this.boss) return this.boss;
    if (this.starting) return this.starting;
    await this.start('send');
    return this.boss!;
  }

  private async startBoss(scope: JobsScope): Promise<PgBoss> {
    const working = scope !== 'send';
    const boss = new PgBoss({
      connectionString: this.opts.url,
      max: working ? 4 : 2,
      application_name: 'vigil-jobs',
      supervise: working,
      schedule: scope === 'all',
    });
    boss.on('error', (err: Error) => {
      if (this.boss !== boss) return; // not while stopping
      if (this.opts.health?.report(err)) return;
      this.opts.log.error({ err: { message: err.message } }, 'job system error');
    });
    await boss.start();
    for (const def of this.defs.values()) {
      await boss.createQueue(def.name, { name: def.name, retryLimit: def.retryLimit ?? 3, expireInSeconds: (def.expireInMinutes ?? 15) * 60 });
    }
    for (const q of this.extraQueues.values()) await boss.createQueue(q.name, q);
    if (scope === 'all') {
      for (const def of this.defs.values()) {
        await boss.work(def.name, async (jobs) => {
          for (const job of jobs) {
            const t = Date.now();
            await def.handler((job.data ?? {}) as object);
            this.opts.log.info({ job: def.name, ms: Date.now() - t }, 'job done');
          }
        });
        if (def.cron) await boss.schedule(def.name, def.cron, {}, { tz: this.opts.timeZone, singletonKey: def.name });
      }
    }
    this.boss = boss;
    this.scope = scope;
    for (const fn of this.attachments) this.detach.push(await fn(boss, scope));
    return boss;
  }

  /** Enqueue work for the workers (a server runs them; nothing runs in-process). */
  async send<T extends object>(name: string, data: T, options: PgBoss.SendOptions = {}): Promise<void> {
    if (!this.defs.has(name)) throw new Error(`Unknown job ${name}`);
    const boss = await this.started();
    await boss.send(name, data, options);
  }

  /** Run a job's handler now, in this process (CLI `vigil jobs run`, tests with a pinned clock). */
  async runNow(name: string, data: object = {}): Promise<unknown> {
    const def = this.defs.get(name);
    if (!def) throw new Error(`Unknown job "${name}". Known: ${this.names().join(', ')}`);
    return def.handler(data);
  }

  async queueSizes(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    if (!this.boss) return out;
    for (const name of [...this.defs.keys(), ...this.extraQueues.keys()]) out[name] = await this.boss.getQueueSize(name);
    return out;
  }

  async stop(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    const boss = this.boss;
    this.boss = null;
    this.scope = null;
    const detach = this.detach;
    this.detach = [];
    for (const fn of detach) await fn();
    if (boss) await boss.stop({ graceful: true, timeout: 10_000, wait: true });
  }
}
