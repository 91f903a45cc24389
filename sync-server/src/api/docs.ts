/**
 * A readable page for the OpenAPI document, rendered here as plain HTML: the
 * server's CSP forbids outside scripts, and an integrator should be able to
 * read the API without running any.
 */
export function docsPage(document: {
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, unknown>>;
}): string {
  const rows: string[] = [];
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const op = raw as {
        operationId: string;
        summary: string;
        tags: string[];
        'x-required-scope': string;
        parameters?: { name: string; in: string; required: boolean; schema: unknown }[];
        requestBody?: { content: Record<string, { schema: unknown }> };
        responses: Record<string, { description: string }>;
      };
      const params = (op.parameters ?? [])
        .map((p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ', required' : ''})</li>`)
        .join('');
      const body = op.requestBody
        ? `<details><summary>Request body</summary><pre>${esc(JSON.stringify(op.requestBody.content['application/json']?.schema, null, 2))}</pre></details>`
        : '';
      const responses = Object.entries(op.responses)
        .map(([status, r]) => `<li><code>${esc(status)}</code> ${esc(r.description)}</li>`)
        .join('');
      const html = `<section id="${esc(op.operationId)}">
  <h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
  <p>${esc(op.summary)}. Scope: <code>${esc(op['x-required-scope'])}</code></p>
  ${params ? `<p>Parameters:</p><ul>${params}</ul>` : ''}${body}
  <p>Responses:</p><ul>${responses}</ul>
</section>`;
      const tag = op.tags[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  for (const [tag, sections] of byTag) rows.push(`<h2>${esc(tag)}</h2>\n${sections.join('\n')}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(document.info.title)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d2433; }
section { border-top: 1px solid #d8dde6; padding: .5rem 0; }
.method { display: inline-block; min-width: 4.5rem; font-size: .8rem; padding: .1rem .4rem; border-radius: .25rem; color: #fff; background: #52607a; }
.get { background: #2463c2; } .post { background: #1f8a4c; } .patch { background: #b26b00; } .delete { background: #b3261e; }
pre { background: #f4f6fa; padding: .5rem; overflow: auto; font-size: .8rem; }
</style>
</head>
<body>
<h1>${esc(document.info.title)} <small>v${esc(document.info.version)}</small></h1>
<p>${esc(document.info.description)}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
${rows.join('\n')}
</body>
</html>`;
}

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
