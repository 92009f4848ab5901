import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type DemoAnswer, playDemoScenario } from '../../../cli/src/demo-scenario';
import { removeDataDir, startTestApp, type TestApp } from '../../../../test/support/test-app';

jest.setTimeout(180_000);

/** Debian's Chromium: a downloaded browser cannot run here (.ci/run installs the package when missing). */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', '..', '..', 'test-results', 'dashboard');
const TENANT = 'dash';
const LAPTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const DAY = 86_400_000;

describe('dashboard in a real browser: sign-in, funnel, KPIs, leads, timeline, live, refusals', () => {
  let t: TestApp;
  let base: string;
  let context: BrowserContext;
  let profile: string;
  const problems: string[] = [];
  let admin: string;
  let storyLead: string;
  let erasedLead: string;
  /** The leads the Live test captured: of the own tenant and of another. */
  const liveLeads = { own: '', other: '' };

  /** One request to the API as the test's admin (or `key`); the answer's body typed as the caller reads it. */
  const api = async <T = DemoAnswer>(method: 'GET' | 'POST', path: string, body?: unknown, key = admin, tenant = TENANT) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'X-Tenant-Id': tenant, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`\n\n!!! ${CHROMIUM} is missing: the dashboard's browser tests cannot run. Install Debian's chromium (apt-get install -y chromium; .ci/run does). !!!\n`);
    }
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((t.app.getHttpServer() as Server).address() as AddressInfo).port}`;
    admin = await t.adminKey(TENANT);
    // A small seeded funnel through the API, then one lead whose story the timeline test reads.
    const demo = await playDemoScenario((method, path, body) => api(method, path, body), { leads: 40, seed: 7, concurrency: 4 });
    erasedLead = demo.leadIds[demo.leadIds.length - 1];
    const captured = await api('POST', '/v1/leads', { contact: { email: 'story@example.com' }, source: { channel: 'seo' }, occurredAt: new Date(Date.now() - 5 * DAY).toISOString() });
    storyLead = captured.body.leadId!;
    await api('POST', `/v1/leads/${storyLead}/activities`, { type: 'demo_request', occurredAt: new Date(Date.now() - 4 * DAY).toISOString() });
    await api('POST', `/v1/leads/${storyLead}/activities`, { type: 'meeting_booked', occurredAt: new Date(Date.now() - 3 * DAY).toISOString() });
    const allMet = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };
    await api('POST', `/v1/leads/${storyLead}/sql`, { bant: allMet, qualifiedBy: 'sdr-1', occurredAt: new Date(Date.now() - 2 * DAY).toISOString() });
    const opened = await api('POST', `/v1/leads/${storyLead}/opportunities`, { amount: 12000, currency: 'EUR' });
    await api('POST', `/v1/opportunities/${opened.body.opportunityId}/win`, {});
    await waitForProjections();

    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      viewport: LAPTOP,
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
    if (t) removeDataDir(t.dataDir);
  });

  async function waitForProjections() {
    for (let i = 0; i < 100; i++) {
      const { body } = await api('GET', '/v1/projections');
      if ((body.processors ?? []).filter((p) => p.name.startsWith('projection:')).every((p) => p.eventsBehind === 0)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the projections did not catch up');
  }

  /** A fresh tab (sessionStorage is per tab), signed in through the form with this key. */
  async function signedIn(key: string, hash = '#/funnel'): Promise<Page> {
    const page = await context.newPage();
    // The browser logs every 403 it is answered; a refusal is what some tests ask for. Anything else counts.
    page.on('console', (message) => message.type() === 'error' && !/status of 403/.test(message.text()) && problems.push(`console: ${message.text()}`));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${base}/dashboard${hash}`);
    await page.getByLabel('API key or token').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });

  it('serves the page, its modules and ECharts from this origin under the CSP, without a credential', async () => {
    const index = await fetch(`${base}/dashboard`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect((await fetch(`${base}/dashboard/vendor/echarts.min.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${base}/dashboard/pages/funnel.js`)).status).toBe(200);
    const unknown = await fetch(`${base}/dashboard/..%2Fdashboard.module.ts`);
    expect(unknown.status).toBe(404);
  });

  it('refuses an unknown key at the sign-in form, with the API\'s reason', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/dashboard`);
    await page.getByLabel('API key or token').fill('llk_0000000000000000_notakeynotakeynotakeynotakeynotakey000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.locator('#sign-in-error'), /Not accepted/);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.close();
  });

  it('shows the funnel with the counts GET /v1/funnel answers, in both counting modes, and a breakdown', async () => {
    const funnel = (await api<{ groups: Array<{ reached: Record<string, Record<string, number>> }> }>('GET', '/v1/funnel')).body;
    const page = await signedIn(admin);
    await page.getByRole('table', { name: 'Funnel counts' }).waitFor();
    for (const mode of ['anyPath', 'inOrder'] as const) {
      if (mode === 'inOrder') {
        await page.getByLabel('in order').check();
        await page.getByRole('button', { name: 'Apply' }).click();
      }
      for (const stage of ['lead', 'mql', 'sql', 'opportunity', 'customer']) {
        await expectText(page.getByTestId(`reached-${stage}`), String(funnel.groups[0].reached[mode][stage]));
      }
    }
    expect(funnel.groups[0].reached.anyPath.customer).toBeGreaterThan(0);
    await page.getByLabel('any path').check();
    await page.getByLabel('Breakdown by').selectOption('channel');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('table', { name: 'Breakdown by channel' }).waitFor();
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(2);
    await shot(page, 'funnel');
    // A phone: the page fits the width (tables scroll in their own box).
    await page.setViewportSize(PHONE);
    // The charts resize on the window's resize event, a frame or two later: wait for the layout to settle
    // (fails after 5 s if the page never fits).
    await page.waitForFunction('document.documentElement.scrollWidth <= window.innerWidth', undefined, { timeout: 5000 });
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await shot(page, 'funnel-phone');
    await page.close();
  });

  it('shows KPI cards with definitions and the change against the previous period, reasons and revenue charts', async () => {
    const to = new Date(Math.ceil(Date.now() / DAY) * DAY);
    const from = new Date(to.getTime() - 90 * DAY);
    const kpis = (await api<{ overall: { leadsCaptured: number; wonRevenue: Record<string, number> } }>('GET', `/v1/kpis?from=${from.toISOString()}&to=${to.toISOString()}`)).body;
    const page = await signedIn(admin, '#/kpis');
    const captured = page.locator('[data-testid="kpi"][data-name="Leads captured"]');
    await expectText(captured.locator('.value'), String(kpis.overall.leadsCaptured));
    await expectText(captured.locator('.delta'), /previous/);
    for (const currency of Object.keys(kpis.overall.wonRevenue)) await page.locator(`[data-testid="kpi"][data-name="Won revenue (${currency})"]`).waitFor();
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(2);
    await shot(page, 'kpis');
    expect(await page.locator('[data-testid="kpi"][data-name="Win rate"]').getAttribute('title')).toMatch(/won \+ lost/);
    // The definition shows on keyboard focus too, not only on hover.
    await page.locator('[data-testid="kpi"][data-name="Win rate"]').focus();
    expect(await page.locator('[data-testid="kpi"][data-name="Win rate"] .definition').isVisible()).toBe(true);
    await shot(page, 'kpis-definition');
    await page.close();
  });

  it('lists who to call next, hot first, sortable, each row opening the lead\'s timeline; with the queue and SLAs', async () => {
    const list = (await api<{ items: Array<{ leadId: string; score: { total: number } }> }>('GET', '/v1/leads?limit=200')).body;
    const page = await signedIn(admin, '#/leads');
    const rows = page.locator('table[aria-label="Leads by score"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(list.items.length);
    expect(await rows.first().getAttribute('data-lead')).toBe(list.items[0].leadId);
    await page.getByRole('heading', { name: /Unassigned queue/ }).waitFor();
    await page.getByRole('heading', { name: /SLAs about to breach/ }).waitFor();
    // Sorting by a column is a real button: by keyboard.
    await page.getByRole('button', { name: 'score' }).focus();
    await page.keyboard.press('Enter');
    expect(await rows.first().getAttribute('data-lead')).toBe(list.items[list.items.length - 1].leadId);
    await page.keyboard.press('Enter');
    expect(await rows.first().getAttribute('data-lead')).toBe(list.items[0].leadId);
    await shot(page, 'leads');
    // The filters are the API's: only hot leads, as GET /v1/leads?temperature=hot lists them.
    const hot = (await api<{ items: Array<{ leadId: string }> }>('GET', '/v1/leads?temperature=hot&limit=200')).body;
    await page.getByLabel('Temperature').selectOption('hot');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: `Scoring list (${hot.items.length})` }).waitFor();
    expect(await rows.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-lead')))).toEqual(hot.items.map((i) => i.leadId));
    await rows.first().getByRole('link').click();
    await page.getByRole('list', { name: 'Events in order' }).waitFor();
    expect(page.url()).toContain(`#/lead/${list.items[0].leadId}`);
    await page.close();
  });

  it('shows a lead\'s events in order with stage and score changes, actor and cause, the state as of a moment, the chain', async () => {
    const history = (await api<{ events: Array<{ type: string; metadata: { causationId: string } }> }>('GET', `/v1/leads/${storyLead}/history`)).body;
    const page = await signedIn(admin, `#/lead/${storyLead}`);
    const items = page.getByTestId('event');
    await items.first().waitFor();
    expect(await items.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-type')))).toEqual(history.events.map((e) => e.type));
    await expectText(page.locator('li[data-type="PromotedToSQL"] .mark.stage'), 'stage mql → sql');
    await expectText(page.locator('li[data-type="ScoreChanged"]').first().locator('.mark.score'), /score 0 → \d+/);
    await expectText(page.locator('li[data-type="LeadCaptured"]'), /by e2e admin of dash \(apikey:/);
    await expectText(page.locator('li[data-type="LeadCaptured"]'), history.events[0].metadata.causationId);
    await expectText(page.getByTestId('as-of-stage'), 'customer');
    await expectText(page.getByTestId('chain'), /Verified: \d+ events in \d+ stream\(s\), every hash recomputed/);
    // The slider by keyboard: to the first moment, the capture: the lead was a plain lead then.
    await page.getByLabel('Moment (business time)').focus();
    await page.keyboard.press('Home');
    await expectText(page.getByTestId('as-of-stage'), 'lead');
    expect(await page.locator('li.future').count()).toBeGreaterThan(0);
    await shot(page, 'timeline');
    await page.goto(`${base}/dashboard#/lead/${erasedLead}`);
    await expectText(page.getByTestId('erased').first(), 'personal data erased');
    await page.close();
  });

  it('shows a new event live, without a reload, only of the own tenant, and the projection lag', async () => {
    const page = await signedIn(admin, '#/live');
    await expectText(page.getByTestId('live-status'), /Connected/);
    await page.getByRole('table', { name: 'Processors' }).waitFor();
    liveLeads.other = (await api('POST', '/v1/leads', { contact: { email: 'other-tenant@example.com' }, source: { channel: 'seo' } }, await t.adminKey('other'), 'other')).body.leadId!;
    const captured = await api('POST', '/v1/leads', { contact: { email: 'live@example.com' }, source: { channel: 'web_form' } });
    liveLeads.own = captured.body.leadId!;
    const arrived = page.locator(`[data-testid="live-event"][data-type="LeadCaptured"]`);
    await arrived.first().waitFor();
    await expectText(arrived.first(), captured.body.leadId!.slice(0, 8));
    // Only the own tenant's capture and what followed it (its score) arrived.
    await new Promise((r) => setTimeout(r, 300));
    expect(await arrived.count()).toBe(1);
    await shot(page, 'live');
    await page.close();
  });

  it('tells a role what it may not see: a rep on KPIs and Live, marketing on a timeline', async () => {
    const rep = (await t.createKey({ tenantId: TENANT, roles: ['rep'], name: 'rep of the e2e', ownerId: 'rep-ana' })).key;
    const page = await signedIn(rep, '#/kpis');
    await expectText(page.getByTestId('refused'), /Your role may not see this page: the API answered 403 FORBIDDEN/);
    await shot(page, 'refused');
    await page.goto(`${base}/dashboard#/live`);
    await expectText(page.getByTestId('refused'), /403 FORBIDDEN/);
    // The leads page works for a rep, and the SLA panel says it is not the rep's to see.
    await page.goto(`${base}/dashboard#/leads`);
    await expectText(page.locator('section', { has: page.getByRole('heading', { name: 'SLAs about to breach' }) }), /Not available to your role/);
    await page.close();
    const marketing = (await t.createKey({ tenantId: TENANT, roles: ['marketing'], name: 'marketing of the e2e' })).key;
    const other = await signedIn(marketing, `#/lead/${storyLead}`);
    await expectText(other.getByTestId('refused'), /403 FORBIDDEN/);
    await other.close();
  });

  it('streams from after Last-Event-ID, in global order, the own tenant only, with each message\'s id a position; refuses other roles', async () => {
    const abort = new AbortController();
    const response = await fetch(`${base}/v1/dashboard/events`, { headers: { Authorization: `Bearer ${admin}`, 'Last-Event-ID': '-1' }, signal: abort.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes(`"leadId":"${liveLeads.own}"`)) text += (await reader.read()).value ?? '';
    abort.abort();
    const messages = text.split('\n\n').filter((block) => block.includes('event: event'));
    const ids = messages.map((block) => Number(/^id: (\d+)$/m.exec(block)![1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(/^event: ready\nid: -1$/m.test(text)).toBe(true);
    expect(text).not.toContain(liveLeads.other);
    expect(text).not.toContain('story@example.com'); // no payload, so no personal data
    expect(text).toContain(`"leadId":"${storyLead}"`);
    const rep = (await t.createKey({ tenantId: TENANT, roles: ['rep'], name: 'rep on the stream', ownerId: 'rep-ben' })).key;
    const refused = await fetch(`${base}/v1/dashboard/events`, { headers: { Authorization: `Bearer ${rep}` } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('FORBIDDEN');
    expect((await fetch(`${base}/v1/dashboard/events`)).status).toBe(401);
  });

  it('had no script error and no CSP violation on any page', () => {
    expect(problems).toEqual([]);
  });
});

/** Waits until the locator's text contains (or matches) the expected text; fails with what it saw. */
async function expectText(locator: ReturnType<Page['locator']>, expected: string | RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < deadline) {
    seen = (await locator.textContent({ timeout: timeoutMs }).catch(() => '')) ?? '';
    if (typeof expected === 'string' ? seen.includes(expected) : expected.test(seen)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${String(expected)} in ${locator.toString()}, saw: ${seen}`);
}
