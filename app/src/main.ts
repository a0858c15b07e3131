/**
 * The dashboard: a vault list from a VaultRegistry and a page per vault, read over plain JSON-RPC, refreshed on
 * every new block; deposits and redemptions go through an injected EIP-1193 wallet (window.ethereum).
 * URL parameters: ?rpc= (default http://127.0.0.1:8545), ?registry=, ?poll= (ms between block checks, default 2000);
 * the vault page is #vault=<address>.
 */
import "./style.css";
import { Chain, decodePending, rpcCall, settle, vaultInterface, type DeploymentInfo, type PendingChange, type Settled } from "./chain";
import { ACTIONS, KINDS, WAD, actionName, amount, bps, duration, esc, hf, lev, modeName, num, pct, short, time, usd } from "./format";
import { History } from "./history";
import { Wallet } from "./wallet";

const params = new URLSearchParams(location.search);
const DEFAULT_RPC = "http://127.0.0.1:8545";
const state = {
  rpc: params.get("rpc") || localStorage.getItem("rpc") || DEFAULT_RPC,
  registry: params.get("registry") || "",
  poll: Math.max(250, Number(params.get("poll")) || 2000),
  chain: undefined as Chain | undefined,
  chainId: 0,
  block: -1,
  blockTime: 0,
  blockReadAt: 0,
  rpcDown: undefined as string | undefined,
  lastOk: 0,
  records: [] as DeploymentInfo[],
  record: undefined as DeploymentInfo | undefined,
  refreshing: false,
  forced: true,
  pageError: undefined as string | undefined,
};
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const view = $("view");
/** Chain time now: the last block's timestamp plus the wall time since it was read (local chains jump ahead). */
export const chainNow = () => state.blockTime + Math.floor((Date.now() - state.blockReadAt) / 1000);

// ---------------------------------------------------------------- banners
type Level = "bad" | "warn" | "info";
const banners = new Map<string, { level: Level; html: string }>();
function banner(id: string, level: Level, html: string | undefined) {
  if (html === undefined) banners.delete(id);
  else banners.set(id, { level, html });
  $("banners").innerHTML = [...banners.entries()]
    .map(([k, b]) => `<div class="banner ${b.level}" data-testid="banner-${k}" data-banner="${k}">${b.html}</div>`)
    .join("");
}
window.addEventListener("error", (e) => banner("page", "bad", `The page hit an error: ${esc(e.message)} — the figures below may be old.`));
window.addEventListener("unhandledrejection", (e) =>
  banner("page", "bad", `The page hit an error: ${esc((e.reason as Error)?.message ?? e.reason)} — the figures below may be old.`),
);

// ---------------------------------------------------------------- settings
async function loadRecords() {
  try {
    const res = await fetch("./deployments.json", { cache: "no-store" });
    state.records = res.ok ? ((await res.json()) as DeploymentInfo[]) : [];
  } catch {
    state.records = [];
  }
}
function renderSettings() {
  $<HTMLInputElement>("rpc-input").value = state.rpc;
  $<HTMLInputElement>("registry-input").value = state.registry;
  const sel = $<HTMLSelectElement>("deployment-select");
  const usable = state.records.filter((r) => !state.chainId || r.chainId === state.chainId);
  sel.innerHTML =
    `<option value="">${usable.length ? "choose a deployment record" : "(no deployment record for this chain)"}</option>` +
    usable.map((r) => `<option value="${esc(r.registry)}" ${r.registry === state.registry ? "selected" : ""}>${esc(r.file)} · registry ${short(r.registry)}</option>`).join("");
}
$("settings").addEventListener("submit", (e) => {
  e.preventDefault();
  const rpc = $<HTMLInputElement>("rpc-input").value.trim() || DEFAULT_RPC;
  const registry = $<HTMLInputElement>("registry-input").value.trim();
  const url = new URL(location.href);
  url.searchParams.set("rpc", rpc);
  if (registry) url.searchParams.set("registry", registry);
  else url.searchParams.delete("registry");
  localStorage.setItem("rpc", rpc);
  location.href = url.toString();
});
$("deployment-select").addEventListener("change", (e) => {
  const v = (e.target as HTMLSelectElement).value;
  if (v) $<HTMLInputElement>("registry-input").value = v;
});

// ---------------------------------------------------------------- wallet
const wallet = new Wallet(
  () => state.chain,
  (msg) => banner("wallet", "warn", msg),
  () => {
    $("account").textContent = wallet.account ? `account ${short(wallet.account)}` : "";
    $("account").dataset.address = wallet.account ?? "";
    void refresh(true);
  },
);
$("connect-wallet").addEventListener("click", async () => {
  await wallet.connect();
  $("account").textContent = wallet.account ? `account ${short(wallet.account)}` : "";
  $("account").dataset.address = wallet.account ?? "";
  void refresh(true);
});

