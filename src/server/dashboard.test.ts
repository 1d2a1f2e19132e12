import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardDocument, DropsDocument, HygieneDocument, MapDocument } from './api-types.js';
import { hasChromium, launchChromium, CHROMIUM, type LaunchedBrowser } from './test-support/browser.js';
import { copyRepo, writeDemo, type DemoData } from './test-support/demo.js';

const TOKEN = 'browser-test-token-0123456789';
/** `TIGHTEN_SCREENSHOTS=docs npx vitest run src/server/dashboard.test.ts` writes the README's screenshots there. */
const SCREENSHOTS = process.env.TIGHTEN_SCREENSHOTS;

/**
 * Without Chromium the suite is skipped, saying why — except in CI, where `.ci/run` installs it: there a missing
 * browser fails the suite instead of hiding it.
 */
const skip = !hasChromium() && process.env.CI === undefined;
const title = skip ? `the dashboard in a real browser (skipped: ${CHROMIUM} is not installed — apt-get install chromium)` : 'the dashboard in a real browser';

describe.skipIf(skip)(title, () => {
  let demo: DemoData;
  let repo: string;
  /** `tighten serve`, the real command in a process of its own. */
  let server: ChildProcess;
  let serverLog = '';
  let dashboard: { url: string };
  let browser: LaunchedBrowser;
  let page: Page;
  let map: MapDocument;
  let drops: DropsDocument;
  let board: BoardDocument;
  let hygiene: HygieneDocument;
  const consoleErrors: string[] = [];
  let expect401 = false;

  async function open(hash: string, view: string): Promise<void> {
    await page.goto(new URL(hash, dashboard.url).toString());
    await page.waitForSelector(`main[data-view="${view}"][aria-busy="false"]`);
  }
  const shoot = async (name: string) => {
    if (SCREENSHOTS === undefined) return;
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SCREENSHOTS, `dashboard-${name}.png`) });
  };
  async function filesOf(dir: string): Promise<string> {
    const parts: string[] = [];
    for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) if (e.isFile() && !e.name.endsWith('.lock')) parts.push(`${join(e.parentPath, e.name)}\n${await readFile(join(e.parentPath, e.name), 'utf8')}`);
    return parts.sort().join('\n');
  }

  beforeAll(async () => {
    demo = await writeDemo('tighten-dashboard-');
    repo = await copyRepo(demo);
    const tokenFile = join(demo.dir, 'token');
    await writeFile(tokenFile, TOKEN);
    const bin = fileURLToPath(new URL('../../bin/tighten.js', import.meta.url));
    server = spawn(process.execPath, [bin, 'serve', '--flows', demo.flows, '--cluster', demo.cluster, '--repo', repo, '--listen', '127.0.0.1:0', '--token-file', tokenFile], { cwd: demo.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stderr!.on('data', (c: Buffer) => (serverLog += c.toString('utf8')));
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const m = /tighten dashboard: (http:\/\/127\.0\.0\.1:\d+\/) /.exec(out);
        if (m) resolve(m[1]!);
      });
      server.once('exit', (code) => reject(new Error(`tighten serve exited ${code}: ${serverLog}`)));
    });
    dashboard = { url };
    const json = async <T>(p: string) => (await (await fetch(new URL(p, dashboard.url))).json()) as T;
    [map, drops, board, hygiene] = await Promise.all([json<MapDocument>('/api/map'), json<DropsDocument>('/api/drops'), json<BoardDocument>('/api/board'), json<HygieneDocument>('/api/hygiene')]);
    if (SCREENSHOTS !== undefined) await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      // The one refusal the test asks for (promote without the token) is logged by the browser as a failed load.
      if (m.type() === 'error' && !(expect401 && m.text().includes('status of 401'))) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined && server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    if (demo !== undefined) await rm(demo.dir, { recursive: true, force: true });
  });

  it('the map draws every edge, with the totals per status in the legend', async () => {
    await open('/#/map', 'map');
    const canvas = page.locator('#map-canvas');
    expect(Number(await canvas.getAttribute('data-edges'))).toBe(map.edges.length);
    expect(Number(await canvas.getAttribute('data-would-drop'))).toBe(map.totals['would-drop']);
    expect(await page.locator('#map-legend [data-status="would-drop"]').textContent()).toContain(`would be dropped: ${map.totals['would-drop']}`);
    expect(await page.locator('#session-summary').textContent()).toContain(`${map.edges.length} edges`);
    await shoot('map');
  });

  it('filters the map by namespace, class and status', async () => {
    await open('/#/map', 'map');
    const canvas = page.locator('#map-canvas');
    const group = new Map(map.nodes.map((n) => [n.id, n]));
    await page.selectOption('#map-namespace', 'boutique');
    const inBoutique = map.edges.filter((e) => group.get(e.source)!.group === 'boutique' || group.get(e.target)!.group === 'boutique');
    expect(Number(await canvas.getAttribute('data-edges'))).toBe(inBoutique.length);
    await page.locator('input[data-status="allowed"]').uncheck();
    expect(Number(await canvas.getAttribute('data-allowed'))).toBe(0);
    expect(Number(await canvas.getAttribute('data-edges'))).toBe(inBoutique.filter((e) => e.status !== 'allowed').length);
    await page.locator('input[data-status="allowed"]').check();
    await page.selectOption('#map-namespace', '');
    await page.selectOption('#map-class', 'external');
    const external = map.edges.filter((e) => group.get(e.source)!.class === 'external' || group.get(e.target)!.class === 'external');
    expect(external.length).toBeGreaterThan(0);
    expect(Number(await canvas.getAttribute('data-edges'))).toBe(external.length);
    // Collapsing namespaces draws one node per namespace.
    await page.selectOption('#map-class', '');
    await page.click('#map-collapse-all');
    expect(Number(await canvas.getAttribute('data-nodes'))).toBe(map.groups.length);
    await page.click(`#map-groups button[data-group="boutique"]`);
    expect(Number(await canvas.getAttribute('data-nodes'))).toBe(map.groups.length - 1 + map.nodes.filter((n) => n.group === 'boutique').length);
  });

  it('a would-be drop is in the list with its suggested rule, and on the map', async () => {
    await open('/#/drops', 'drops');
    const would = drops.items.filter((i) => i.status === 'would-drop');
    expect(await page.locator('#drop-list article[data-status="would-drop"]').count()).toBe(would.length);
    const withRule = would.find((i) => i.suggestion?.yaml !== undefined)!;
    const article = page.locator(`#drop-list article[data-edge="${withRule.edge}"]`).first();
    expect(await article.locator('pre').textContent()).toBe(withRule.suggestion!.yaml);
    expect(await article.textContent()).toContain(withRule.sourceLabel);
    await shoot('drops');
    await article.locator('a.show-on-map').click();
    await page.waitForSelector('main[data-view="map"][aria-busy="false"]');
    expect(page.url()).toContain(`#/map?edge=${withRule.edge}`);
    const details = page.locator(`#map-details [data-edge="${withRule.edge}"]`);
    expect(await details.getAttribute('data-status')).toBe('would-drop');
    expect(await details.textContent()).toContain(`${withRule.source} → ${withRule.target}`);
    expect(Number(await page.locator('#map-canvas').getAttribute('data-would-drop'))).toBeGreaterThan(0);
    // Filtering the list by namespace.
    await open('/#/drops', 'drops');
    await page.selectOption('#drops-namespace', withRule.namespace);
    expect(await page.locator('#drop-list article').count()).toBe(drops.items.filter((i) => i.namespace === withRule.namespace).length);
  });

  it('the rollout board: namespaces by stage per direction, with risk, gate status and what blocks them; waves by team', async () => {
    await open('/#/board', 'board');
    for (const n of board.namespaces) {
      for (const d of ['ingress', 'egress'] as const) {
        const card = page.locator(`.column[data-direction="${d}"][data-stage="${n.position[d]}"] .card[data-namespace="${n.namespace}"]`);
        expect(await card.count(), `${n.namespace} ${d}`).toBe(1);
      }
      const card = page.locator(`.column[data-direction="ingress"] .card[data-namespace="${n.namespace}"]`);
      const text = (await card.textContent()) ?? '';
      if (n.risk) expect(text).toContain(`risk ${n.risk.score}`);
      for (const b of n.blockers) expect(text).toContain(b);
      expect(text).toContain(n.status === 'pass' ? 'ready' : n.status === 'blocked' ? 'blocked' : 'enforcing');
    }
    expect(board.namespaces.some((n) => n.blockers.length > 0)).toBe(true);
    expect(await page.locator('#waves > li').count()).toBe(board.waves.length);
    // Each card leads to its namespace on the map.
    await page.locator('.column[data-direction="ingress"] .card[data-namespace="boutique"] a', { hasText: 'map' }).click();
    await page.waitForSelector('main[data-view="map"][aria-busy="false"]');
    expect(await page.locator('#map-namespace').inputValue()).toBe('boutique');
  });

  it('hygiene and coverage: findings, filtered by severity; workloads with first and last seen', async () => {
    await open('/#/hygiene', 'hygiene');
    expect(await page.locator('#findings tbody tr').count()).toBe(hygiene.findings.length);
    expect(await page.locator('#coverage tbody tr').count()).toBe(hygiene.workloads.length);
    await page.selectOption('#hygiene-severity', 'error');
    const errors = hygiene.findings.filter((f) => f.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(await page.locator('#findings tbody tr').count()).toBe(errors.length);
    expect(hygiene.cronJobsNotSeen.length).toBeGreaterThan(0);
    expect(await page.locator('#cron-not-seen li').allTextContents()).toEqual(hygiene.cronJobsNotSeen.map((c) => `${c.namespace}/${c.name}`));
    const seen = hygiene.workloads.find((w) => w.firstSeen !== undefined)!;
    expect(await page.locator('#coverage').textContent()).toContain(seen.firstSeen!);
  });

  it('the policy viewer: a namespace\'s files and the diff of its next promotion with the connectivity delta', async () => {
    await open('/#/policies?namespace=boutique', 'policies');
    expect(await page.locator('#policy-files summary').allTextContents()).toContain('namespaces/boutique/frontend.yaml');
    expect(await page.locator('#next-promotion').textContent()).toContain('boutique: observe → audit');
    expect(await page.locator('#policy-diff .add').allTextContents()).toContain('+- namespaces/boutique\n');
    expect(((await page.locator('#connectivity').textContent()) ?? '').length).toBeGreaterThan(0);
    await shoot('policies');
    await page.selectOption('#policies-namespace', 'billing');
    await page.waitForSelector('h2:has-text("Policies of billing")');
  });

  it('promote without the token is refused; with it, the board shows the new stage', async () => {
    const before = await filesOf(repo);
    await open('/#/board', 'board');
    const ready = board.namespaces.find((n) => n.status === 'pass' && n.next?.to === 'audit')!;
    const card = () => page.locator(`.column[data-direction="ingress"] .card[data-namespace="${ready.namespace}"]`);
    expect401 = true;
    await card().locator('button[data-action="promote"]').click();
    await page.locator('#board-status', { hasText: 'token' }).waitFor();
    expect(await page.locator('#board-status').textContent()).toContain('a valid token is required');
    expect(await filesOf(repo)).toBe(before);
    expect401 = false;

    await page.fill('#token', TOKEN);
    await page.press('#token', 'Tab');
    await card().locator('button[data-action="promote"]').click();
    await page.waitForSelector(`.column[data-direction="ingress"][data-stage="audit"] .card[data-namespace="${ready.namespace}"]`, { timeout: 30_000 });
    expect(await page.locator('#board-status').textContent()).toContain('written to the repository');
    expect(await filesOf(repo)).not.toBe(before);
    expect(await page.content()).not.toContain(TOKEN);
    await shoot('board');
  });

  it('works from the keyboard: skip link, navigation, map keys', async () => {
    await page.goto('about:blank');
    await open('/#/map', 'map');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to the view');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Service map');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Rollout board');
    await page.keyboard.press('Enter');
    await page.waitForSelector('main[data-view="board"][aria-busy="false"]');
    expect(await page.locator('#nav a[aria-current="page"]').textContent()).toBe('Rollout board');
    await open('/#/map', 'map');
    await page.focus('#map-canvas');
    await page.keyboard.press('+');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('0');
    expect(await page.evaluate('document.activeElement?.id')).toBe('map-canvas');
    // n walks the would-be drops: the details follow.
    const first = Math.min(...map.edges.filter((e) => e.status === 'would-drop').map((e) => e.id));
    await page.keyboard.press('n');
    expect(await page.locator('#map-details [data-edge]').getAttribute('data-edge')).toBe(String(first));
    await page.keyboard.press('n');
    expect(await page.locator('#map-details [data-edge]').getAttribute('data-status')).toBe('would-drop');
    expect(await page.locator('#map-details [data-edge]').getAttribute('data-edge')).not.toBe(String(first));
    await page.keyboard.press('Escape');
    expect(await page.locator('#map-details [data-edge]').count()).toBe(0);
    expect(Number(await page.locator('#map-canvas').getAttribute('data-edges'))).toBe(map.edges.length);
  });

  it('logs no console error and no content security policy violation', () => {
    expect(consoleErrors).toEqual([]);
  });

  it('tighten serve logs each request without the token, and stops cleanly on SIGTERM', async () => {
    expect(serverLog).toMatch(/^GET \/api\/map 200 \d+ms$/m);
    expect(serverLog).toMatch(/^POST \/api\/promote 401 \d+ms$/m);
    expect(serverLog).toMatch(/^POST \/api\/promote 200 \d+ms$/m);
    expect(serverLog).not.toContain(TOKEN);
    server.kill('SIGTERM');
    const [code] = (await once(server, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
