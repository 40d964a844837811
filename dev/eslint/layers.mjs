// @ts-check
/**
 * The dependency direction between the project's folders, checked on every import (ESLint rule `segugio/layers`).
 * Each layer names the folders it may import from (an allow-list) and, for packages, what it may not use; a wrong
 * import fails `npm test`. The picture is in README's architecture section.
 */
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Deterministic code may use only these packages. */
const WORKFLOW_PACKAGES = ['@temporalio/workflow', '@temporalio/common'];

/**
 * For each layer: `layers` it may import values from, `typeOnly` layers it may import types from, and either
 * `packages` (an allow-list) or `deniedPackages`. Layers not listed (scripts, dev, prisma, test) may import anything.
 */
export const LAYERS = {
  contract: { layers: ['contract'], packages: WORKFLOW_PACKAGES },
  domain: { layers: ['domain', 'contract', 'data'], packages: ['zod'] },
  workflows: { layers: ['workflows', 'contract', 'domain'], typeOnly: ['activities'], packages: WORKFLOW_PACKAGES },
  infra: {
    layers: ['infra', 'domain', 'contract', 'generated', 'data'],
    deniedPackages: ['express', '@temporalio/worker', '@temporalio/activity'],
  },
  contexts: {
    layers: ['contexts', 'infra', 'domain', 'contract', 'generated', 'data'],
    typeOnly: ['workflows', 'activities'],
    // Express types pass through the few services that read a request (principal, multipart upload) — never values.
    typeOnlyPackages: ['express'],
    deniedPackages: ['@temporalio/worker', '@temporalio/activity', 'helmet', 'express-rate-limit'],
  },
  activities: {
    layers: ['activities', 'contexts', 'infra', 'domain', 'contract', 'generated', 'data'],
    typeOnly: ['workflows'],
    deniedPackages: ['express', '@temporalio/worker'],
  },
  api: {
    layers: ['api', 'contexts', 'infra', 'domain', 'contract', 'generated', 'data'],
    typeOnly: ['workflows', 'activities'],
    deniedPackages: ['@temporalio/worker', '@temporalio/activity'],
  },
  worker: {
    layers: ['worker', 'activities', 'contexts', 'infra', 'domain', 'contract', 'generated', 'data'],
    typeOnly: ['workflows'],
    deniedPackages: ['express'],
  },
};

/** The layer a repository file belongs to: its top folder, the contract standing apart from the workflows. */
export function layerOf(file, isTarget = false) {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  if (/^workflows\/contract(\.ts)?$/.test(rel)) return 'contract';
  if (rel.startsWith('..')) return '(outside)';
  return rel.includes('/') || isTarget ? rel.split('/')[0] : '(root)';
}

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** @type {import('eslint').Rule.RuleModule} */
const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the dependency direction between folders' },
    schema: [],
    messages: { denied: '{{from}} may not import {{what}} ({{spec}}): {{why}}' },
  },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    const rule = LAYERS[from];
    if (!rule) return {};
    const check = (node, spec, typeOnly) => {
      if (typeof spec !== 'string') return;
      const report = (what, why) =>
        context.report({ node, messageId: 'denied', data: { from: `${from}/`, what, spec, why } });
      if (spec.startsWith('.')) {
        const target = layerOf(path.resolve(path.dirname(file), spec), true);
        if (rule.layers.includes(target)) return;
        if (typeOnly && rule.typeOnly?.includes(target)) return;
        report(`${target}/`, rule.typeOnly?.includes(target) ? 'types only' : 'against the dependency direction');
        return;
      }
      const pkg = packageName(spec);
      if (rule.packages && !rule.packages.includes(pkg) && !(typeOnly && rule.typeOnlyPackages?.includes(pkg)))
        report(pkg, "not on this layer's allow-list (deterministic or pure code)");
      else if (rule.deniedPackages?.includes(pkg) || (!typeOnly && rule.typeOnlyPackages?.includes(pkg)))
        report(pkg, rule.typeOnlyPackages?.includes(pkg) ? 'types only' : 'belongs to another layer');
    };
    const isTypeOnly = (node) =>
      node.importKind === 'type' ||
      (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type'));
    return {
      ImportDeclaration: (node) => check(node, node.source.value, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
      TSImportType: (node) => {
        const arg = node.argument?.literal ?? node.argument;
        if (arg?.type === 'Literal') check(node, arg.value, true);
      },
      CallExpression: (node) => {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments[0]?.type === 'Literal'
        )
          check(node, node.arguments[0].value, false);
      },
    };
  },
};

export default { rules: { layers: layersRule } };
