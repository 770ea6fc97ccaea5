// Renders /api/v1/openapi.json as a reference page: operations grouped by tag.
// Plain DOM (textContent only, never innerHTML) so nothing in the document can inject markup.

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Text with `code` spans (the document's descriptions use Markdown backticks), as DOM nodes. */
function prose(text) {
  const span = document.createElement('span');
  String(text || '')
    .split('`')
    .forEach((part, i) => {
      if (part !== '') span.append(i % 2 === 1 ? el('code', {}, part) : document.createTextNode(part));
    });
  return span;
}

function refName(ref) {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

function resolve(doc, schema) {
  return schema?.$ref ? doc.components.schemas[refName(schema.$ref)] : schema;
}

function typeText(schema) {
  if (!schema) return 'any';
  if (schema.$ref) return refName(schema.$ref);
  if (schema.anyOf) return schema.anyOf.map(typeText).join(' | ');
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : ['any'];
  return types
    .map((t) => {
      if (t === 'array') return `${typeText(schema.items)}[]`;
      if (t === 'object' && schema.additionalProperties)
        return `{[name]: ${typeText(schema.additionalProperties)}}`;
      if (t === 'string' && schema.format) return `string (${schema.format})`;
      return t;
    })
    .join(' | ');
}

/** The rules a value must follow (lengths, ranges, pattern), as short text. */
function limits(schema) {
  const s = schema?.anyOf ? schema.anyOf.find((b) => b.type !== 'null') || {} : schema || {};
  const parts = [];
  const range = (min, max, unit) => {
    if (min !== undefined && max !== undefined) parts.push(`${min}–${max}${unit}`);
    else if (min !== undefined) parts.push(`≥ ${min}${unit}`);
    else if (max !== undefined) parts.push(`≤ ${max}${unit}`);
  };
  range(s.minLength, s.maxLength, ' chars');
  range(s.minimum, s.maximum, '');
  range(s.minItems, s.maxItems, ' items');
  if (s.pattern) parts.push(s.pattern);
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`);
  return parts.length > 0 ? el('div', { class: 'limits' }, parts.join(', ')) : null;
}

function badge(text, kind) {
  return el('span', { class: `badge ${kind}` }, text);
}

function isHookline(schema) {
  return Boolean(schema && (schema['x-hookline'] || (schema.anyOf || []).some((s) => s['x-hookline'])));
}

function fieldsTable(doc, schema) {
  const resolved = resolve(doc, schema);
  if (!resolved?.properties) return el('p', { class: 'type' }, typeText(schema));
  const required = new Set(resolved.required || []);
  const rows = Object.entries(resolved.properties).map(([name, prop]) =>
    el(
      'tr',
      {},
      el('td', {}, el('code', {}, name), required.has(name) ? badge('required', 'req') : null),
      el('td', { class: 'type' }, typeText(prop), limits(prop)),
      el('td', {}, isHookline(prop) ? badge('Hookline', 'hookline') : null, prose(prop.description)),
    ),
  );
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, el('th', {}, 'Field'), el('th', {}, 'Type'), el('th', {}, 'Description'))),
    el('tbody', {}, ...rows),
  );
}

function parametersTable(params) {
  const rows = params.map((p) =>
    el(
      'tr',
      {},
      el('td', {}, el('code', {}, p.name), p.required ? badge('required', 'req') : null),
      el('td', {}, p.in),
      el('td', { class: 'type' }, typeText(p.schema), limits(p.schema)),
      el('td', {}, p['x-hookline'] ? badge('Hookline', 'hookline') : null, prose(p.description)),
    ),
  );
  return el(
    'table',
    {},
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', {}, 'Parameter'),
        el('th', {}, 'In'),
        el('th', {}, 'Type'),
        el('th', {}, 'Description'),
      ),
    ),
    el('tbody', {}, ...rows),
  );
}

function responsesList(doc, responses) {
  const items = Object.entries(responses).map(([status, response]) => {
    const media = response.content ? Object.keys(response.content)[0] : null;
    const schema = media ? response.content[media].schema : null;
    const summary = el(
      'summary',
      {},
      el('code', { class: `status s${status[0]}` }, status),
      ' ',
      prose(response.description),
      schema?.$ref ? el('span', { class: 'type' }, ` ${refName(schema.$ref)}`) : null,
    );
    const body = schema?.$ref ? fieldsTable(doc, schema) : null;
    return el('li', {}, body ? el('details', {}, summary, body) : summary);
  });
  return el('ul', { class: 'responses' }, ...items);
}

function operationSection(doc, path, method, op) {
  const title = el(
    'h3',
    {},
    el('span', { class: `method ${method}` }, method.toUpperCase()),
    ' ',
    el('code', { class: 'path' }, path),
  );
  const flags = el(
    'p',
    { class: 'flags' },
    op['x-hookline'] ? badge('Hookline route', 'hookline') : null,
    op.security && op.security.length === 0 ? badge('no token', 'open') : null,
  );
  const parts = [title, el('p', { class: 'summary' }, prose(op.summary)), flags];
  if (op.description) parts.push(el('p', {}, prose(op.description)));
  if (op.parameters && op.parameters.length > 0) parts.push(parametersTable(op.parameters));
  if (op.requestBody) {
    const schema = op.requestBody.content['application/json'].schema;
    parts.push(
      el('h4', {}, `Request body: ${typeText(schema)}`, op.requestBody.required ? '' : ' (optional)'),
    );
    parts.push(fieldsTable(doc, schema));
  }
  parts.push(el('h4', {}, 'Responses'), responsesList(doc, op.responses));
  return el(
    'section',
    { class: 'operation', id: op.operationId, 'data-method': method, 'data-path': path },
    ...parts,
  );
}

function render(doc) {
  const byTag = new Map((doc.tags || []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] || 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operationSection(doc, path, method, op));
    }
  }
  const intro = document.getElementById('intro');
  intro.replaceChildren(
    prose(doc.info.description),
    ' Every route but those marked “no token” needs ',
    el('code', {}, 'Authorization: Bearer <token>'),
    '. The machine-readable document: ',
    el('a', { href: '/api/v1/openapi.json' }, '/api/v1/openapi.json'),
    '.',
  );
  const toc = document.getElementById('toc');
  const main = document.getElementById('operations');
  for (const [tag, sections] of byTag) {
    if (sections.length === 0) continue;
    const id = `tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    toc.append(el('a', { href: `#${id}` }, `${tag} (${sections.length})`));
    main.append(el('section', { class: 'tag', id }, el('h2', {}, tag), ...sections));
  }
}

async function load() {
  const response = await fetch('/api/v1/openapi.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /api/v1/openapi.json answered ${response.status}`);
  render(await response.json());
}

load().catch((err) => {
  document
    .getElementById('intro')
    .replaceChildren(el('strong', { class: 'error' }, `Could not load the document: ${err.message}`));
});