// ---------------------------------------------------------------- the loop
async function connect(): Promise<boolean> {
  try {
    const id = await rpcCall<string>(state.rpc, "eth_chainId");
    state.chainId = Number(id);
    state.chain = new Chain(state.rpc, state.chainId);
    return true;
  } catch (e) {
    rpcDown(e);
    return false;
  }
}
function rpcDown(e: unknown) {
  const since = state.rpcDown ?? time(Math.floor(Date.now() / 1000));
  state.rpcDown = since;
  banner(
    "rpc",
    "bad",
    `<strong>RPC unreachable</strong>: ${esc(state.rpc)} does not answer (${esc((e as Error)?.message ?? e)}). ` +
      (state.block >= 0 ? `The figures below are those of block ${state.block}, read before it went away. ` : "") +
      `Retrying every ${state.poll / 1000} s. Check the node, or set another RPC URL above.`,
  );
  $("status-line").textContent = `RPC down since ${since}`;
}
async function tick() {
  if (!state.chain && !(await connect())) return;
  let block: number;
  try {
    block = Number(await rpcCall<string>(state.rpc, "eth_blockNumber", [], 3000));
  } catch (e) {
    rpcDown(e);
    return;
  }
  if (state.rpcDown) {
    state.rpcDown = undefined;
    banner("rpc", "info", undefined);
    state.forced = true;
  }
  if (block !== state.block || state.forced) await refresh(false, block);
}
async function refresh(force: boolean, block?: number) {
  if (force) state.forced = true;
  if (state.refreshing || !state.chain) return;
  state.refreshing = true;
  try {
    state.forced = false;
    const b = await state.chain.provider.getBlock(block ?? "latest");
    if (!b) return;
    state.block = b.number;
    state.blockTime = b.timestamp;
    state.blockReadAt = Date.now();
    if (!state.registry) {
      const rec = state.records.find((r) => r.chainId === state.chainId);
      if (rec) state.registry = rec.registry;
    }
    state.record = state.records.find((r) => r.registry.toLowerCase() === state.registry.toLowerCase());
    renderSettings();
    $("status-line").textContent = `chain ${state.chainId} · block ${state.block} · ${time(state.blockTime)} (chain time) · RPC ${state.rpc}`;
    const route = new URLSearchParams(location.hash.slice(1));
    const vault = route.get("vault");
    if (vault) await renderVault(vault);
    else await renderList();
    banner("page", "bad", undefined);
    $("status-line").textContent = `chain ${state.chainId} · block ${state.block} · ${time(state.blockTime)} (chain time) · RPC ${state.rpc}`;
    $("status-line").dataset.block = String(state.block);
  } catch (e) {
    if (isNetworkError(e)) rpcDown(e);
    else banner("page", "bad", `Could not read the chain: ${esc((e as Error)?.message ?? e)}`);
  } finally {
    state.refreshing = false;
  }
}
function isNetworkError(e: unknown): boolean {
  const s = String((e as Error)?.message ?? e);
  return /fetch|network|ECONNREFUSED|timeout|Failed to fetch|SERVER_ERROR/i.test(s);
}
window.addEventListener("hashchange", () => {
  currentVault = undefined;
  void refresh(true);
});
$("home-link").addEventListener("click", (e) => {
  e.preventDefault();
  location.hash = "";
});

