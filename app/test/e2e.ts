/**
 * `npm run app:test`: the dashboard in a real browser against a real chain.
 *
 * 1. On Hardhat's network (in this process) the demo story: the local Aave V3 + Uniswap V3 market (real bytecode),
 *    the stack and a 3x WETH/USDC vault, a 10 WETH deposit, price moves by real swaps with the keeper bot
 *    (scripts/lib/keeper/keeper.ts) acting after each, and a loosening change submitted (a pending, timelocked
 *    stop-loss cut). A deployment record goes to a temporary DEPLOYMENTS_DIR, as deploy/deploy-vault.ts writes it.
 * 2. That chain is served over JSON-RPC on a free port by Hardhat's own node server (what `hardhat node` runs).
 * 3. The app is built with Vite and served with `vite preview`; the page finds the registry from the record.
 * 4. playwright-core drives Debian's chromium (/usr/bin/chromium, or CHROMIUM_PATH): values shown are checked
 *    against the chain (leverage, HF, effective target, pending-change countdown, keeper gas), a deposit and a redeem
 *    go through an injected EIP-1193 test wallet forwarding to the node's unlocked accounts, a refusal is shown
 *    before sending, then the oracle goes stale and the node stops: both banners are checked.
 * Screenshots go to reports/app-run/ (gitignored); APP_SCREENSHOTS=reports/app (npm run app:screenshots) writes the
 * README's. Exit code 1 on any failed check.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import hre from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import { chromium, type Page } from "playwright-core";
import { runStory } from "./story";
import { movePoolOnly, poolPriceE8, swapPoolTo } from "../../scripts/lib/market/market-helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const SHOTS = path.resolve(ROOT, process.env.APP_SCREENSHOTS ?? "reports/app-run");
const VITE = path.join(ROOT, "node_modules", "vite", "bin", "vite.js");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
let failures = 0;
function check(ok: boolean, what: string, detail = "") {
  console.log(`  ${ok ? "ok  " : "FAIL"} ${what}${detail ? ` — ${detail}` : ""}`);
  if (!ok) failures++;
}
const lev = (x: bigint) => `${(Number(x) / 1e18).toFixed(2)}x`;
const hf = (x: bigint) => (Number(x) / 1e18).toFixed(3);

function startPreview(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VITE, "preview", "--config", "app/vite.config.mts", "--port", "0", "--host", "127.0.0.1"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`vite preview did not start: ${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.replace(/\x1b\[[0-9;]*m/g, "").match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[0] });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`vite preview exited ${code}: ${out}`)));
  });
}

/** Waits for `testId` to appear; on a timeout the error names what the page's message boxes said. */
async function waitFor(page: Page, testId: string, timeout = 20_000) {
  try {
    await page.getByTestId(testId).first().waitFor({ timeout });
  } catch (e) {
    const msgs = await Promise.all(["deposit-msg", "redeem-msg", "deposit-preview", "redeem-preview"].map(async (id) => `${id}: ${await page.getByTestId(id).innerText().catch(() => "?")}`));
    throw new Error(`${testId} did not appear: ${(e as Error).message.split("\n")[0]}\n  ${msgs.join("\n  ")}`);
  }
}

/** The injected test wallet: EIP-1193 `request` forwarded to the node, whose accounts are unlocked. */
function injectWallet(page: Page, rpc: string, account: string) {
  return page.addInitScript(
    ({ rpc, account }) => {
      let id = 0;
      (window as unknown as { ethereum: unknown }).ethereum = {
        isTestWallet: true,
        async request({ method, params }: { method: string; params?: unknown[] }) {
          if (method === "eth_requestAccounts" || method === "eth_accounts") return [account];
          // Test hook: a sandwich lands between the page's simulation and the transaction's gas estimate.
          const w = window as unknown as { __sandwichNext?: boolean; __sandwich?: () => Promise<void> };
          if (method === "eth_estimateGas" && w.__sandwichNext && w.__sandwich) {
            w.__sandwichNext = false;
            await w.__sandwich();
          }
          const res = await fetch(rpc, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }) });
          const body = await res.json();
          if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data });
          return body.result;
        },
        on() {},
        removeListener() {},
      };
    },
    { rpc, account },
  );
}

