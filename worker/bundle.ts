/**
 * Build step (`npm run build`): bundles the workflow code once into dist/workflow-bundle.js, so a production worker
 * loads the exact code that was built and tested instead of running webpack at every start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'workflow-bundle.js'));
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: (m) => console.warn(m),
      error: (m) => console.error(m),
    },
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, code);
  console.log(
    `segugio: workflow bundle written to ${path.relative(process.cwd(), out)} (${Math.round(code.length / 1024)} KiB)`,
  );
}

main().catch((err: unknown) => {
  console.error(`segugio bundle: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
