/**
 * `npm run rehearse` — the production topology on this machine, without Docker: a real Temporal server (the
 * `go.temporal.io/server` binary, not `start-dev`) persisting to PostgreSQL with SQL visibility, its schema set up by
 * `temporal-sql-tool`, the namespace and Segugio's custom search attributes registered through the operator API, then
 * two API processes and two workers started from `npm run build` output in production mode, as the Dockerfile runs
 * them. It runs the end-to-end path (create an invoice, see its reminder, pay it on the other API, PAID, and find it
 * PAID through SQL visibility) and the benchmark against that cluster, writes the result under .segugio/bench/, and
 * stops everything. State and logs: .segugio/rehearse/ (fresh each run); binaries: .tools/temporal-server/.
 *
 *   npm run rehearse               full: the end-to-end path and the benchmark (3 repetitions)
 *   npm run rehearse -- --smoke    what CI runs: the end-to-end path and one small benchmark repetition
 *   npm run rehearse -- --scale=1000,5000,10000   the end-to-end path, then the scale benchmark on the cluster
 *
 * Bounded in time: the whole run aborts (and stops everything) after --minutes (default 25; smoke 15).
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal as proto } from '@temporalio/proto';
import { createApiKey } from '../contexts/access/auth';
import { createDb } from '../infra/db';
import { startEmbeddedPg, type RunningPg } from './embedded-pg';
import { freePort, freePortIn, waitForPort } from './ports';
import { PROJECT_ROOT } from '../infra/tools';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../workflows/contract';
import { DEFAULT_OPTIONS, prepare, resultPath, runScale, type BenchTarget } from './bench-lib';
import { machine, processCommand, tableRun } from './bench';
import { httpOk, logContains, startService, waitReady, type Service } from './processes';

const smoke = process.argv.includes('--smoke');
const scaleSpec = process.argv.find((a) => a.startsWith('--scale='))?.slice(8);
const minutes = Number(process.argv.find((a) => a.startsWith('--minutes='))?.slice(10) ?? (smoke ? 15 : 25));
const STATE = path.join(PROJECT_ROOT, '.segugio', 'rehearse');
const TOOLS = path.join(PROJECT_ROOT, '.tools', 'temporal-server');
const PG_USER = 'segugio';
const PG_PASSWORD = 'segugio';
const log = (line: string): void => console.log(`rehearse: ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(cmd: string, args: string[], what: string, env: NodeJS.ProcessEnv = process.env): string {
  const res = spawnSync(cmd, args, { cwd: PROJECT_ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) throw new Error(`${what} failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

const SA_TYPES = {
  Keyword: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Double: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Datetime: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  Int: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
} as const;

/** The server's static configuration: PostgreSQL for history and SQL visibility, every port free on loopback. */
function serverConfig(p: Record<string, number>, dynamicConfig: string): string {
  const store = (db: string, conns: number) => `      sql:
        pluginName: postgres12
        databaseName: ${db}
        connectAddr: "127.0.0.1:${p.pg}"
        connectProtocol: tcp
        user: ${PG_USER}
        password: ${PG_PASSWORD}
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const svc = (name: string, grpc: number, membership: number, http?: number) => `  ${name}:
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnIP: 127.0.0.1${http ? `\n      httpPort: ${http}` : ''}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
${store('temporal', 20)}
    postgres-visibility:
${store('temporal_visibility', 5)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:${p.metrics}"
services:
${svc('frontend', p.frontend, p.frontendMembership, p.frontendHttp)}
${svc('history', p.history, p.historyMembership)}
${svc('matching', p.matching, p.matchingMembership)}
${svc('worker', p.worker, p.workerMembership)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:${p.frontend}"
      httpAddress: "127.0.0.1:${p.frontendHttp}"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "${dynamicConfig}"
  pollInterval: 10s
`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const services: Service[] = [];
  let pg: RunningPg | null = null;
  const stopAll = async (): Promise<void> => {
    for (const s of [...services].reverse()) await s.stop();
    services.length = 0;
    if (pg) await pg.stop().catch(() => undefined);
    pg = null;
  };
  const watchdog = setTimeout(() => {
    console.error(`rehearse: not done after ${minutes} minutes; stopping everything`);
    void stopAll().finally(() => process.exit(1));
  }, minutes * 60_000);
  watchdog.unref();

  try {
    log('building the Temporal server and temporal-sql-tool (cached under .tools/temporal-server)');
    run('bash', [path.join(PROJECT_ROOT, 'dev/install-temporal-server.sh')], 'building the Temporal server');
    log('npm run build (TypeScript and the workflow bundle)');
    run('npm', ['run', '--silent', 'build'], 'npm run build');

    fs.rmSync(STATE, { recursive: true, force: true });
    fs.mkdirSync(STATE, { recursive: true });
    fs.chmodSync(STATE, 0o755);
    const ports: Record<string, number> = {};
    for (const k of [
      'pg',
      'frontend',
      'frontendHttp',
      'frontendMembership',
      'history',
      'historyMembership',
      'matching',
      'matchingMembership',
      'worker',
      'workerMembership',
      'metrics',
      'api1',
      'api2',
    ])
      do {
        // Temporal's own ports go into a smallint column of its membership table: keep them below 32768.
        ports[k] = ['pg', 'api1', 'api2'].includes(k) ? await freePort() : await freePortIn(20_000, 32_000);
      } while (Object.entries(ports).some(([other, p]) => other !== k && p === ports[k]));

    log(`PostgreSQL on 127.0.0.1:${ports.pg} (segugio, temporal, temporal_visibility)`);
    pg = await startEmbeddedPg({
      dataDir: path.join(STATE, 'pg'),
      port: ports.pg,
      database: 'segugio',
      user: PG_USER,
      password: PG_PASSWORD,
    });
    const databaseUrl = pg.url;
    run(path.join(PROJECT_ROOT, 'node_modules/.bin/prisma'), ['migrate', 'deploy'], 'prisma migrate deploy', {
      ...process.env,
      DATABASE_URL: databaseUrl,
    });
    const sqlTool = path.join(TOOLS, 'temporal-sql-tool');
    const base = [
      '--plugin',
      'postgres12',
      '--ep',
      '127.0.0.1',
      '-p',
      String(ports.pg),
      '-u',
      PG_USER,
      '--pw',
      PG_PASSWORD,
    ];
    for (const [db, schema] of [
      ['temporal', 'postgresql/v12/temporal'],
      ['temporal_visibility', 'postgresql/v12/visibility'],
    ]) {
      run(sqlTool, [...base, '--db', db, 'create-database'], `temporal-sql-tool create-database ${db}`);
      run(sqlTool, [...base, '--db', db, 'setup-schema', '-v', '0.0'], `temporal-sql-tool setup-schema ${db}`);
      run(
        sqlTool,
        [...base, '--db', db, 'update-schema', '--schema-name', schema],
        `temporal-sql-tool update-schema ${db}`,
      );
    }

    const dynamicConfig = path.join(STATE, 'dynamicconfig.yaml');
    // Visibility reads see a new search attribute at once (the default caches it for a while).
    fs.writeFileSync(
      dynamicConfig,
      'system.forceSearchAttributesCacheRefreshOnRead:\n  - value: true\n    constraints: {}\nlimit.maxIDLength:\n  - value: 255\n    constraints: {}\n',
    );
    const configFile = path.join(STATE, 'temporal.yaml');
    fs.writeFileSync(configFile, serverConfig(ports, dynamicConfig));
    const address = `127.0.0.1:${ports.frontend}`;
    log(`Temporal server on ${address} (frontend, history, matching, worker services)`);
    const server = startService(
      'temporal-server',
      path.join(TOOLS, 'temporal-server'),
      ['--config-file', configFile, '--allow-no-auth', 'start'],
      { cwd: STATE, logFile: path.join(STATE, 'temporal-server.log') },
    );
    services.push(server);
    await waitReady(
      server,
      async () => {
        await waitForPort(ports.frontend, '127.0.0.1', 1000);
        return true;
      },
      120_000,
    );

    // Namespace and search attributes through the operator API, as an operator does in production. A loaded
    // 2-core machine has been seen to take over two minutes before the frontend's services answer.
    const deadline = Date.now() + 300_000;
    let connection: Connection | undefined;
    while (!connection) {
      // The frontend's port opens before its services are all up: retry the first connection for a while.
      connection = await Connection.connect({ address, connectTimeout: '5s' }).catch(async (err: unknown) => {
        if (Date.now() > deadline) throw err;
        await sleep(1000);
        return undefined;
      });
    }
    try {
      for (;;) {
        try {
          await connection.workflowService.registerNamespace({
            namespace: 'default',
            workflowExecutionRetentionPeriod: msToTs('3 days'),
          });
          break;
        } catch (err) {
          if (/already exists|AlreadyExists/i.test(String(err))) break;
          if (Date.now() > deadline) throw err;
          await sleep(1000);
        }
      }
      const searchAttributes: Record<string, proto.api.enums.v1.IndexedValueType> = {};
      for (const sa of SEARCH_ATTRIBUTE_DEFINITIONS) searchAttributes[sa.name] = SA_TYPES[sa.type];
      for (;;) {
        try {
          await connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes });
          break;
        } catch (err) {
          if (/already/i.test(String(err))) break;
          if (Date.now() > deadline) throw err;
          await sleep(1000);
        }
      }
      const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      const missing = SEARCH_ATTRIBUTE_DEFINITIONS.filter((sa) => !(sa.name in (listed.customAttributes ?? {})));
      if (missing.length) throw new Error(`search attributes not registered: ${missing.map((m) => m.name).join(', ')}`);
      log(`namespace default and ${SEARCH_ATTRIBUTE_DEFINITIONS.length} search attributes registered`);
    } finally {
      await connection.close();
    }

    // Segugio from the build output, in production mode, as the Dockerfile runs it: two workers, two APIs.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      SEGUGIO_MODE: 'production',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      SEGUGIO_DATA_DIR: path.join(STATE, 'data'),
      LOG_LEVEL: 'info',
      PUBLIC_BASE_URL: `http://127.0.0.1:${ports.api1}`,
      API_RATE_LIMIT_PER_MINUTE: '10000000',
      LETTERHEAD_NAME: 'Rehearsal S.r.l.',
      LETTERHEAD_ADDRESS: 'Via Prova 1|20121 Milano (MI)|Italia',
      LETTERHEAD_VAT: 'IT01234567890',
      LETTERHEAD_IBAN: 'IT60X0542811101000000123456',
      LETTERHEAD_EMAIL: 'crediti@rehearsal.example',
      SENDGRID_FROM: 'crediti@rehearsal.example',
      // Production refuses to start without it: both workers and both APIs share one fresh key per run.
      SEGUGIO_PAYLOAD_KEY: crypto.randomBytes(32).toString('base64'),
      SEGUGIO_PAYLOAD_KEY_ID: 'rehearsal',
    };
    const [workerCmd, workerArgs] = processCommand(true, 'worker/main');
    const [apiCmd, apiArgs] = processCommand(true, 'api/server');
    const workers = [1, 2].map((i) =>
      startService(`worker ${i}`, workerCmd, workerArgs, {
        env: { ...env, SEGUGIO_SCHEDULES: i === 1 ? 'true' : 'false' },
        cwd: PROJECT_ROOT,
        logFile: path.join(STATE, `worker-${i}.log`),
      }),
    );
    services.push(...workers);
    const apis = [ports.api1, ports.api2].map((port, i) =>
      startService(`api ${i + 1}`, apiCmd, apiArgs, {
        env: { ...env, PORT: String(port), LOG_LEVEL: 'warn' },
        cwd: PROJECT_ROOT,
        logFile: path.join(STATE, `api-${i + 1}.log`),
      }),
    );
    services.push(...apis);
    const apiUrls = [ports.api1, ports.api2].map((p) => `http://127.0.0.1:${p}`);
    for (const [i, a] of apis.entries()) await waitReady(a, httpOk(`${apiUrls[i]}/health`), 120_000);
    for (const w of workers) await waitReady(w, logContains(w, 'worker started'), 120_000);
    const bundled = workers.every((w) => fs.readFileSync(w.logFile, 'utf8').includes('workflow-bundle.js'));
    if (!bundled) throw new Error('a worker did not run the prebuilt workflow bundle');
    log(`2 workers (prebuilt workflow bundle) and 2 APIs (${apiUrls.join(', ')}) up in production mode`);

    const e2e = await endToEnd(databaseUrl, apiUrls, address);
    log(
      `end to end: created on API 1, reminder ${e2e.reminder} after ${e2e.reminderSeconds} s, paid on API 2, PAID after ${e2e.paidSeconds} s, visible as PAID in SQL visibility`,
    );

    const target: BenchTarget = {
      label: 'rehearsal cluster (Temporal server on PostgreSQL with SQL visibility; 2 APIs, 2 workers from dist)',
      apiUrls,
      temporalAddress: address,
      namespace: 'default',
      databaseUrl,
      workerPids: () => workers.map((w) => w.child.pid ?? 0),
    };
    const ctx = await prepare(target);
    let result: Record<string, unknown>;
    try {
      if (scaleSpec) {
        const points = await runScale(ctx, scaleSpec.split(',').map(Number), {
          wakeSamples: 30,
          log,
          deadlineMs: Math.max(60_000, minutes * 60_000 - (Date.now() - started) - 120_000),
        });
        result = { kind: 'scale', machine: machine(), points };
      } else {
        const opts = smoke
          ? {
              ...DEFAULT_OPTIONS,
              reps: 1,
              starts: 40,
              importRows: 40,
              decisions: 10,
              reads: 30,
              concurrentReads: 20,
              log,
            }
          : { ...DEFAULT_OPTIONS, log };
        result = await tableRun(ctx, opts);
      }
    } finally {
      await ctx.stop();
    }
    const file = resultPath(PROJECT_ROOT, smoke ? 'rehearse-smoke' : scaleSpec ? 'rehearse-scale' : 'rehearse');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ target: target.label, endToEnd: e2e, ...result }, null, 2));
    log(`result: ${path.relative(PROJECT_ROOT, file)}`);
    log(
      `REHEARSAL OK in ${Math.round((Date.now() - started) / 1000)} s (load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')})`,
    );
  } finally {
    await stopAll();
    clearTimeout(watchdog);
  }
}

