// The dashboard's shell: sign-in, navigation by the URL's hash, and the one place where the API's
// refusals become messages a person reads.
import { ApiError, credential, get } from './api.js';
import { disposeCharts } from './charts.js';
import { el } from './format.js';
import * as funnel from './pages/funnel.js';
import * as kpis from './pages/kpis.js';
import * as leads from './pages/leads.js';
import * as timeline from './pages/timeline.js';
import * as live from './pages/live.js';

const PAGES = { funnel, kpis, leads, lead: timeline, live };
const $ = (id) => document.getElementById(id);
let cleanup;

/** What a person reads when the API refuses or fails; 401 sends them back to the sign-in form. */
export function explain(error, container) {
  if (error instanceof ApiError && error.status === 401) {
    credential.clear();
    showSignIn(`Your credential was not accepted (${error.message}). Sign in again.`);
    return;
  }
  const refused = error instanceof ApiError && error.status === 403;
  container.replaceChildren(
    el(
      'section',
      { class: `card ${refused ? 'refused' : ''}`, role: 'alert', dataset: { testid: refused ? 'refused' : 'failed' } },
      el('h2', {}, refused ? 'Not available to your role' : 'Something went wrong'),
      el('p', {}, refused ? `Your role may not see this page: the API answered 403 ${error.code ?? 'FORBIDDEN'} (${error.message}).` : String(error.message ?? error)),
    ),
  );
}

function showSignIn(message = '') {
  $('sign-in').hidden = false;
  $('nav').hidden = true;
  $('who').hidden = true;
  $('page').replaceChildren();
  $('sign-in-error').textContent = message;
  $('credential').focus();
}

async function route() {
  if (!credential.get()) return showSignIn();
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('who').hidden = false;
  const [name, ...rest] = (location.hash.replace(/^#\/?/, '') || 'funnel').split('/');
  const page = PAGES[name] ?? funnel;
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.page === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  disposeCharts();
  const container = $('page');
  container.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  try {
    cleanup = await page.render(container, { params: rest.map(decodeURIComponent), explain: (error) => explain(error, container) });
  } catch (error) {
    explain(error, container);
  }
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const value = $('credential').value.trim();
  if (!value) return;
  credential.set(value);
  try {
    // /health verifies a credential sent to it: an unknown or expired one is a 401 here already.
    await get('/health');
  } catch (error) {
    credential.clear();
    $('sign-in-error').textContent = error instanceof ApiError && error.status === 401 ? `Not accepted: ${error.message}` : `Could not sign in: ${error.message}`;
    return;
  }
  $('credential').value = '';
  $('who-label').textContent = 'Signed in';
  await route();
  $('main').focus();
});

$('sign-out').addEventListener('click', () => {
  credential.clear();
  if (typeof cleanup === 'function') cleanup();
  disposeCharts();
  showSignIn('Signed out.');
});

window.addEventListener('hashchange', () => void route());
// ECharts is a deferred classic script; modules run after it, so window.echarts is there.
$('who-label').textContent = 'Signed in';
void route();
