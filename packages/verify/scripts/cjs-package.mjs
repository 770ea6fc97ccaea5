// dist/cjs holds the CommonJS build: its own package.json tells Node (and TypeScript)
// that these .js files are CommonJS, while the package's "type": "module" covers dist/.
import { mkdirSync, writeFileSync } from 'node:fs';

mkdirSync(new URL('../dist/cjs/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');
