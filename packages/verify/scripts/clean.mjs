// A pack must not ship files left by an earlier build of sources since deleted or renamed.
// The build info goes too: with it, tsc would think the deleted outputs are up to date.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
rmSync(new URL('../tsconfig.tsbuildinfo', import.meta.url), { force: true });
