// The runtime is pinned in the root package.json (ADR 11): npm links the binary as node_modules/.bin/node,
// first on PATH for every npm script and npx, so this process must be that version.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  optionalDependencies: Record<string, string>;
};
const pinned = manifest.optionalDependencies[`node-${process.platform}-${process.arch}`];

describe('the runtime', () => {
  it('is the pinned Node, brought by npm ci', () => {
    expect(pinned, `no pinned Node binary for ${process.platform}-${process.arch}`).toBeDefined();
    expect(process.version, 'run through npm (npm test, npx vitest) so node_modules/.bin/node is used').toBe(
      `v${pinned}`,
    );
  });

  it('is the line every build stage of the image uses', () => {
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM node:(\d+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const major of bases) expect(major).toBe(pinned?.split('.')[0]);
  });
});

describe('the image', () => {
  it('copies every workspace manifest into its dependency layer', () => {
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    const workspaces = (
      JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
        packages: Record<string, { link?: boolean }>;
      }
    ).packages;
    const manifests = Object.keys(workspaces).filter((p) => /^(packages|services|tools)\/[^/]+$/.test(p));
    expect(manifests.length).toBeGreaterThan(10);
    for (const dir of manifests) expect(dockerfile, dir).toContain(`COPY ${dir}/package.json ${dir}/`);
  });
});