// ---------------------------------------------------------------- vault list
interface Summary {
  address: string;
  name: string;
  symbol: string;
  asset: { symbol: string; decimals: number };
  debt: { symbol: string; decimals: number };
  totalAssets: Settled<bigint>;
  position: Settled<Awaited<ReturnType<ReturnType<Chain["vault"]>["position"]>>>;
  target: Settled<[bigint, bigint]>;
  mode: number;
  sharePrice: Settled<bigint>;
  pending: string[];
  kind: string;
}
async function summary(chain: Chain, address: string, factory?: string): Promise<Summary> {
  const v = chain.vault(address);
  const [name, symbol, assetAddr, debtAddr, dec, supply, st] = await Promise.all([
    chain.cached(`name:${address}`, () => v.name()),
    chain.cached(`sym:${address}`, () => v.symbol()),
    chain.cached(`asset:${address}`, () => v.asset()),
    chain.cached(`debt:${address}`, () => v.debtAsset()),
    chain.cached(`vdec:${address}`, () => v.decimals()),
    v.totalSupply(),
    v.automationState(),
  ]);
  const [asset, debt] = await Promise.all([chain.token(assetAddr), chain.token(debtAddr)]);
  const [totalAssets, position, target, sharePrice, ...pend] = await Promise.all([
    settle(v.totalAssets()),
    settle(v.position()),
    settle(v.effectiveTargetLeverage().then((r) => [r[0], r[1]] as [bigint, bigint])),
    supply === 0n ? Promise.resolve({ ok: true as const, value: 10n ** BigInt(asset.decimals) }) : settle(v.convertToAssets(10n ** BigInt(dec))),
    ...KINDS.map((_, i) => settle(v.pendingChange(i))),
  ]);
  const pending = KINDS.filter((_, i) => pend[i].ok && (pend[i] as { value: [string, bigint] }).value[1] > 0n);
  // The venue is named only when the vault's factory answers as a VaultFactory (VENUE()/markets()/oracle()).
  const venue = factory ? await chain.venue(factory).catch(() => undefined) : undefined;
  const kind = `${venue?.lending ? `${venue.lending} · Uniswap V3 · ` : ""}${asset.symbol}/${debt.symbol}`;
  return { address, name, symbol, asset, debt, totalAssets, position, target, mode: Number(st.mode), sharePrice, pending, kind };
}
async function renderList() {
  const chain = state.chain!;
  for (const id of ["pending", "mode", "health", "paused", "vault"]) banner(id, "warn", undefined);
  if (!state.registry) {
    view.innerHTML = `<div class="card"><h2>No registry</h2><p>Enter a VaultRegistry address above, or deploy one: <code>npx hardhat run deploy/deploy-vault.ts --network localhost</code> writes deployments/localhost.json, which this page reads.</p></div>`;
    return;
  }
  if ((await chain.provider.getCode(state.registry)) === "0x") {
    banner("registry", "warn", `No contract at registry ${esc(state.registry)} on chain ${state.chainId} (node restarted? deploy again, or pick another record).`);
    view.innerHTML = "";
    return;
  }
  banner("registry", "warn", undefined);
  const vaults = await chain.registryVaults(state.registry);
  const reg = await chain.registrations(state.registry).catch(() => new Map<string, { factory: string; block: number }>());
  const rows = await Promise.all(vaults.map((a) => summary(chain, a, reg.get(a.toLowerCase())?.factory)));
  const stale = rows.filter((r) => !r.position.ok && r.position.errorName === "OracleStale");
  banner("oracle", "bad", stale.length ? `<strong>Oracle stale</strong>: ${stale.length} vault(s) cannot price their position; deposits, exits and keeper actions wait for a fresh answer.` : undefined);
  view.innerHTML = `
  <section class="card" aria-labelledby="list-title">
    <h2 id="list-title">Vaults in registry <span class="addr">${esc(state.registry)}</span> (${vaults.length})</h2>
    <div class="scroll"><table data-testid="vault-list">
      <thead><tr><th>vault</th><th>kind</th><th>TVL</th><th>equity</th><th>leverage</th><th>eff. target</th><th>HF</th><th>mode</th><th>share price</th></tr></thead>
      <tbody>${rows
        .map((r) => {
          const p = r.position.ok ? r.position.value : undefined;
          return `<tr data-vault="${r.address}">
          <td><a href="#vault=${r.address}">${esc(r.name)}</a> <span class="muted">${esc(r.symbol)}</span>${r.pending.map((k) => `<span class="badge warn" title="pending ${k} change">pending ${k}</span>`).join("")}</td>
          <td>${esc(r.kind)}</td>
          <td>${r.totalAssets.ok ? `${amount(r.totalAssets.value, r.asset.decimals)} ${esc(r.asset.symbol)}` : `<span class="badc">${esc(r.totalAssets.errorName ?? "n/a")}</span>`}</td>
          <td>${p ? usd(p.equityValue, 0) : "n/a"}</td>
          <td data-testid="list-leverage">${p ? lev(p.leverage) : "n/a"}</td>
          <td>${r.target.ok ? lev(r.target.value[0]) : "n/a"}</td>
          <td>${p ? hf(p.healthFactor) : "n/a"}</td>
          <td>${modeBadge(r.mode)}</td>
          <td>${r.sharePrice.ok ? `${amount(r.sharePrice.value, r.asset.decimals, 6)} ${esc(r.asset.symbol)}` : "n/a"}</td></tr>`;
        })
        .join("")}</tbody></table></div>
  </section>`;
}
const modeBadge = (m: number) => `<span class="badge ${m === 0 ? "ok" : "bad"}">${modeName(m)}</span>`;

// ---------------------------------------------------------------- vault page
let currentVault: string | undefined;
let history: History | undefined;
/** The last position read per vault: shown, marked as such, while the oracle cannot price it. */
const lastPriced = new Map<string, { block: number; pos: NonNullable<Summary["position"] & { ok: true }>["value"] }>();