/** Create an invoice on a seconds-scale policy, see its reminder go out, pay it on the other API, see it PAID. */
async function endToEnd(databaseUrl: string, apiUrls: string[], address: string) {
  const db = createDb(databaseUrl, 2);
  try {
    const id = crypto.randomBytes(3).toString('hex');
    await db.user.upsert({
      where: { id: 'rehearsal-manager' },
      create: { id: 'rehearsal-manager', name: 'Rehearsal', email: 'rehearsal@segugio.example', role: 'manager' },
      update: {},
    });
    const erp = await createApiKey(db, { label: `rehearsal ${id} erp`, role: 'erp' });
    const manager = await createApiKey(db, {
      label: `rehearsal ${id} manager`,
      role: 'manager',
      userId: 'rehearsal-manager',
    });
    const call = async (api: number, method: string, url: string, key: string, body?: unknown) => {
      const res = await fetch(`${apiUrls[api]}${url}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const segment = `rehearsal-${id}`;
    const policy = await call(0, 'PUT', `/v1/policies/${segment}`, manager.key, {
      name: 'rehearsal: a reminder within seconds',
      steps: [
        { stage: 'REMINDER', offset: 'PT3S', channels: ['EMAIL'], template: 'reminder-1' },
        { stage: 'CALL', offset: 'P30D', channels: ['TASK'], template: 'call' },
      ],
      settings: {
        promiseGrace: 'P2D',
        promiseMaxHorizon: 'P60D',
        planGrace: 'P5D',
        planMaxInstalments: 24,
        callOutcomeDeadline: 'P2D',
        contactBudget: { max: 5, window: 'P7D' },
        consolidationWindow: 'PT1S',
        timezone: 'Europe/Rome',
      },
    });
    if (policy.status !== 201) throw new Error(`PUT policy answered ${policy.status}: ${JSON.stringify(policy.body)}`);
    const number = `REH-${id}`;
    const due = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const t0 = Date.now();
    const created = await call(0, 'POST', '/v1/invoices', erp.key, {
      number,
      customer: {
        externalId: `REH-C-${id}`,
        name: 'Prova Generale S.r.l.',
        email: 'amministrazione@prova.example',
        language: 'it',
        segment,
      },
      currency: 'EUR',
      amountMinor: 123_450,
      issueDate: new Date(Date.now() - 33 * 86_400_000).toISOString().slice(0, 10),
      dueDate: due,
    });
    if (created.status !== 201)
      throw new Error(`POST /v1/invoices answered ${created.status}: ${JSON.stringify(created.body)}`);
    const invoiceId = created.body.invoiceId as string;
    let reminder: string | null = null;
    for (let i = 0; i < 240 && !reminder; i++) {
      const sent = await db.contactEvent.findFirst({
        where: { invoiceId, template: 'reminder-1', direction: 'OUT' },
      });
      reminder = sent ? `${sent.channel} ${sent.template} (${sent.status})` : null;
      if (!reminder) await sleep(500);
    }
    if (!reminder) throw new Error('no reminder went out within 120 s');
    const reminderSeconds = Math.round((Date.now() - t0) / 100) / 10;
    const t1 = Date.now();
    const paid = await call(1, 'POST', `/v1/invoices/${number}/payments`, erp.key, {
      reference: `REH-PAY-${id}`,
      amountMinor: 123_450,
      paidOn: new Date().toISOString().slice(0, 10),
    });
    if (paid.status !== 201) throw new Error(`payment answered ${paid.status}`);
    let stage = '';
    for (let i = 0; i < 240 && stage !== 'PAID'; i++) {
      stage = String((await call(i % 2, 'GET', `/v1/invoices/${invoiceId}/state`, manager.key)).body.stage);
      if (stage !== 'PAID') await sleep(250);
    }
    if (stage !== 'PAID') throw new Error(`the invoice is ${stage}, not PAID, 60 s after its payment`);
    const paidSeconds = Math.round((Date.now() - t1) / 100) / 10;
    // SQL visibility with the custom search attributes: the operator's filter finds it.
    const connection = await Connection.connect({ address });
    try {
      let count = 0;
      for (let i = 0; i < 60 && count === 0; i++) {
        const res = await connection.workflowService.countWorkflowExecutions({
          namespace: 'default',
          query: `WorkflowId = 'invoice-${invoiceId}' AND InvoiceStage = 'PAID' AND Segment = '${segment}'`,
        });
        count = Number(res.count ?? 0);
        if (count === 0) await sleep(500);
      }
      if (count !== 1) throw new Error('the PAID invoice is not found through SQL visibility');
    } finally {
      await connection.close();
    }
    return { invoiceId, reminder, reminderSeconds, paidSeconds };
  } finally {
    await db.$disconnect();
  }
}

main().then(
  // Everything it started is stopped; a client retry timer must not keep the process (or CI) waiting.
  () => process.exit(0),
  (err: unknown) => {
    console.error(`rehearse: FAILED: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
