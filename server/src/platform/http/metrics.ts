// The request-latency histogram of /metrics, observed on every request: one Map lookup and three additions per
// request instead of prom-client's label objects, label validation and hashing (≈ a microsecond a request). It is a
// prom-client metric as far as the registry is concerned (name, help, type, get()), so /metrics lists it as before:
// vigil_http_request_duration_seconds{_bucket,_sum,_count}{method, route, status}.
import type { Registry } from 'prom-client';

interface Series {
  labels: { method: string; route: string; status: string };
  /** observations per bucket (not cumulative); the last one is +Inf */
  counts: Float64Array;
  sum: number;
  count: number;
}

interface Value {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
}

export class RouteLatencyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();
  private readonly upper: number[];

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: number[],
    registry: Registry,
  ) {
    this.upper = [...buckets].sort((a, b) => a - b);
    registry.registerMetric(this as never);
  }

  observe(method: string, route: string, status: number, seconds: number) {
    this.add(this.seriesOf(method, route, status), seconds);
  }

  /**
   * An observer for one route: it keeps the series of its last answer, so a route answering the same method and
   * status again (nearly every request) finds its series without building a key or looking it up.
   */
  routeObserver(route: string): (method: string, status: number, seconds: number) => void {
    let last: Series | null = null;
    let lastMethod = '';
    let lastStatus = -1;
    return (method, status, seconds) => {
      if (status !== lastStatus || method !== lastMethod) {
        last = this.seriesOf(method, route, status);
        lastMethod = method;
        lastStatus = status;
      }
      this.add(last!, seconds);
    };
  }

  private seriesOf(method: string, route: string, status: number): Series {
    const key = `${method} ${status} ${route}`;
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { method, route, status: String(status) }, counts: new Float64Array(this.upper.length + 1), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  private add(s: Series, seconds: number) {
    let i = 0;
    while (i < this.upper.length && seconds > this.upper[i]!) i++;
    s.counts[i]!++;
    s.sum += seconds;
    s.count++;
  }

  /** prom-client's metric shape: cumulative buckets (le), then _sum and _count per series. */
  async get() {
    const values: Value[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i <= this.upper.length; i++) {
        acc += s.counts[i]!;
        values.push({ value: acc, labels: { le: i < this.upper.length ? this.upper[i]! : '+Inf', ...s.labels }, metricName: `${this.name}_bucket` });
      }
      values.push({ value: s.sum, labels: s.labels, metricName: `${this.name}_sum` });
      values.push({ value: s.count, labels: s.labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset() {
    // zeroed in place: route observers keep their series
    for (const s of this.series.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
