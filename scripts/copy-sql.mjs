// tsc does not copy non-TS files: put the .sql migrations beside the compiled
// store code, and the API reference page (src/api/docs-page: HTML, JS, CSS)
// beside the compiled API code that serves it at /docs.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function copySql(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copySql(path);
    else if (name.endsWith('.sql')) cpSync(path, join('dist', path.slice('src/'.length)));
  }
}
copySql('src');
cpSync('src/api/docs-page', 'dist/api/docs-page', { recursive: true });