async function main() {
  if (hre.network.name !== "hardhat") throw new Error("run on the in-process network: npm run app:test");
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  fs.mkdirSync(SHOTS, { recursive: true });

  console.log("app:test — story on the chain");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "app-e2e-deployments-"));
  const s = { ...(await runStory(dir)), dir };
  const { vault } = s;
  console.log(`  story done (${elapsed()}): keeper actions ${s.actions.map((a) => a.action).join(", ") || "none"}`);

  const server = await hre.run(TASK_NODE_CREATE_SERVER, { hostname: "127.0.0.1", port: 0, provider: hre.network.provider });
  const { port } = await server.listen();
  const rpc = `http://127.0.0.1:${port}`;
  console.log(`  JSON-RPC at ${rpc}`);

  const build = spawnSync(process.execPath, [VITE, "build", "--config", "app/vite.config.mts", "--logLevel", "warn"], { cwd: ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
  const preview = await startPreview({ ...process.env, DEPLOYMENTS_DIR: s.dir });
  console.log(`  app built and served at ${preview.url} (${elapsed()})`);

  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "app-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
  const consoleErrors: string[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    await injectWallet(page, rpc, s.browserUser.address);
    const provider = hre.ethers.provider;

    // --- vault list: registry found from the deployment record ---
    console.log("vault list");
    await page.goto(`${preview.url}?rpc=${encodeURIComponent(rpc)}&poll=500`);
    const row = page.locator(`tr[data-vault="${vault.target}"]`);
    await row.waitFor({ timeout: 20_000 });
    let p = await vault.position();
    check((await row.locator('[data-testid="list-leverage"]').innerText()) === lev(p.leverage), "list shows the chain's leverage", lev(p.leverage));
    check((await row.innerText()).includes("pending Exit"), "list shows a pending-change badge");
    check((await page.locator("tr[data-vault]").count()) === 2, "list shows both vaults of the registry");
    await page.screenshot({ path: path.join(SHOTS, "list.png"), fullPage: true });

    // --- vault page, reached by keyboard ---
    console.log("vault page");
    await row.locator("a").focus();
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="leverage"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="keeper-actions"]').waitFor({ timeout: 15_000 });
    p = await vault.position();
    const [eff] = await vault.effectiveTargetLeverage();
    check((await page.getByTestId("leverage").innerText()) === lev(p.leverage), "leverage = position().leverage", lev(p.leverage));
    check((await page.getByTestId("health-factor").innerText()) === hf(p.healthFactor), "health factor = position().healthFactor", hf(p.healthFactor));
    check((await page.getByTestId("effective-target").innerText()).startsWith(lev(eff)), "effective target = effectiveTargetLeverage()", lev(eff));
    const liq = (p.price * 10n ** 18n) / p.healthFactor;
    check((await page.getByTestId("liq-price").innerText()).includes((Number(liq) / 1e18).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).replace(/\.00$/, "").split(".")[0]), "liquidation price = price / HF", `${Number(liq) / 1e18}`);
    const [, validAt] = await vault.pendingChange(3); // ChangeKind.Exit
    const countdown = page.getByTestId("countdown-Exit");
    const shownValidAt = Number(await countdown.getAttribute("data-valid-at"));
    const now = (await provider.getBlock("latest"))!.timestamp;
    const left = Number(await countdown.getAttribute("data-seconds-left"));
    check(shownValidAt === Number(validAt), "pending Exit change: validAt = pendingChange(Exit)", String(validAt));
    check(Math.abs(left - (Number(validAt) - now)) <= 5, "countdown = validAt - chain time (±5 s)", `${left} s shown, ${Number(validAt) - now} s on chain`);
    const pendingText = await page.getByTestId("pending-table").innerText();
    check(/stopLossPrice: 1,500 USDC\/WETH.*→ 1,400 USDC\/WETH/.test(pendingText.replace(/\s+/g, " ")), "pending change shows old → new stop-loss", pendingText.replace(/\s+/g, " ").slice(0, 120));
    const keeperRows = await page.getByTestId("keeper-actions").locator("tbody tr").count();
    const done = s.actions.filter((a) => a.action !== "None");
    check(keeperRows === Math.min(done.length, 12), "keeper actions listed", `${keeperRows} rows, ${done.length} actions`);
    if (done.length) {
      const last = done[done.length - 1];
      const lastRow = await page.getByTestId("keeper-actions").locator("tbody tr").first().innerText();
      check(lastRow.includes(last.gasUsed.toLocaleString("en-US")), "last keeper action shows its gas", `${last.action} ${last.gasUsed}`);
    }
    await page.screenshot({ path: path.join(SHOTS, "vault.png"), fullPage: true });

    // --- deposit through the injected wallet ---
    console.log("deposit and redeem through the injected wallet");
    const user = s.browserUser.address;
    await page.getByRole("button", { name: "Connect wallet", exact: true }).click();
    await page.getByTestId("share-balance").waitFor({ timeout: 10_000 });
    await page.getByLabel(/^Amount/).fill("1.5");
    await page.getByRole("button", { name: "Deposit", exact: true }).click();
    await page.getByTestId("deposit-msg").filter({ hasText: "approve the vault" }).waitFor({ timeout: 10_000 });
    check(true, "deposit without allowance refused before sending");
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    await page.getByTestId("deposit-msg").filter({ hasText: "Approved" }).waitFor({ timeout: 15_000 });
    const sharesBefore = await vault.balanceOf(user);
    await waitFor(page, "deposit-min", 10_000);
    await page.getByRole("button", { name: "Deposit", exact: true }).click();
    await waitFor(page, "deposit-minted");
    const minted = BigInt((await page.getByTestId("deposit-minted").getAttribute("data-raw")) || "0");
    const sharesAfter = await vault.balanceOf(user);
    check(minted > 0n && sharesAfter - sharesBefore === minted, "deposit minted shares on chain = shown", `${minted}`);
    await page.getByTestId("share-balance").and(page.locator(`[data-raw="${sharesAfter}"]`)).waitFor({ timeout: 10_000 });
    check(true, "account panel refreshed with the new share balance");

    // A pool pushed between the simulation and the send: the ERC-5143 bound (0 bps here) makes the vault refuse,
    // and the page shows the decoded custom error.
    const poolBefore = await poolPriceE8(s.market);
    await page.exposeFunction("__sandwich", async () => void (await movePoolOnly(s.market, 40)));
    await page.getByLabel(/^Amount/).fill("0.5");
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    await page.getByTestId("deposit-msg").filter({ hasText: "Approved 0.5" }).waitFor({ timeout: 15_000 });
    await page.getByLabel("Deposit slippage bound (bps)").fill("0");
    await page.evaluate(() => ((window as unknown as { __sandwichNext: boolean }).__sandwichNext = true));
    const nonceBefore = await provider.getTransactionCount(user);
    await page.getByRole("button", { name: "Deposit", exact: true }).click();
    await page.getByTestId("deposit-msg").filter({ hasText: "Refused by the vault" }).waitFor({ timeout: 15_000 });
    const refused = await page.getByTestId("deposit-msg").innerText();
    check(/VaultSharesBelowMin\(shares=\d+, minShares=\d+\)/.test(refused), "sandwiched deposit: decoded VaultSharesBelowMin shown", refused.slice(0, 110));
    check((await provider.getTransactionCount(user)) === nonceBefore, "nothing was sent for it");
    await swapPoolTo(s.market, s.market.uniPool500, poolBefore);
    await page.getByLabel("Deposit slippage bound (bps)").fill("50");

    const nonce = await provider.getTransactionCount(user);
    await page.getByLabel("Shares", { exact: true }).fill("1000000");
    await page.getByRole("button", { name: "Redeem", exact: true }).click();
    await page.getByTestId("redeem-msg").filter({ hasText: "Not sent" }).waitFor({ timeout: 10_000 });
    check((await provider.getTransactionCount(user)) === nonce, "redeem above maxRedeem refused before sending (no transaction)");

    const wethBefore: bigint = await s.market.weth.balanceOf(user);
    await page.getByRole("button", { name: "Fill in all my shares" }).click();
    const allShares = await vault.balanceOf(user);
    await page.waitForFunction((v) => (document.getElementById("redeem-shares") as HTMLInputElement).value.replace(".", "").replace(/^0+/, "").startsWith(v.slice(0, 12)), allShares.toString());
    await waitFor(page, "redeem-min", 10_000);
    await page.getByRole("button", { name: "Redeem", exact: true }).click();
    await waitFor(page, "redeem-received");
    const received = BigInt((await page.getByTestId("redeem-received").getAttribute("data-raw")) || "0");
    const wethAfter: bigint = await s.market.weth.balanceOf(user);
    check((await vault.balanceOf(user)) === 0n, "redeem burnt every share (ERC-5143 redeem with minAssets)");
    check(received > 0n && wethAfter - wethBefore === received, "WETH received on chain = shown", `${received}`);
    await page.evaluate(() => document.getElementById("pending-h")!.scrollIntoView());
    await page.screenshot({ path: path.join(SHOTS, "wallet.png"), fullPage: false });

    // --- phone width, reached by a deep link with ?registry= and #vault= ---
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${preview.url}?rpc=${encodeURIComponent(rpc)}&registry=${s.stack.registry.target}&poll=500#vault=${vault.target}`);
    await page.getByTestId("leverage").waitFor({ timeout: 15_000 });
    check((await page.getByTestId("leverage").innerText()) === lev((await vault.position()).leverage), "deep link (?registry=, #vault=) shows the vault");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, "no horizontal page scroll at 390 px", `${overflow}px`);
    await page.screenshot({ path: path.join(SHOTS, "vault-phone.png"), fullPage: false });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("button", { name: "Connect wallet", exact: true }).click();
    await page.getByTestId("share-balance").waitFor({ timeout: 10_000 });

    // --- the guardian latches the stop: the page says so on the next block ---
    await (await vault.connect(s.market.deployer).stop()).wait();
    await page.getByTestId("banner-mode").waitFor({ timeout: 10_000 });
    check((await page.getByTestId("banner-mode").innerText()).includes("StoppedOut"), "stopped-vault banner on the next block");

    // --- stale oracle ---
    console.log("banners");
    const lastPriced = await vault.position();
    await hre.network.provider.send("evm_increaseTime", [3700]);
    await hre.network.provider.send("evm_mine", []);
    await page.getByTestId("banner-oracle").waitFor({ timeout: 10_000 });
    check((await page.getByTestId("banner-oracle").innerText()).includes("Oracle stale"), "stale oracle banner");
    {
      const feed = new hre.ethers.Contract((await s.stack.factory.oracle()).collateralFeed, ["function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)"], provider);
      const age = (await provider.getBlock("latest"))!.timestamp - Number((await feed.latestRoundData())[3]);
      const shown = await page.getByTestId("oracle-age").innerText();
      check(shown.includes(`${Math.floor(age / 3600)}h ${Math.floor((age % 3600) / 60)}m`), "oracle age shown = chain time - updatedAt", `${shown} / ${age} s`);
    }
    check((await page.getByTestId("last-leverage").innerText()) === lev(lastPriced.leverage), "last priced position kept on the page", lev(lastPriced.leverage));
    await page.getByLabel(/^Amount/).fill("0.5");
    await page.getByRole("button", { name: "Deposit", exact: true }).click();
    await page.getByTestId("deposit-msg").filter({ hasText: "maxDeposit = 0" }).waitFor({ timeout: 10_000 });
    check((await page.getByTestId("deposit-msg").innerText()).includes("oracle is stale"), "deposit refused before sending while stale (maxDeposit = 0)");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, "stale-oracle.png"), fullPage: false });

    // --- node stopped --- The browser's keep-alive sockets would hold the server open (close() waits for them, and
    // they would go on serving): drop them, and never wait on close() for more than 10 s.
    const http = (server as unknown as { _httpServer?: { closeAllConnections?: () => void } })._httpServer;
    const closing = server.close();
    http?.closeAllConnections?.();
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await page.getByTestId("banner-rpc").waitFor({ timeout: 15_000 });
    check((await page.getByTestId("banner-rpc").innerText()).includes("RPC unreachable"), "RPC down banner");
    check((await page.getByTestId("vault-title").isVisible()) && (await page.getByTestId("pending-table").isVisible()), "last figures stay on the page (no blank page)");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, "rpc-down.png"), fullPage: false });
    check(consoleErrors.length === 0, "no uncaught page error", consoleErrors.join("; "));
  } finally {
    await context.close();
    preview.child.kill();
    fs.rmSync(userDataDir, { recursive: true, force: true });
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
  console.log(`\napp:test ${failures === 0 ? "passed" : `FAILED (${failures} checks)`} in ${elapsed()}; screenshots in ${path.relative(ROOT, SHOTS)}/`);
  process.exitCode = failures === 0 ? 0 : 1;
}

// The JSON-RPC server and the browser keep the event loop alive on a failure: exit explicitly.
main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => process.exit(process.exitCode ?? 0));
