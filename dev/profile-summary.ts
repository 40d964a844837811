/**
 * `npx tsx dev/profile-summary.ts <dir-or-file.cpuprofile>…` — where a process spent its CPU, from the V8 profiles
 * `npm run bench -- --profile` writes (one per API and worker process, when it stops). Prints, per profile, the
 * sampled time, the share that was idle, the self time by package (node_modules/<package>, node's own internals,
 * Segugio's folders) and the heaviest functions by self time. Not a test; a reading aid for docs/performance.md.
 */
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Which part of the program a frame belongs to: a package, node itself, a Segugio folder, or V8's markers. */
export function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const file = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return pkg[1];
  if (file.startsWith('node:')) return 'node';
  const m = /\/(api|worker|workflows|contexts|domain|infra|activities|dist\/[a-z]+)\//.exec(file);
  return m ? `segugio:${m[1].replace(/^dist\//, '')}` : path.basename(file);
}

export interface Summary {
  file: string;
  sampledMs: number;
  idleMs: number;
  byOwner: Array<{ owner: string; ms: number; share: number }>;
  byFunction: Array<{ fn: string; owner: string; ms: number; share: number }>;
}

export function summarize(file: string, profile: CpuProfile, top = 15): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  // Each sample's time is the delta that follows it (V8 records the gap before the next sample).
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    selfMs.set(profile.samples[i], (selfMs.get(profile.samples[i]) ?? 0) + dt);
  }
  let sampledMs = 0;
  let idleMs = 0;
  const owners = new Map<string, number>();
  const fns = new Map<string, { owner: string; ms: number }>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    sampledMs += ms;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const owner = ownerOf(url, functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + ms);
    const key = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`.trim();
    const f = fns.get(key) ?? { owner, ms: 0 };
    f.ms += ms;
    fns.set(key, f);
  }
  const busy = sampledMs - idleMs || 1;
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    file,
    sampledMs: r1(sampledMs),
    idleMs: r1(idleMs),
    byOwner: [...owners]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([owner, ms]) => ({ owner, ms: r1(ms), share: r1((ms / busy) * 100) })),
    byFunction: [...fns]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(([fn, f]) => ({ fn, owner: f.owner, ms: r1(f.ms), share: r1((f.ms / busy) * 100) })),
  };
}

function profilesIn(arg: string): string[] {
  if (fs.statSync(arg).isDirectory())
    return fs
      .readdirSync(arg)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(arg, f));
  return [arg];
}

function main(): void {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    console.error('usage: npx tsx dev/profile-summary.ts <dir-or-file.cpuprofile>…');
    process.exit(2);
  }
  for (const file of args.flatMap(profilesIn)) {
    const s = summarize(file, JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile);
    console.log(`\n${path.basename(file)}: ${s.sampledMs} ms sampled, ${s.idleMs} ms idle`);
    console.log('  self time by owner (share of the busy time):');
    for (const o of s.byOwner)
      console.log(`    ${o.share.toFixed(1).padStart(5)} %  ${o.ms.toFixed(0).padStart(7)} ms  ${o.owner}`);
    console.log('  heaviest functions by self time:');
    for (const f of s.byFunction)
      console.log(`    ${f.share.toFixed(1).padStart(5)} %  ${f.ms.toFixed(0).padStart(7)} ms  ${f.fn}  [${f.owner}]`);
  }
}

if (require.main === module) main();
