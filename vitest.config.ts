import swc from 'unplugin-swc';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// SWC emits decorator metadata, which Nest's constructor injection by type needs.
const shared = {
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: {
      'nestjs-event-sourcing/testing': fileURLToPath(
        new URL('./lib/testing/index.ts', import.meta.url),
      ),
      'nestjs-event-sourcing': fileURLToPath(new URL('./lib/index.ts', import.meta.url)),
    },
  },
};

export default defineConfig({
  ...shared,
  test: {
    projects: [
      { ...shared, test: { name: 'unit', include: ['test/unit/**/*.unit.spec.ts'] } },
      {
        ...shared,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int.spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // npm run test:pack (and .ci/run): packs the tarball and installs it into a fresh app
        ...shared,
        test: {
          name: 'pack',
          include: ['test/pack/**/*.pack.spec.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
