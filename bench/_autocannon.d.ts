// Minimal typings for the parts of autocannon the benchmarks use (the package ships none).
declare module 'autocannon' {
  namespace autocannon {
    interface Histogram {
      average: number;
      mean: number;
      p50: number;
      p90: number;
      p99: number;
      max: number;
    }
    interface Result {
      requests: Histogram;
      latency: Histogram;
      throughput: Histogram;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
    }
    interface Options {
      url: string;
      method?: string;
      connections?: number;
      duration?: number;
      pipelining?: number;
      timeout?: number;
      body?: string;
      headers?: Record<string, string>;
      requests?: Array<{
        method?: string;
        setupRequest?: (req: object, context: object) => object;
        onResponse?: (status: number, body: string, context: object) => void;
      }>;
    }
    interface Instance {
      stop(): void;
    }
    function track(instance: Instance, opts?: Record<string, unknown>): void;
  }
  function autocannon(opts: autocannon.Options, cb: (err: Error | null, result: autocannon.Result) => void): autocannon.Instance;
  export default autocannon;
}
