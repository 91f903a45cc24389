#!/usr/bin/env node
// `npm run enrollment-code -- kiosk` (or `-- display`, `-- desktop`): signs in
// as an admin and prints a one-time code (valid 24 hours) to type into a
// kiosk's or display's page. The same as POST /admin/enrollment-codes.
//
//   MEDISYNC_SERVER_URL  the sync server (default http://127.0.0.1:4000)
//   ADMIN_EMAIL          default admin@demo.clinic, the demo clinic's admin
//   ADMIN_PASSWORD       default medisync-demo
import process from 'node:process';

const ROLES = ['kiosk', 'display', 'desktop'];
const [role = 'kiosk', ...rest] = process.argv.slice(2);
const label = rest.join(' ').trim() || `${role} set up from the command line`;
const server = (process.env.MEDISYNC_SERVER_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
const email = process.env.ADMIN_EMAIL ?? 'admin@demo.clinic';
const password = process.env.ADMIN_PASSWORD ?? 'medisync-demo';

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function post(path, body, token) {
  let response;
  try {
    response = await globalThis.fetch(`${server}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  } catch {
    fail(`the sync server at ${server} does not answer: start it (npm start) or set MEDISYNC_SERVER_URL`);
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) fail(`${path}: ${answer.error?.message ?? `HTTP ${response.status}`}`);
  return answer;
}

if (!ROLES.includes(role)) fail(`usage: npm run enrollment-code -- <${ROLES.join('|')}> [label]`);
const session = await post('/auth/sign-in', { email, password });
const created = await post('/admin/enrollment-codes', { role, label }, session.accessToken);
console.log(
  `${created.code}  (${role} at ${session.site.name}, valid until ${new Date(created.expiresAt).toLocaleString()})`,
);