function vaultSkeleton(address: string) {
  view.innerHTML = `
  <p><a href="#">← all vaults</a></p>
  <h2 id="vault-title" data-testid="vault-title">Vault ${esc(address)}</h2>
  <div class="grid">
    <section class="card" aria-labelledby="pos-h"><h3 id="pos-h">Position</h3><div id="slot-position"></div></section>
    <section class="card" aria-labelledby="risk-h"><h3 id="risk-h">Leverage and health</h3><div id="slot-risk"></div></section>
    <section class="card" aria-labelledby="guard-h"><h3 id="guard-h">Exits, oracle and DEX</h3><div id="slot-guards"></div></section>
  </div>
  <section class="card" aria-labelledby="pending-h" style="margin-top:12px"><h3 id="pending-h">Pending changes (timelock)</h3><div id="slot-pending"></div></section>
  <div class="grid" style="margin-top:12px">
    <section class="card" aria-labelledby="dep-h"><h3 id="dep-h">Deposit</h3>
      <form id="deposit-form" class="form" novalidate>
        <div class="row"><label for="deposit-amount">Amount (<span class="asset-sym">asset</span>)</label>
        <input id="deposit-amount" name="amount" inputmode="decimal" autocomplete="off" placeholder="0.0" /></div>
        <div class="row"><label for="deposit-slippage">Deposit slippage bound (bps)</label>
        <input id="deposit-slippage" name="slippage" inputmode="numeric" value="50" /></div>
        <div id="deposit-preview" class="msg" data-testid="deposit-preview" aria-live="polite"></div>
        <div class="row"><button type="button" id="approve-button" class="secondary">Approve</button>
        <button type="submit" id="deposit-button">Deposit</button></div>
        <div id="deposit-msg" class="msg" data-testid="deposit-msg" role="status"></div>
      </form>
    </section>
    <section class="card" aria-labelledby="red-h"><h3 id="red-h">Redeem</h3>
      <form id="redeem-form" class="form" novalidate>
        <div class="row"><label for="redeem-shares">Shares</label>
        <input id="redeem-shares" name="shares" inputmode="decimal" autocomplete="off" placeholder="0.0" />
        <button type="button" id="redeem-all" class="secondary" aria-label="Fill in all my shares">All</button></div>
        <div class="row"><label for="redeem-slippage">Redeem slippage bound (bps)</label>
        <input id="redeem-slippage" name="slippage" inputmode="numeric" value="50" /></div>
        <div id="redeem-preview" class="msg" data-testid="redeem-preview" aria-live="polite"></div>
        <div class="row"><button type="submit" id="redeem-button">Redeem</button></div>
        <div id="redeem-msg" class="msg" data-testid="redeem-msg" role="status"></div>
      </form>
    </section>
    <section class="card" aria-labelledby="acct-h"><h3 id="acct-h">Your account</h3><div id="slot-account"></div></section>
  </div>
  <section class="card" aria-labelledby="hist-h" style="margin-top:12px"><h3 id="hist-h">History</h3>
    <div class="grid"><div class="chart-box"><canvas id="chart-risk" aria-label="Leverage and health factor over time, keeper actions marked" role="img"></canvas></div>
    <div class="chart-box"><canvas id="chart-price" aria-label="ETH price and share price over time" role="img"></canvas></div></div>
    <p id="hist-note" class="muted"></p>
  </section>
  <section class="card" aria-labelledby="keeper-h" style="margin-top:12px"><h3 id="keeper-h">Keeper actions (last 12)</h3><div id="slot-keeper" class="scroll"></div></section>
  <div class="grid" style="margin-top:12px">
    <section class="card" aria-labelledby="roles-h"><h3 id="roles-h">Roles and keepers</h3><div id="slot-roles"></div></section>
    <section class="card" aria-labelledby="cfg-h"><h3 id="cfg-h">Configuration</h3><div id="slot-config"></div></section>
  </div>`;
  wallet.bind(address);
  history = new History($("chart-risk") as HTMLCanvasElement, $("chart-price") as HTMLCanvasElement);
}

const kv = (rows: [string, string, string?][]) =>
  `<dl class="kv">${rows.map(([k, v, id]) => `<dt>${k}</dt><dd${id ? ` data-testid="${id}"` : ""}>${v}</dd>`).join("")}</dl>`;

