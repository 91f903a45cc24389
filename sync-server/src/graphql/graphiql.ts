import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express from 'express';

/**
 * GraphiQL for people trying the API, served like any other files: the page,
 * GraphiQL's prebuilt bundle, its styles and editor workers from the
 * `@graphql-yoga/graphiql` package, and a small start script of our own. No
 * inline script and no other host, so the server's strict content security
 * policy (script-src 'self') holds for this page too.
 */
const BUNDLE_DIR = join(dirname(createRequire(import.meta.url).resolve('@graphql-yoga/graphiql/package.json')), 'dist');
const ASSETS = '/graphql/graphiql/assets';

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>MediSync GraphQL</title>
    <link rel="stylesheet" href="${ASSETS}/graphiql.css" />
    <link rel="stylesheet" href="/graphql/graphiql/page.css" />
  </head>
  <body>
    <noscript>GraphiQL needs JavaScript. The schema is at /graphql/schema.graphql.</noscript>
    <div id="root">Loading GraphiQL…</div>
    <script src="${ASSETS}/yoga-graphiql.umd.js"></script>
    <script src="/graphql/graphiql/start.js"></script>
  </body>
</html>
`;

/** Editor workers load from this server, not from blob URLs, which the policy refuses. */
const START = `'use strict';
self.MonacoEnvironment = {
  globalAPI: false,
  getWorkerUrl: function (_moduleId, label) {
    var file = label === 'json' ? 'json.worker.bundle.js' : label === 'graphql' ? 'graphql.worker..bundle.js' : 'editor.worker.bundle.js';
    return '${ASSETS}/monacoeditorwork/' + file;
  },
};
YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), {
  endpoint: '/graphql',
  subscriptionsProtocol: 'WS',
  title: 'MediSync GraphQL',
  query:
    '# Add your API key under Headers below: {"Authorization": "Bearer msk_..."}\\n' +
    '# The schema itself needs no key; every field of data does.\\n' +
    '{\\n  providers(first: 5) {\\n    nodes { id displayName specialties }\\n  }\\n}\\n',
});
`;

export function graphiqlRouter(): express.Router {
  const router = express.Router();
  router.get('/graphql/graphiql', (_req, res) => {
    res.type('html').set('cache-control', 'no-cache').send(PAGE);
  });
  router.get('/graphql/graphiql/page.css', (_req, res) => {
    res.type('css').set('cache-control', 'no-cache').send('html, body, #root { height: 100%; margin: 0; }\n');
  });
  router.get('/graphql/graphiql/start.js', (_req, res) => {
    res.type('js').set('cache-control', 'no-cache').send(START);
  });
  router.use(ASSETS, express.static(BUNDLE_DIR, { maxAge: '1d', index: false }));
  return router;
}
