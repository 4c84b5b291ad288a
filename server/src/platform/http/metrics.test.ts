// The request-latency histogram: the exposition prom-client's own Histogram gave (cumulative buckets, _sum, _count
// per method/route/status), whichever way it is fed.
import { describe, expect, it } from 'vitest';
import client from 'prom-client';
import { RouteLatencyHistogram } from './metrics';

const lines = async (registry: client.Registry) => (await registry.metrics()).split('\n');

describe('RouteLatencyHistogram', () => {
  it('prints what prom-client Histogram prints for the same observations', async () => {
    const ours = new client.Registry();
    const theirs = new client.Registry();
    const buckets = [0.001, 0.01, 0.1, 1];
    const h = new RouteLatencyHistogram('lat_seconds', 'latency', buckets, ours);
    const p = new client.Histogram({ name: 'lat_seconds', help: 'latency', labelNames: ['method', 'route', 'status'] as const, buckets, registers: [theirs] });
    const observeCheckins = h.routeObserver('/api/checkins');
    const samples: [string, string, number, number][] = [
      ['POST', '/api/checkins', 201, 0.0004],
      ['POST', '/api/checkins', 201, 0.001], // on a bound: counted in it (le is ≤)
      ['POST', '/api/checkins', 429, 0.02],
      ['POST', '/api/checkins', 201, 0.5],
      ['POST', '/api/checkins', 201, 7], // beyond the last bound: +Inf only
      ['GET', '/api/checkins', 200, 0.05],
      ['GET', 'unmatched', 404, 0.002],
    ];
    for (const [method, route, status, s] of samples) {
      if (route === '/api/checkins') observeCheckins(method, status, s);
      else h.observe(method, route, status, s);
      p.observe({ method, route, status: String(status) }, s);
    }
    const sorted = async (r: client.Registry) => (await lines(r)).sort();
    expect(await sorted(ours)).toEqual(await sorted(theirs));
    expect(await lines(ours)).toContain('lat_seconds_bucket{le="0.001",method="POST",route="/api/checkins",status="201"} 2');
    expect(await lines(ours)).toContain('lat_seconds_count{method="POST",route="/api/checkins",status="201"} 4');

    // reset zeroes every series; a route's observer keeps counting into its own afterwards
    ours.resetMetrics();
    observeCheckins('POST', 201, 0.003);
    expect(await lines(ours)).toContain('lat_seconds_count{method="POST",route="/api/checkins",status="201"} 1');
    expect(await lines(ours)).toContain('lat_seconds_count{method="GET",route="unmatched",status="404"} 0');
  });
});
