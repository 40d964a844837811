/**
 * The route table: every route is declared once with its roles and zod schemas. The same declaration registers the
 * express handler (role check → params → query → body → service), generates /openapi.json, and drives the
 * authorization-matrix and fuzz tests, so documentation, checks and behaviour cannot drift apart.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { requireRole, type Role } from '../contexts/access/auth';
import { badRequest, HttpError, parse } from '../contexts/errors';

type Schema = z.ZodType;

export interface RouteSpec<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express path, e.g. `/v1/invoices/:id`. */
  path: string;
  /** Roles allowed besides admin (admin may call everything). */
  roles: Role[];
  summary: string;
  description?: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** How the body is sent when it is not JSON. */
  bodyKind?: 'json' | 'multipart' | 'upload';
  /** Changes state: audited, counted, refused on bad input before any effect. */
  mutating: boolean;
  /** Status codes this route answers besides the errors every route may give. */
  responses: Record<number, string>;
  /**
   * Media types of the success body when it is not (only) JSON; with several, a query parameter (e.g. `format`)
   * chooses, and the first is the default.
   */
  produces?: string | readonly string[];
}

export interface RouteInput<P extends Schema, Q extends Schema, B extends Schema> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

/** Collects route specs and mounts their handlers on a router (without one, it only collects: see `describeRoutes`). */
export class RouteTable {
  readonly routes: RouteSpec[] = [];

  constructor(private readonly router?: Router) {}

  add<P extends Schema, Q extends Schema, B extends Schema>(
    spec: RouteSpec<P, Q, B>,
    handler: (req: Request, res: Response, input: RouteInput<P, Q, B>) => Promise<void>,
    ...before: RequestHandler[]
  ): void {
    this.routes.push(spec as unknown as RouteSpec);
    if (!this.router) return;
    this.router[spec.method](spec.path, requireRole(...spec.roles), ...before, async (req, res) => {
      // A body that is not JSON would otherwise reach the schema as `{}` and be refused field by field.
      if (spec.body && (spec.bodyKind ?? 'json') === 'json' && hasBody(req) && !req.is('application/json')) {
        throw new HttpError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `this route takes a JSON body: send it with Content-Type: application/json (got ${req.get('content-type') ?? 'no Content-Type'})`,
        );
      }
      refuseNul({ params: req.params, query: req.query, body: req.body });
      const input = {
        params: spec.params ? parse(spec.params, req.params) : {},
        query: spec.query ? parse(spec.query, { ...(req.query as object) }) : {},
        body:
          spec.body && (spec.bodyKind ?? 'json') === 'json'
            ? parse(spec.body, req.body === undefined ? {} : req.body)
            : undefined,
      } as RouteInput<P, Q, B>;
      await handler(req, res, input);
    });
  }
}

/** True when the request carries a body (a length above zero, or a chunked one). */
const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/** A module of routes: declares its routes on the table it is given, closing over its dependencies. */
export type RouteModule<D> = (t: RouteTable, deps: D) => void;

/**
 * The specs a route module declares, without mounting anything or needing its dependencies: route modules only read
 * their dependencies inside handlers, which never run here. Lets routers mounted on their own (reports, console) be
 * documented and tested from the very declarations that mount them.
 */
export function describeRoutes<D>(module: RouteModule<D>): RouteSpec[] {
  const t = new RouteTable();
  module(t, {} as D);
  return t.routes;
}

/** Keys that name JavaScript's object machinery: never a field of any body (zod's strict check lets
 * `constructor` through, since every object inherits one). */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * PostgreSQL text cannot hold NUL characters: a string carrying one would fail deep inside a query as a 500. They
 * are refused up front, naming where they were found; so are the prototype keys.
 */
export function refuseNul(value: unknown, at: string[] = []): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      const where = at.slice(1).join('.') || '(body)';
      throw badRequest('request is not valid', [{ path: where, message: 'must not contain NUL characters' }]);
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k.includes('\u0000'))
        throw badRequest('request is not valid', [
          { path: at.slice(1).join('.') || '(body)', message: 'field names must not contain NUL characters' },
        ]);
      if (RESERVED_KEYS.has(k))
        throw badRequest('request is not valid', [
          { path: [...at.slice(1), k].join('.'), message: 'is not a known field' },
        ]);
      refuseNul(v, [...at, k]);
    }
  }
}
