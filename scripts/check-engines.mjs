// Every installed package must run on the oldest Node that package.json's
// `engines` promises: a dependency that needs a newer one (cookie@2 wants
// Node 22) would break users on that Node while `npm ci` only warns.
// Reads package-lock.json, which records each package's `engines` as installed. Run by `npm test`.
import { readFileSync } from 'node:fs';
import semver from 'semver';

const root = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
const oldest = semver.minVersion(root.engines.node);
if (!oldest) throw new Error(`package.json engines.node is not a range: ${root.engines.node}`);

const problems = [];
let checked = 0;
for (const [path, pkg] of Object.entries(lock.packages ?? {})) {
  if (path === '') continue;
  const range = pkg.engines?.node;
  if (typeof range !== 'string') continue;
  checked++;
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length) || path;
  // Optional packages (platform binaries) never installed here still must not ask for a newer Node.
  if (!semver.satisfies(oldest, range, { includePrerelease: true })) {
    problems.push(`${name}@${pkg.version} needs node ${range}`);
  }
}
if (problems.length > 0) {
  console.error(
    `Dependencies that do not run on node ${oldest} (package.json engines: ${root.engines.node}):`,
  );
  for (const p of problems) console.error(`  ${p}`);
  console.error(
    'Pin a version whose engines match (package.json "overrides"), or raise engines.node honestly.',
  );
  process.exit(1);
}
console.log(`engines: ${checked} packages with an engines.node range all admit node ${oldest}`);
