// The package as users get it: `npm pack`, installed into a fresh ESM Nest 12 application in a
// temporary folder (with @nestjs/common one patch older than the repository's), compiled with
// TypeScript against the shipped types, booted on SQLite, projecting an event.
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const versionOf = (name: string) =>
  (
    JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

/** One patch below the repository's @nestjs/common (12.5.1 -> 12.5.0). */
export function onePatchOlder(version: string): string {
  const [major, minor, patch] = version.split('.').map(Number);
  return patch > 0 ? `${major}.${minor}.${patch - 1}` : `${major}.${Math.max(minor - 1, 0)}.0`;
}

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

describe('the packed tarball in a fresh Nest 12 app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-es-pack-'));
  const app = join(dir, 'app');
  let packed: Packed;
  const run = (file: string, args: string[], options: ExecFileSyncOptions = {}) =>
    execFileSync(file, args, { cwd: app, encoding: 'utf8', stdio: 'pipe', ...options }) as string;

  beforeAll(() => {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    packed = (JSON.parse(out) as Packed[])[0];
    cpSync(join(root, 'test/pack/fresh-app'), app, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships the compiled library, its types, the README and the LICENSE, nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(paths).toContain('dist/lib/index.js');
    expect(paths).toContain('dist/lib/testing/index.d.ts');
    expect(paths).toContain('dist/lib/cli/bin.js');
    const others = paths.filter(
      (p) =>
        !/^dist\/lib\/.*\.(js|d\.ts)$/.test(p) &&
        !['LICENSE', 'README.md', 'package.json'].includes(p),
    );
    expect(others).toEqual([]);
    console.log(
      `tarball: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} kB packed, ` +
        `${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked`,
    );
  });

  it('installs without ERESOLVE next to @nestjs/common one patch older', () => {
    const pkg = {
      name: 'fresh-app',
      private: true,
      type: 'module',
      dependencies: {
        '@nestjs/common': onePatchOlder(versionOf('@nestjs/common')),
        '@nestjs/core': onePatchOlder(versionOf('@nestjs/core')),
        '@nestjs/cqrs': `^${versionOf('@nestjs/cqrs')}`,
        typeorm: `^${versionOf('typeorm')}`,
        rxjs: `^${versionOf('rxjs')}`,
        'reflect-metadata': `^${versionOf('reflect-metadata')}`,
        // the repository's version: its compiled binary is copied below instead of rebuilt
        'better-sqlite3': versionOf('better-sqlite3'),
        'nestjs-event-sourcing': `file:../${packed.filename}`,
      },
      devDependencies: { '@types/node': versionOf('@types/node') },
    };
    writeFileSync(join(app, 'package.json'), JSON.stringify(pkg, null, 2));
    // No --legacy-peer-deps: a peer conflict fails here. Install scripts are skipped (better-sqlite3
    // would compile for minutes where no prebuilt binary is reachable); its binary is copied.
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts']);
    const binary = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    cpSync(join(root, binary), join(app, binary));

    const installed = (name: string) => existsSync(join(app, 'node_modules', name, 'package.json'));
    expect(installed('nestjs-event-sourcing')).toBe(true);
    // Optional peers stay out; packages only the repository's sample app uses stay out.
    for (const absent of [
      'pg',
      'mysql2',
      '@nestjs/typeorm',
      '@nestjs/platform-express',
      'class-validator',
    ]) {
      expect(installed(absent), absent).toBe(false);
    }
  }, 240_000);

  it('compiles against the shipped types, also with moduleResolution node10', () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    run(process.execPath, [tsc, '-p', 'tsconfig.json']);
    run(process.execPath, [tsc, '-p', 'tsconfig.node10.json']);
  }, 120_000);

  it('boots on SQLite and projects an event; a missing driver is named', () => {
    const out = run(process.execPath, ['dist/main.js'], {
      env: { ...process.env, SQLITE_FILE: join(dir, 'app.sqlite') },
    });
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
      summary: unknown;
      driverError: string;
    };
    expect(result.summary).toEqual({ id: '42', total: 10 });
    expect(result.driverError).toContain('needs the package "pg"');
    expect(result.driverError).toContain('npm install pg');
  }, 60_000);

  it('loads from CommonJS through require(esm)', () => {
    expect(run(process.execPath, ['require-esm.cjs']).trim()).toBe('function function');
  });

  it('runs the operator CLI bin against the app module, without workers', () => {
    const out = run(
      'npx',
      [
        '--no-install',
        'nestjs-event-sourcing',
        '--module',
        'dist/app.module.js#AppModule',
        'projections',
        'status',
        '--json',
      ],
      { env: { ...process.env, SQLITE_FILE: join(dir, 'app.sqlite') } },
    );
    const status = JSON.parse(out) as { name: string; position: number }[];
    expect(status.map((s) => s.name)).toEqual(['order_summary']);
    expect(status[0].position).toBeGreaterThan(0); // the event main.js projected
  }, 60_000);
});
