/** Prometheus metrics of one API process: request counts and latencies per route, decisions, imports. */
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  decisions: Counter<'decision' | 'result'>;
  middleware: RequestHandler;
}

/** A registry per app, so several apps in one test process never clash on metric names. */
export function createMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'segugio_api_' });
  const requests = new Counter({
    name: 'segugio_http_requests_total',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'segugio_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'segugio_decisions_total',
    help: 'Human decisions sent to invoice workflows, by decision and result (accepted, rejected, conflict)',
    labelNames: ['decision', 'result'] as const,
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      // The route pattern, never the raw path: ids would explode the label cardinality.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      const labels = { method: req.method, route };
      end(labels);
      requests.inc({ ...labels, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, decisions, middleware };
}