async function renderVault(address: string) {
  const chain = state.chain!;
  if (currentVault !== address) {
    vaultSkeleton(address);
    currentVault = address;
  }
  const v = chain.vault(address);
  if ((await chain.provider.getCode(address)) === "0x") {
    banner("vault", "bad", `No contract at ${esc(address)} on chain ${state.chainId}.`);
    return;
  }
  let reg = state.registry ? await chain.registrations(state.registry).catch(() => new Map()) : new Map();
  if (state.registry && !reg.has(address.toLowerCase())) {
    chain.forget(`reg:${state.registry}`); // registered after the last read
    reg = await chain.registrations(state.registry).catch(() => new Map());
  }
  const registration = reg.get(address.toLowerCase()) as { factory: string; block: number } | undefined;
  const s = await summary(chain, address, registration?.factory ?? state.record?.factory);
  const [lc, ec, ac, xc, vc, as, timelock, owner, pendingOwner, manager, guardian, paused, trig, bounds, validity, supply] = await Promise.all([
    v.leverageConfig(),
    v.executionConfig(),
    v.automationConfig(),
    v.exitConfig(),
    v.volatilityConfig(),
    v.automationState(),
    v.timelock(),
    v.owner(),
    v.pendingOwner(),
    v.manager(),
    v.guardian(),
    v.depositsPaused(),
    settle(v.trigger()),
    settle(v.healthActionBounds()),
    chain.pendingValidity(address),
    v.totalSupply(),
  ]);
  const A = s.asset;
  const D = s.debt;
  $("vault-title").innerHTML = `${esc(s.name)} <span class="muted">${esc(s.symbol)}</span> ${modeBadge(s.mode)} ${paused ? '<span class="badge warn">deposits paused</span>' : ""}
    <div class="muted addr">${esc(address)} · ${esc(s.kind)}</div>`;
  document.querySelectorAll(".asset-sym").forEach((e) => (e.textContent = A.symbol));
  const now = state.blockTime;

  // --- oracle and DEX ---
  const venue = await chain.venue(registration?.factory ?? state.record?.factory, state.record).catch(() => undefined);
  const feeds = venue
    ? await Promise.all([
        settle(chain.feed(venue.collateralFeed, now, venue.collateralHeartbeat)),
        settle(chain.feed(venue.debtFeed, now, venue.debtHeartbeat)),
      ])
    : [];
  const pos = s.position.ok ? s.position.value : undefined;
  const dex = venue && pos ? await settle(chain.dexPrice(venue.uniswapFactory, await v.asset(), await v.debtAsset(), ec.swapFee, A.decimals, D.decimals)) : undefined;

  // --- banners ---
  const staleFeed = feeds.find((f) => f.ok && f.value.age > f.value.heartbeat);
  const staleErr = !s.position.ok && s.position.errorName === "OracleStale";
  if (staleErr || staleFeed) {
    const f = staleFeed?.ok ? staleFeed.value : undefined;
    banner(
      "oracle",
      "bad",
      `<strong>Oracle stale</strong>: ${f ? `${esc(f.description || f.address)} last answered ${duration(f.age)} ago (heartbeat ${duration(f.heartbeat)})` : esc(s.position.ok ? "" : s.position.error)}. ` +
        `The vault refuses to price its position: deposits and exits (max* = 0) and keeper actions wait for a fresh answer.`,
    );
  } else banner("oracle", "bad", undefined);
  if (s.mode !== 0)
    banner("mode", "bad", `<strong>Vault ${modeName(s.mode)}</strong>: an exit trigger latched; ${s.mode === 1 ? "the position is unwound to 1x" : `leverage is held at the take-profit leverage`} until the manager re-arms (a timelocked change).`);
  else banner("mode", "bad", undefined);
  if (pos && pos.debt > 0n) {
    const h = pos.healthFactor;
    if (h < WAD) banner("health", "bad", `<strong>Unhealthy</strong>: HF ${hf(h)} is below 1 — Aave liquidators may take collateral with a bonus now.`);
    else if (h < ac.criticalHealthFactor) banner("health", "bad", `<strong>Ripcord armed</strong>: HF ${hf(h)} below the critical ${hf(ac.criticalHealthFactor)}: anyone may call ripcord().`);
    else if (h < lc.minHealthFactor) banner("health", "warn", `<strong>Health below floor</strong>: HF ${hf(h)} below the floor ${hf(lc.minHealthFactor)}: a keeper deleverage is due.`);
    else banner("health", "warn", undefined);
  } else banner("health", "warn", undefined);
  banner("paused", "warn", paused ? "Deposits are paused by the guardian or manager; exits stay open." : undefined);

  // --- position ---
  if (pos) lastPriced.set(address, { block: state.block, pos });
  const last = lastPriced.get(address);
  const sharePrice = s.sharePrice.ok ? `${amount(s.sharePrice.value, A.decimals, 6)} ${A.symbol}` : "n/a";
  $("slot-position").innerHTML = pos
    ? kv([
        ["collateral supplied", `${amount(pos.collateral, A.decimals)} ${A.symbol}`, "collateral"],
        ["debt", `${amount(pos.debt, D.decimals, 2)} ${D.symbol}`, "debt"],
        ["idle", `${amount(pos.idleCollateral, A.decimals)} ${A.symbol} + ${amount(pos.idleDebtAsset, D.decimals, 2)} ${D.symbol}`],
        ["equity", usd(pos.equityValue)],
        ["NAV (totalAssets)", s.totalAssets.ok ? `${amount(s.totalAssets.value, A.decimals)} ${A.symbol}` : "n/a", "nav"],
        ["shares", `${amount(supply, Number(await v.decimals()), 4)} ${s.symbol}`],
        ["share price", sharePrice, "share-price"],
        [`price (oracle)`, `${amount(pos.price, 18, 2)} ${D.symbol}/${A.symbol}`, "price"],
      ])
    : `<p class="badc">Position unavailable: ${esc(s.position.ok ? "" : s.position.error)}</p>` +
      (last
        ? `<p class="muted">Last priced at block ${last.block}:</p>` +
          kv([
            ["collateral supplied", `${amount(last.pos.collateral, A.decimals)} ${A.symbol}`],
            ["debt", `${amount(last.pos.debt, D.decimals, 2)} ${D.symbol}`],
            ["leverage", lev(last.pos.leverage), "last-leverage"],
            ["health factor", hf(last.pos.healthFactor)],
            ["price (oracle)", `${amount(last.pos.price, 18, 2)} ${D.symbol}/${A.symbol}`],
          ])
        : "");

  // --- leverage and health ---
  const eff = s.target.ok ? s.target.value[0] : undefined;
  const sigma = s.target.ok ? s.target.value[1] : 0n;
  const scale = eff && lc.targetLeverage > 0n ? (eff * WAD) / lc.targetLeverage : WAD;
  const bandLo = (lc.minLeverage * scale) / WAD;
  const bandHi = (lc.maxLeverage * scale) / WAD;
  const levBar = (x: bigint, max: number) => Math.min(100, Math.max(0, (num(x) / max) * 100));
  const maxScale = Math.max(num(lc.maxLeverage) * 1.25, pos ? num(pos.leverage) * 1.05 : 0, 1);
  $("slot-risk").innerHTML = pos
    ? kv([
        ["leverage", `<strong>${lev(pos.leverage)}</strong>`, "leverage"],
        ["band (configured)", `${lev(lc.minLeverage)} – ${lev(lc.maxLeverage)}, target ${lev(lc.targetLeverage)}`],
        ["effective target", eff !== undefined ? `${lev(eff)} (band ${lev(bandLo)} – ${lev(bandHi)})${sigma > 0n ? `, σ ${(num(sigma) * Math.sqrt(86400 * 365) * 100).toFixed(0)}%/yr` : ""}` : "n/a", "effective-target"],
      ]) +
      `<div class="bar" role="img" aria-label="leverage ${lev(pos.leverage)} against band ${lev(bandLo)} to ${lev(bandHi)}">
        <div class="band" style="left:${levBar(bandLo, maxScale)}%;width:${levBar(bandHi, maxScale) - levBar(bandLo, maxScale)}%"></div>
        ${eff !== undefined ? `<div class="mark eff" title="effective target" style="left:${levBar(eff, maxScale)}%"></div>` : ""}
        <div class="mark" title="leverage" style="left:${levBar(pos.leverage, maxScale)}%"></div></div>` +
      kv([
        ["health factor", `<strong class="${pos.healthFactor < lc.minHealthFactor ? "badc" : "good"}">${hf(pos.healthFactor)}</strong>`, "health-factor"],
        ["HF floor / critical", `${hf(lc.minHealthFactor)} / ${hf(ac.criticalHealthFactor)}`, "hf-floor"],
        [
          `liquidation price`,
          pos.debt > 0n && pos.healthFactor > 0n ? `${amount((pos.price * WAD) / pos.healthFactor, 18, 2)} ${D.symbol}/${A.symbol} (${pct(num((pos.price * WAD) / pos.healthFactor) / num(pos.price) - 1, 1)})` : "none (no debt)",
          "liq-price",
        ],
        ["trigger now", trig.ok ? (trig.value.needed ? `<span class="warnc">${actionName(trig.value.action)} due</span>` : trig.value.action > 0n ? `${actionName(trig.value.action)} (held back)` : "nothing to do") : `n/a (${esc(trig.error)})`, "trigger"],
        ["health-action bounds", bounds.ok ? `slippage ${bps(bounds.value[0])}, DEX deviation ${bps(bounds.value[1])}` : "n/a"],
      ])
    : `<p class="badc">Unavailable while the oracle cannot price the position.</p>` +
      kv([
        ["band", `${lev(lc.minLeverage)} – ${lev(lc.maxLeverage)}, target ${lev(lc.targetLeverage)}`],
        ["HF floor / critical", `${hf(lc.minHealthFactor)} / ${hf(ac.criticalHealthFactor)}`],
      ]);

  // --- exits, oracle, DEX ---
  const price = pos?.price;
  const dist = (x: bigint) => (price && x > 0n ? ` (${pct(num(x) / num(price) - 1, 1)})` : "");
  const pr = (x: bigint) => (x === 0n ? "off" : `${amount(x, 18, 2)} ${D.symbol}/${A.symbol}${dist(x)}`);
  const trail = xc.trailBps > 0n && as.highWaterMark > 0n ? (as.highWaterMark * (10_000n - xc.trailBps)) / 10_000n : 0n;
  const feedRow = (f: Settled<Awaited<ReturnType<Chain["feed"]>>> | undefined, label: string): [string, string, string?] =>
    !f
      ? [label, "n/a"]
      : f.ok
        ? [
            label,
            `${amount(f.value.answer, f.value.decimals, 2)} USD, <span class="${f.value.age > f.value.heartbeat ? "badc" : "good"}">${duration(f.value.age)} old</span> (heartbeat ${duration(f.value.heartbeat)})`,
            label.startsWith(A.symbol) ? "oracle-age" : undefined,
          ]
        : [label, `<span class="badc">${esc(f.error)}</span>`];
  let dexText = "n/a";
  if (dex?.ok && dex.value !== undefined && price) {
    const dev = num(dex.value) / num(price) - 1;
    const over = Math.abs(dev) * 10_000 > Number(ac.maxDexDeviationBps);
    dexText = `${amount(dex.value, 18, 2)} ${D.symbol}/${A.symbol}, <span class="${over ? "badc" : "good"}">${pct(dev)}</span> vs oracle (max ±${bps(ac.maxDexDeviationBps)})`;
  }
  $("slot-guards").innerHTML = kv([
    ["stop-loss", pr(xc.stopLossPrice), "stop-loss"],
    ["take-profit", xc.takeProfitPrice === 0n ? "off" : `${pr(xc.takeProfitPrice)}, keeps ${lev(xc.takeProfitLeverage)}`],
    ["trailing stop", xc.trailBps === 0n ? "off" : `${bps(xc.trailBps)} below mark ${amount(as.highWaterMark, 18, 2)} → ${pr(trail)}`],
    ["on stop", xc.stopToDebtAsset ? `sell into ${D.symbol}` : `hold ${A.symbol} at 1x`],
    feedRow(feeds[0], `${A.symbol}/USD feed`),
    feedRow(feeds[1], `${D.symbol}/USD feed`),
    ["DEX spot (Uniswap V3)", dexText, "dex-deviation"],
    ["feeds from", venue ? venue.source : "unknown (no factory or record)"],
  ]);

  // --- pending changes ---
  const pend: PendingChange[] = [];
  const current: Record<string, unknown> = { Leverage: lc, Execution: ec, Automation: ac, Exit: xc, Timelock: timelock, Volatility: vc, Guardian: guardian };
  await Promise.all(
    KINDS.map(async (k, i) => {
      const r = await settle(v.pendingChange(i));
      if (r.ok && r.value[1] > 0n) {
        const validAt = Number(r.value[1]);
        let fields: PendingChange["fields"];
        try {
          fields = decodePending(k, r.value[0], current[k]);
        } catch (e) {
          fields = [{ name: "data", old: "", new: `${r.value[0]} (undecodable: ${(e as Error).message})` }];
        }
        pend.push({ kind: k, validAt, expiresAt: validAt + validity, fields });
      }
    }),
  );
  pend.sort((a, b) => a.validAt - b.validAt);
  banner(
    "pending",
    "warn",
    pend.length
      ? `<strong>${pend.length} pending change${pend.length > 1 ? "s" : ""}</strong> (${pend.map((p) => p.kind).join(", ")}): ` +
          (pend[0].validAt > now ? `the first can be accepted in ${duration(pend[0].validAt - now)}` : "acceptable now") +
          ` — see "Pending changes" below; depositors who disagree can exit before.`
      : undefined,
  );
  const fmtField = (kind: string, name: string, x: unknown) => fmtConfig(kind, name, x, A, D);
  $("slot-pending").innerHTML =
    `<p class="muted">Timelock ${duration(Number(timelock))}: a change that loosens risk waits this long, then anyone may accept it for ${duration(validity)}. Depositors can exit before it applies.</p>` +
    (pend.length
      ? `<div class="scroll"><table data-testid="pending-table"><thead><tr><th>change</th><th>what changes (old → new)</th><th>acceptable</th><th>countdown</th></tr></thead><tbody>` +
        pend
          .map(
            (p) => `<tr data-kind="${p.kind}"><td>${p.kind}</td><td style="white-space:normal;text-align:left">${p.fields.map((f) => `${esc(f.name)}: ${fmtField(p.kind, f.name, f.old)} → <strong>${fmtField(p.kind, f.name, f.new)}</strong>`).join("<br>") || "(same values)"}</td>
            <td>${time(p.validAt)}<br><span class="muted">until ${time(p.expiresAt)}</span></td>
            <td><span class="countdown" data-testid="countdown-${p.kind}" data-valid-at="${p.validAt}" data-expires-at="${p.expiresAt}"></span></td></tr>`,
          )
          .join("") +
        `</tbody></table></div>`
      : `<p data-testid="no-pending">No pending change.</p>`);
  tickCountdowns();

  // --- roles, keepers, config ---
  const keepers = await keeperSet(chain, address, registration?.block ?? 0).catch(() => undefined);
  $("slot-roles").innerHTML = kv([
    ["owner", `<span class="addr">${owner}</span>`],
    ...(pendingOwner !== "0x0000000000000000000000000000000000000000" ? [["pending owner", `<span class="addr">${pendingOwner}</span>`] as [string, string]] : []),
    ["manager", `<span class="addr">${manager}</span>`],
    ["guardian", `<span class="addr">${guardian}</span>`],
    ["keepers", keepers === undefined ? "n/a (the RPC refused eth_getLogs)" : keepers.length ? keepers.map((k) => `<span class="addr">${k}</span>`).join("<br>") : "none allow-listed (ripcord stays open to anyone)", "keepers"],
  ]);
  $("slot-config").innerHTML = kv([
    ["max slippage", bps(ec.maxSlippageBps)],
    ["Uniswap fee tier", `${Number(ec.swapFee) / 1e4}%`],
    ["deposit cap", `${amount(ec.depositCap, A.decimals)} ${A.symbol}`],
    ["cooldown", duration(Number(ac.cooldown))],
    ["max DEX deviation", bps(ac.maxDexDeviationBps)],
    ["max equity loss / action", bps(ac.maxEquityLossBps)],
    ["max trade size", `${amount(ac.maxTradeSize, D.decimals, 0)} ${D.symbol}`],
    ["ripcord reward", `${bps(ac.ripcordRewardBps)} (cap ${amount(ac.ripcordRewardCap, A.decimals)} ${A.symbol})`],
    ["volatility rule", vc.horizon === 0n ? "off" : `${Number(vc.sigmaMultiple) / 100}σ over ${duration(Number(vc.horizon))}, ${vc.rounds} rounds, floor ${lev(vc.floorLeverage)}`],
    ["fees", "none in this vault version"],
  ]);

  // --- account, forms ---
  await wallet.update({ vault: v, summary: s, paused, mode: s.mode, oracleStale: staleErr || !!staleFeed, cap: ec.depositCap, healthy: pos ? pos.healthFactor >= WAD || pos.debt === 0n : false });

  // --- history and keeper actions ---
  const fromBlock = registration?.block ?? state.record?.vaults?.find((x) => x.address.toLowerCase() === address.toLowerCase())?.block ?? 0;
  let h: Awaited<ReturnType<History["update"]>>;
  try {
    h = await history!.update(chain, v, address, fromBlock, state.block, A.decimals, Number(await v.decimals()));
    $("hist-note").textContent = `${h.samples} reads of position() from block ${fromBlock} to ${state.block}; ▲ keeper actions (ActionExecuted), ● deposits and exits.`;
  } catch (e) {
    if (isNetworkError(e)) throw e;
    h = { samples: 0, actions: [] };
    $("hist-note").textContent = `History unavailable: ${(e as Error).message?.split("\n")[0]} (past-block reads or eth_getLogs refused by this RPC).`;
  }
  $("slot-keeper").innerHTML = h.actions.length
    ? `<table data-testid="keeper-actions"><thead><tr><th>when</th><th>action</th><th>leverage</th><th>HF</th><th>gas</th><th>caller</th></tr></thead><tbody>${h.actions
        .slice(-12)
        .reverse()
        .map(
          (a) => `<tr><td>${time(a.time)}<br><span class="muted">block ${a.block}</span></td><td>${ACTIONS[a.action] ?? a.action}</td><td>${lev(a.levBefore)} → ${lev(a.levAfter)}</td>
          <td>${hf(a.hfBefore)} → ${hf(a.hfAfter)}</td><td>${a.gas.toLocaleString("en-US")}</td><td class="addr">${short(a.caller)}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : `<p>No keeper action yet.</p>`;
}

