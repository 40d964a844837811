/**
 * OpenAPI 3.1 generated from the route table and its zod schemas (zod 4's `z.toJSONSchema`, JSON Schema 2020-12,
 * which OpenAPI 3.1 uses as is), and the API docs page served from the local swagger-ui-dist package (no CDN).
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import { z } from 'zod';
import { consoleApiRoutes } from './console';
import { describeRoutes, type RouteSpec } from './registry';
import { reportRoutes } from './routes/reports';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema => {
  const s = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete s.$schema;
  return s;
};

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', examples: ['VALIDATION_FAILED'] },
        message: { type: 'string', description: 'English, for developers and logs; clients translate the codes' },
        reason: {
          type: 'string',
          description: "A rejected decision's stable reason (422), from the workflow",
          examples: ['AMOUNT_EXCEEDS_BALANCE'],
        },
        params: { type: 'object', description: "The reason's parameters (amounts in minor units, dates ISO)" },
        fields: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message', 'code'],
            properties: {
              path: { type: 'string' },
              message: { type: 'string' },
              code: {
                type: 'string',
                description:
                  'required, invalid_type, too_small, too_big, invalid_date, invalid_duration, invalid_format, invalid_value, not_multiple_of, unknown_field, invalid',
              },
              params: { type: 'object', description: 'e.g. { minimum, origin } for too_small' },
            },
          },
        },
      },
    },
  },
};

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'Bad input: the body names each field and the problem',
  '401': 'Missing, unknown or revoked API key',
  '403': 'The key’s role (or collector assignment) does not allow this',
  '404': 'Not found',
  '429': 'Too many requests for this key (see Retry-After)',
  '503': 'Temporal or PostgreSQL unreachable (see Retry-After)',
};

/** `/v1/invoices/:id` → `/v1/invoices/{id}`. */
const oaPath = (p: string): string => p.replace(/:(\w+)/g, '{$1}');

/** The schema of a success body by media type: JSON objects, text, or bytes (spreadsheets, PDFs). */
const bodySchema = (type: string): JsonSchema =>
  type === 'application/json'
    ? { type: 'object' }
    : type.startsWith('text/')
      ? { type: 'string' }
      : { type: 'string', format: 'binary' };

const routeKey = (r: RouteSpec): string => `${r.method} ${r.path}`;

/**
 * The route table's routes plus those declared with the route table but mounted by routers of their own: the
 * reports (after the /v1 key check) and the console's helpers (/console/api, the same API keys). These are described
 * from the very declarations that mount them, so /openapi.json and the authorization matrix cannot miss them; a route
 * the table already holds is not repeated.
 */
export function allRoutes(table: RouteSpec[]): RouteSpec[] {
  const seen = new Set(table.map(routeKey));
  const elsewhere = [...describeRoutes(reportRoutes), ...describeRoutes(consoleApiRoutes)];
  return [...table, ...elsewhere.filter((r) => !seen.has(routeKey(r)))];
}

/** The OpenAPI document of `routes` and of the routes mounted on their own (see `allRoutes`). */
export function buildOpenApi(table: RouteSpec[], version = '1.0.0'): Record<string, unknown> {
  const routes = allRoutes(table);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = [];
    if (r.params) {
      const s = toSchema(r.params) as { properties?: Record<string, JsonSchema> };
      for (const [name, schema] of Object.entries(s.properties ?? {})) {
        parameters.push({ name, in: 'path', required: true, schema });
      }
    }
    if (r.query) {
      const s = toSchema(r.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, schema] of Object.entries(s.properties ?? {})) {
        parameters.push({ name, in: 'query', required: (s.required ?? []).includes(name), schema });
      }
    }
    if (r.mutating) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Makes a retried request count once (decisions, contact notes, imports).',
        schema: { type: 'string', pattern: '^[\\w.:-]{1,128}$' },
      });
    }
    const op: Record<string, unknown> = {
      operationId: `${r.method}${r.path.replace(/\/:?(\w+)/g, (_m, w: string) => w.charAt(0).toUpperCase() + w.slice(1)).replace(/[^A-Za-z0-9]/g, '')}`,
      summary: r.summary,
      description: `${r.description ? `${r.description}\n\n` : ''}Roles: ${[...r.roles, 'admin'].join(', ')}.`,
      tags: [r.tag],
      security: [{ bearer: [] }, { apiKey: [] }],
      parameters,
      responses: {},
    };
    if (r.body && (r.bodyKind ?? 'json') === 'json') {
      op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(r.body) } } };
    } else if (r.bodyKind === 'upload') {
      op.requestBody = {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['file'],
              properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } },
            },
          },
          'text/csv': { schema: { type: 'string' } },
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string' } },
        },
      };
    } else if (r.bodyKind === 'multipart' && r.body) {
      op.requestBody = {
        required: true,
        content: {
          'application/json': { schema: toSchema(r.body) },
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['kind', 'file'],
              properties: {
                kind: { const: 'DOCUMENT' },
                invoiceId: { type: 'string' },
                note: { type: 'string' },
                file: { type: 'string', contentMediaType: 'application/octet-stream' },
              },
            },
          },
        },
      };
    }
    const produces = typeof r.produces === 'string' ? [r.produces] : (r.produces ?? ['application/json']);
    const success = Object.fromEntries(produces.map((type) => [type, { schema: bodySchema(type) }]));
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(r.responses)) {
      responses[status] =
        Number(status) >= 400
          ? { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
          : { description, content: success };
    }
    for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
      if (status === '400' && !r.params && !r.query && !r.body && r.bodyKind !== 'upload') continue;
      responses[status] ??= {
        description,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    op.responses = responses;
    paths[oaPath(r.path)] ??= {};
    paths[oaPath(r.path)][r.method] = op;
  }
  paths['/health'] = {
    get: {
      operationId: 'getHealth',
      summary: 'Reachability of the API, PostgreSQL and Temporal',
      tags: ['operations'],
      security: [],
      responses: { '200': { description: 'All reachable' }, '503': { description: 'Something is unreachable' } },
    },
  };
  paths['/metrics'] = {
    get: {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics (text exposition format)',
      tags: ['operations'],
      security: [],
      responses: { '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Segugio API',
      version,
      description:
        'Credit management and collections: ERP intake and bulk import, human decisions on invoice workflows, the ' +
        'collectors’ agenda, dunning policies, the customer 360 view and the credit reports (JSON, CSV, XLSX, PDF). ' +
        'Money is integer minor units; dates ISO.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => r.tag)), 'operations'].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer sg_…' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  };
}

/** `/docs`: Swagger UI from the installed swagger-ui-dist package, pointed at /openapi.json. */
export function docsRouter(): Router {
  const r = express.Router();
  const dist = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Segugio API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;
  const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;
  r.get('/docs', (_req, res) => void res.type('html').send(page));
  r.get('/docs/init.js', (_req, res) => void res.type('application/javascript').send(init));
  if (fs.existsSync(dist)) r.use('/docs/assets', express.static(dist, { index: false, maxAge: '1h' }));
  return r;
}
