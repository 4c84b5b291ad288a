// Background jobs on pg-boss: modules define named handlers (optionally on a cron schedule); the server starts
// the workers; tests and the CLI can run a handler in-process with runNow().
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
  enabled: boolean;
  timeZone: string;
  log: { info(o: object, m: string): void; error(o: object, m: string): void };
  /** Connection errors go to the database watcher (one log line per outage), not one line per poll. */
  health?: { report(err: unknown): boolean; readonly up: boolean };
}

export class Jobs {
  private readonly defs = new Map<string, JobDefinition<object>>();
  private boss: PgBoss | null = null;

  constructor(private readonly opts: JobsOptions) {}

  define<T extends object>(def: JobDefinition<T>): void {
    if (this.defs.has(def.name)) throw new Error(`Job ${def.name} defined twice`);
    this.defs.set(def.name, def as unknown as JobDefinition<object>);
  }

  names(): string[] {
    return [...this.defs.keys()];
  }

  async start(): Promise<void> {
    if (!this.opts.enabled || this.boss) return;
    const boss = new PgBoss({ connectionString: this.opts.url, max: 4, application_name: 'vigil-jobs' });
    boss.on('error', (err: Error) => {
      if (!this.boss) return; // not while stopping
      if (this.opts.health?.report(err)) return;
      this.opts.log.error({ err: { message: err.message } }, 'job system error');
    });
    await boss.start();
    for (const def of this.defs.values()) {
      await boss.createQueue(def.name, { name: def.name, retryLimit: def.retryLimit ?? 3, expireInSeconds: (def.expireInMinutes ?? 15) * 60 });
      await boss.work(def.name, async (jobs) => {
        for (const job of jobs) {
          const t = Date.now();
          await def.handler((job.data ?? {}) as object);
          this.opts.log.info({ job: def.name, ms: Date.now() - t }, 'job done');
        }
      });
      if (def.cron) await boss.schedule(def.name, def.cron, {}, { tz: this.opts.timeZone, singletonKey: def.name });
    }
    this.boss = boss;
  }

  /** Enqueue work; with jobs disabled (tests, one-shot CLI) the handler runs in-process instead. */
  async send<T extends object>(name: string, data: T, options: PgBoss.SendOptions = {}): Promise<void> {
    const def = this.defs.get(name);
    if (!def) throw new Error(`Unknown job ${name}`);
    if (this.boss) await this.boss.send(name, data, options);
    else await def.handler(data);
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
    for (const name of this.defs.keys()) out[name] = await this.boss.getQueueSize(name);
    return out;
  }

  async stop(): Promise<void> {
    const boss = this.boss;
    this.boss = null;
    if (boss) await boss.stop({ graceful: true, timeout: 10_000, wait: true });
  }
}
