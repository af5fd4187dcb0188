// @ts-check
// The layer rule of DESIGN.md, as an ESLint rule: each folder of lib/ may import only the folders
// listed for it, and some folders may not import some packages. It resolves relative specifiers
// itself because the layers are folders of this repository; a generic plugin would need a
// TypeScript resolver to map the `.js` specifiers of NodeNext back to `.ts` files.
import path from 'node:path';

const LIB = path.resolve(import.meta.dirname, '..', 'lib');
const NEST_ALL = [
  'core',
  'serialization',
  'aggregate',
  'engine',
  'telemetry',
  'projection',
  'saga',
  'forwarding',
  'sql',
  'nest',
];

/** Which lib/ folders each layer may import (its own folder is always allowed). */
export const LAYERS = {
  core: [],
  serialization: ['core'],
  aggregate: ['core', 'serialization'],
  engine: ['core'],
  telemetry: ['core', 'serialization', 'aggregate', 'engine'],
  projection: ['core', 'serialization', 'aggregate', 'engine', 'telemetry'],
  saga: ['core', 'serialization', 'aggregate', 'engine', 'telemetry'],
  forwarding: ['core', 'serialization', 'aggregate', 'engine', 'telemetry'],
  sql: ['core'],
  nest: NEST_ALL,
  cli: NEST_ALL,
  testing: NEST_ALL,
  '.': [...NEST_ALL, 'cli', 'testing'],
};

const DRIVERS = ['pg', 'pg-cursor', 'mysql2', 'mysql2/promise', 'better-sqlite3'];
const ORM_AND_NEST = [
  'typeorm',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/cqrs',
  '@nestjs/typeorm',
  '@nestjs/microservices',
  '@nestjs/terminus',
];
/** Packages a layer may not import: the core knows no framework, only sql/ talks to drivers. */
export const FORBIDDEN_PACKAGES = {
  core: [...ORM_AND_NEST, ...DRIVERS],
  serialization: ['typeorm', ...DRIVERS],
  aggregate: ['typeorm', ...DRIVERS],
  engine: ['typeorm', ...DRIVERS],
  telemetry: ['typeorm', ...DRIVERS],
  projection: DRIVERS,
  saga: DRIVERS,
  forwarding: DRIVERS,
  nest: DRIVERS,
};

function layerOf(file) {
  const rel = path.relative(LIB, file);
  if (rel.startsWith('..')) return undefined;
  const top = rel.split(path.sep)[0];
  return rel.includes(path.sep) ? top : '.';
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      upward:
        'lib/{{from}}/ may not import lib/{{to}}/ (allowed: {{allowed}}). Move the shared piece down a layer or pass it in from lib/nest/.',
      pkg: "lib/{{from}}/ may not import '{{pkg}}'. Keep framework and driver code in the layers that own it (see DESIGN.md, Layers).",
    },
  },
  create(context) {
    const from = layerOf(context.filename);
    if (!from) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.')) {
        const to = layerOf(path.resolve(path.dirname(context.filename), spec));
        if (!to || to === from) return;
        const allowed = LAYERS[from] ?? [];
        if (!allowed.includes(to))
          context.report({
            node,
            messageId: 'upward',
            data: { from, to, allowed: allowed.join(', ') || 'none' },
          });
        return;
      }
      const banned = FORBIDDEN_PACKAGES[from] ?? [];
      if (banned.includes(spec))
        context.report({ node, messageId: 'pkg', data: { from, pkg: spec } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { layers: rule } };