function fmtConfig(kind: string, name: string, x: unknown, A: { symbol: string; decimals: number }, D: { symbol: string; decimals: number }): string {
  if (typeof x === "boolean") return String(x);
  if (typeof x !== "bigint") return esc(x ?? "");
  if (kind === "Timelock") return duration(Number(x));
  if (/Leverage|HealthFactor/.test(name)) return /HealthFactor/.test(name) ? hf(x) : lev(x);
  if (/Bps$/.test(name)) return bps(x);
  if (/Price|highWaterMark/.test(name)) return x === 0n ? "off" : `${amount(x, 18, 2)} ${D.symbol}/${A.symbol}`;
  if (name === "depositCap" || name === "ripcordRewardCap") return `${amount(x, A.decimals)} ${A.symbol}`;
  if (name === "maxTradeSize") return `${amount(x, D.decimals, 0)} ${D.symbol}`;
  if (name === "cooldown" || name === "horizon") return duration(Number(x));
  if (name === "swapFee") return `${Number(x) / 1e4}%`;
  if (name === "sigmaMultiple") return `${Number(x) / 100}σ`;
  return x.toString();
}

async function keeperSet(chain: Chain, vault: string, fromBlock: number): Promise<string[]> {
  const topic = vaultInterface.getEvent("KeeperSet")!.topicHash;
  const logs = await chain.provider.getLogs({ address: vault, topics: [topic], fromBlock });
  const set = new Map<string, boolean>();
  for (const l of logs) {
    const ev = vaultInterface.parseLog(l)!;
    set.set(ev.args.keeper as string, ev.args.allowed as boolean);
  }
  const v = chain.vault(vault);
  const out: string[] = [];
  for (const [k, allowed] of set) if (allowed && (await v.isKeeper(k))) out.push(k);
  return out;
}

function tickCountdowns() {
  const now = chainNow();
  document.querySelectorAll<HTMLElement>(".countdown").forEach((el) => {
    const validAt = Number(el.dataset.validAt);
    const expiresAt = Number(el.dataset.expiresAt);
    const left = validAt - now;
    el.dataset.secondsLeft = String(left);
    if (left > 0) el.innerHTML = `<span class="warnc">in ${duration(left)}</span>`;
    else if (now <= expiresAt) el.innerHTML = `<span class="badc">acceptable now</span> (expires in ${duration(expiresAt - now)})`;
    else el.innerHTML = `expired`;
  });
}

// ---------------------------------------------------------------- start
async function start() {
  banner("rpc", "info", undefined);
  await loadRecords();
  renderSettings();
  await tick();
  setInterval(() => void tick(), state.poll);
  setInterval(tickCountdowns, 1000);
}
void start();
(window as unknown as { __dashboard: unknown }).__dashboard = { state, chainNow };
