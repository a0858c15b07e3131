/**
 * Deposit and redeem through an injected EIP-1193 wallet (window.ethereum): previews and a simulation from the
 * account, the ERC-5143 bounded overloads (`deposit(assets, receiver, minShares)`, `redeem(shares, receiver, owner,
 * minAssets)`) with the slippage the user sets, allowance and approve, a refusal shown before sending when `max*`
 * says no, and the vault's custom errors decoded.
 */
import { BrowserProvider, Contract, parseUnits, type Eip1193Provider } from "ethers";
import type { ILeveredVault } from "../../typechain-types/contracts/interfaces/ILeveredVault";
import { decodeError, errorText, type Chain } from "./chain";
import { amount, esc } from "./format";

declare global {
  interface Window {
    ethereum?: Eip1193Provider & { on?: (e: string, f: (...a: unknown[]) => void) => void };
  }
}

/** What a depositor should read for the errors they can meet. */
const EXPLAIN: Record<string, string> = {
  VaultSharesBelowMin: "the deposit would mint fewer shares than your slippage bound: the pool moved; retry or widen the bound",
  VaultAssetsBelowMin: "the exit would pay less than your slippage bound: the pool moved; retry or widen the bound",
  VaultDepositsPaused: "deposits are paused by the guardian or manager; exits stay open",
  VaultStoppedOut: "the vault is stopped out: deposits wait until the manager re-arms it; exits stay open",
  VaultDepositCapExceeded: "the deposit cap is reached",
  VaultPositionUnhealthy: "the position's health factor is below 1: deposits and partial exits wait for the keeper or ripcord",
  VaultInsolvent: "the position has no equity left at oracle prices",
  OracleStale: "the price feed is stale: the vault refuses to price deposits and exits until it updates",
  ERC4626ExceededMaxDeposit: "above what the vault accepts now (maxDeposit)",
  ERC4626ExceededMaxRedeem: "above what you may redeem now (maxRedeem)",
  ERC20InsufficientAllowance: "approve the vault for this amount first",
  ERC20InsufficientBalance: "your balance is too low",
  SwapSlippageExceeded: "the pool's price is too far from the oracle for the vault's own slippage bound",
  VaultZeroShares: "the amount is too small to mint or burn a share",
};

interface Ctx {
  vault: ILeveredVault;
  summary: { asset: { symbol: string; decimals: number }; symbol: string };
  paused: boolean;
  mode: number;
  oracleStale: boolean;
  cap: bigint;
  healthy: boolean;
}

export class Wallet {
  account: string | undefined;
  private ctx: Ctx | undefined;
  private busy = false;
  private previewSeq = 0;
  private redeemSeq = 0;
  private listening = false;
  constructor(
    private chain: () => Chain | undefined,
    private warn: (html: string | undefined) => void,
    private done: () => void,
  ) {}

  async connect() {
    if (!window.ethereum) {
      this.warn("No injected wallet (window.ethereum) in this browser: the page still reads everything; install one to deposit or redeem.");
      return;
    }
    try {
      const accounts = (await window.ethereum.request({ method: "eth_requestAccounts" })) as string[];
      if (!this.listening) {
        // A wallet that switches account or network: follow it.
        this.listening = true;
        window.ethereum.on?.("accountsChanged", (a) => {
          this.account = (a as string[])[0];
          this.done();
        });
        window.ethereum.on?.("chainChanged", () => void this.connect().then(this.done));
      }
      this.account = accounts[0];
      const walletChain = Number(await window.ethereum.request({ method: "eth_chainId" }));
      const chain = this.chain();
      this.warn(chain && walletChain !== chain.chainId ? `The wallet is on chain ${walletChain}, the page reads chain ${chain.chainId}: switch the wallet's network.` : undefined);
    } catch (e) {
      this.warn(`Wallet refused: ${esc(errorText(e))}`);
    }
  }

  bind(_vault: string) {
    const on = (id: string, ev: string, f: (e: Event) => void) => document.getElementById(id)!.addEventListener(ev, f);
    on("deposit-amount", "input", () => void this.previewDeposit());
    on("deposit-slippage", "input", () => void this.previewDeposit());
    on("redeem-shares", "input", () => void this.previewRedeem());
    on("redeem-slippage", "input", () => void this.previewRedeem());
    on("deposit-form", "submit", (e) => {
      e.preventDefault();
      void this.deposit();
    });
    on("redeem-form", "submit", (e) => {
      e.preventDefault();
      void this.redeem();
    });
    on("approve-button", "click", () => void this.approve());
    on("redeem-all", "click", async () => {
      if (!this.ctx || !this.account) return this.msg("redeem", "error", "Connect a wallet first.");
      const shares = await this.ctx.vault.balanceOf(this.account);
      (document.getElementById("redeem-shares") as HTMLInputElement).value = fmtPlain(shares, await this.shareDecimals());
      void this.previewRedeem();
    });
  }

  private input(id: string) {
    return (document.getElementById(id) as HTMLInputElement).value.trim();
  }
  private msg(which: "deposit" | "redeem", cls: "" | "ok" | "error", html: string) {
    const el = document.getElementById(`${which}-msg`);
    if (!el) return;
    el.className = `msg ${cls}`;
    el.innerHTML = html;
  }
  private slippage(id: string): bigint {
    const n = Number(this.input(id));
    if (!Number.isFinite(n) || n < 0 || n > 10_000) throw new Error("slippage must be 0..10000 bps");
    return BigInt(Math.round(n));
  }
  private async shareDecimals() {
    return Number(await this.ctx!.vault.decimals());
  }

  /** Why `max*` says 0, from what the page read. */
  private reason(kind: "deposit" | "redeem"): string {
    const c = this.ctx!;
    const r: string[] = [];
    if (c.oracleStale) r.push("the oracle is stale");
    if (kind === "deposit" && c.paused) r.push("deposits are paused");
    if (kind === "deposit" && c.mode !== 0) r.push("the vault is stopped (mode latched)");
    if (!c.healthy) r.push("the position is unhealthy (HF < 1)");
    if (kind === "deposit" && !r.length) r.push("the deposit cap is reached");
    if (kind === "redeem" && !r.length) r.push("you hold no shares");
    return r.join(", ");
  }

  async update(ctx: Ctx) {
    this.ctx = ctx;
    const slot = document.getElementById("slot-account");
    const A = ctx.summary.asset;
    if (!slot) return;
    if (!this.account) {
      slot.innerHTML = `<p>${window.ethereum ? "Connect a wallet (top right) to deposit or redeem." : "No injected wallet found."}</p>`;
    } else {
      const asset = new Contract(await ctx.vault.asset(), ["function balanceOf(address) view returns (uint256)", "function allowance(address,address) view returns (uint256)"], this.chain()!.provider);
      const [bal, allowance, shares, maxDeposit, maxRedeem] = await Promise.all([
        asset.balanceOf(this.account) as Promise<bigint>,
        asset.allowance(this.account, ctx.vault.target) as Promise<bigint>,
        ctx.vault.balanceOf(this.account),
        ctx.vault.maxDeposit(this.account),
        ctx.vault.maxRedeem(this.account),
      ]);
      const sd = await this.shareDecimals();
      const value = shares > 0n ? await ctx.vault.previewRedeem(shares).catch(() => undefined) : 0n;
      slot.innerHTML =
        `<dl class="kv"><dt>account</dt><dd class="addr">${this.account}</dd>` +
        `<dt>${esc(A.symbol)} balance</dt><dd data-testid="asset-balance" data-raw="${bal}">${amount(bal, A.decimals)} ${esc(A.symbol)}</dd>` +
        `<dt>allowance to vault</dt><dd data-testid="allowance" data-raw="${allowance}">${allowance > 10n ** 60n ? "unlimited" : `${amount(allowance, A.decimals)} ${esc(A.symbol)}`}</dd>` +
        `<dt>shares</dt><dd data-testid="share-balance" data-raw="${shares}">${amount(shares, sd)} ${esc(ctx.summary.symbol)}</dd>` +
        `<dt>redeemable for (preview)</dt><dd>${value === undefined ? "n/a" : `${amount(value, A.decimals)} ${esc(A.symbol)}`}</dd>` +
        `<dt>maxDeposit</dt><dd data-testid="max-deposit" data-raw="${maxDeposit}">${maxDeposit > 10n ** 60n ? "no limit" : `${amount(maxDeposit, A.decimals)} ${esc(A.symbol)}`}</dd>` +
        `<dt>maxRedeem</dt><dd data-testid="max-redeem" data-raw="${maxRedeem}">${amount(maxRedeem, sd)} shares</dd></dl>`;
    }
    void this.previewDeposit();
    void this.previewRedeem();
  }

  private async previewDeposit() {
    const el = document.getElementById("deposit-preview");
    if (!el || !this.ctx) return;
    const seq = ++this.previewSeq;
    const c = this.ctx;
    const A = c.summary.asset;
    try {
      const raw = this.input("deposit-amount");
      if (!raw) return void (el.textContent = "");
      const assets = parseUnits(raw, A.decimals);
      const slip = this.slippage("deposit-slippage");
      const preview = await c.vault.previewDeposit(assets);
      let simulated: bigint | undefined;
      if (this.account) simulated = await c.vault["deposit(uint256,address,uint256)"].staticCall(assets, this.account, 0n, { from: this.account }).catch(() => undefined);
      const expected = simulated ?? preview;
      const min = (expected * (10_000n - slip)) / 10_000n;
      const sd = await this.shareDecimals();
      if (seq !== this.previewSeq) return;
      el.innerHTML =
        `previewDeposit: ≥ ${amount(preview, sd)} shares` +
        (simulated !== undefined ? `; simulated from your account: ${amount(simulated, sd)}` : "") +
        `; minShares sent (−${slip} bps): <span data-testid="deposit-min" data-raw="${min}">${amount(min, sd)}</span>`;
    } catch (e) {
      if (seq === this.previewSeq) el.textContent = `preview unavailable: ${errorText(e)}`;
    }
  }

  private async previewRedeem() {
    const el = document.getElementById("redeem-preview");
    if (!el || !this.ctx) return;
    const seq = ++this.redeemSeq;
    const c = this.ctx;
    const A = c.summary.asset;
    try {
      const raw = this.input("redeem-shares");
      if (!raw) return void (el.textContent = "");
      const shares = parseUnits(raw, await this.shareDecimals());
      const slip = this.slippage("redeem-slippage");
      const preview = await c.vault.previewRedeem(shares);
      let simulated: bigint | undefined;
      if (this.account)
        simulated = await c.vault["redeem(uint256,address,address,uint256)"].staticCall(shares, this.account, this.account, 0n, { from: this.account }).catch(() => undefined);
      const expected = simulated ?? preview;
      const min = (expected * (10_000n - slip)) / 10_000n;
      if (seq !== this.redeemSeq) return;
      el.innerHTML =
        `previewRedeem: ≥ ${amount(preview, A.decimals)} ${esc(A.symbol)}` +
        (simulated !== undefined ? `; simulated from your account: ${amount(simulated, A.decimals)}` : "") +
        `; minAssets sent (−${slip} bps): <span data-testid="redeem-min" data-raw="${min}">${amount(min, A.decimals)}</span> ${esc(A.symbol)}`;
    } catch (e) {
      if (seq === this.redeemSeq) el.textContent = `preview unavailable: ${errorText(e)}`;
    }
  }

  private async signer() {
    if (!window.ethereum || !this.account) throw new Error("Connect a wallet first.");
    const bp = new BrowserProvider(window.ethereum);
    bp.pollingInterval = 500;
    return bp.getSigner(this.account);
  }
  private explain(e: unknown): string {
    const d = decodeError(e);
    if (d) return `Refused by the vault: <code>${esc(d.text)}</code>${EXPLAIN[d.name] ? ` — ${esc(EXPLAIN[d.name])}` : ""}.`;
    return `Failed: ${esc(errorText(e))}`;
  }

  private async approve() {
    if (this.busy || !this.ctx) return;
    const A = this.ctx.summary.asset;
    try {
      this.busy = true;
      const assets = parseUnits(this.input("deposit-amount") || "0", A.decimals);
      if (assets === 0n) return this.msg("deposit", "error", "Enter an amount to approve.");
      const signer = await this.signer();
      const token = new Contract(await this.ctx.vault.asset(), ["function approve(address,uint256) returns (bool)"], signer);
      this.msg("deposit", "", `Approving ${amount(assets, A.decimals)} ${esc(A.symbol)}… confirm in your wallet.`);
      const tx = await token.approve(this.ctx.vault.target, assets);
      const r = await tx.wait();
      this.msg("deposit", "ok", `Approved ${amount(assets, A.decimals)} ${esc(A.symbol)} (gas ${r?.gasUsed.toLocaleString("en-US")}).`);
      this.done();
    } catch (e) {
      this.msg("deposit", "error", this.explain(e));
    } finally {
      this.busy = false;
    }
  }

  private async deposit() {
    if (this.busy || !this.ctx) return;
    const c = this.ctx;
    const A = c.summary.asset;
    try {
      this.busy = true;
      if (!this.account) return this.msg("deposit", "error", "Connect a wallet first.");
      let assets: bigint;
      try {
        assets = parseUnits(this.input("deposit-amount"), A.decimals);
      } catch {
        return this.msg("deposit", "error", `Enter an amount of ${esc(A.symbol)}.`);
      }
      if (assets === 0n) return this.msg("deposit", "error", "Enter an amount above 0.");
      const max = await c.vault.maxDeposit(this.account);
      if (max === 0n) return this.msg("deposit", "error", `Not sent: the vault accepts no deposit now (maxDeposit = 0: ${this.reason("deposit")}).`);
      if (assets > max) return this.msg("deposit", "error", `Not sent: ${amount(assets, A.decimals)} is above maxDeposit ${amount(max, A.decimals)} ${esc(A.symbol)}.`);
      const token = this.chain()!.erc20(await c.vault.asset());
      const [bal, allowance] = await Promise.all([token.balanceOf(this.account) as Promise<bigint>, token.allowance(this.account, c.vault.target) as Promise<bigint>]);
      if (bal < assets) return this.msg("deposit", "error", `Not sent: your balance is ${amount(bal, A.decimals)} ${esc(A.symbol)}.`);
      if (allowance < assets) return this.msg("deposit", "error", `Not sent: approve the vault for ${amount(assets, A.decimals)} ${esc(A.symbol)} first (allowance ${amount(allowance, A.decimals)}).`);
      const slip = this.slippage("deposit-slippage");
      const expected = await c.vault["deposit(uint256,address,uint256)"].staticCall(assets, this.account, 0n, { from: this.account });
      const minShares = (expected * (10_000n - slip)) / 10_000n;
      const signer = await this.signer();
      this.msg("deposit", "", `Depositing ${amount(assets, A.decimals)} ${esc(A.symbol)} with minShares ${minShares}… confirm in your wallet.`);
      const vault = c.vault.connect(signer);
      const tx = await vault["deposit(uint256,address,uint256)"](assets, this.account, minShares);
      const r = await tx.wait();
      const sd = await this.shareDecimals();
      const minted = r?.logs.map((l) => { try { return c.vault.interface.parseLog(l); } catch { return null; } }).find((l) => l?.name === "Deposit")?.args.shares as bigint | undefined;
      this.msg("deposit", "ok", `Deposited ${amount(assets, A.decimals)} ${esc(A.symbol)}: <span data-testid="deposit-minted" data-raw="${minted ?? ""}">${minted !== undefined ? amount(minted, sd) : "?"}</span> shares minted, gas ${r?.gasUsed.toLocaleString("en-US")} (tx ${r?.hash.slice(0, 10)}…).`);
      this.done();
    } catch (e) {
      this.msg("deposit", "error", this.explain(e));
    } finally {
      this.busy = false;
    }
  }

  private async redeem() {
    if (this.busy || !this.ctx) return;
    const c = this.ctx;
    const A = c.summary.asset;
    try {
      this.busy = true;
      if (!this.account) return this.msg("redeem", "error", "Connect a wallet first.");
      const sd = await this.shareDecimals();
      let shares: bigint;
      try {
        shares = parseUnits(this.input("redeem-shares"), sd);
      } catch {
        return this.msg("redeem", "error", "Enter a number of shares.");
      }
      if (shares === 0n) return this.msg("redeem", "error", "Enter shares above 0.");
      const max = await c.vault.maxRedeem(this.account);
      if (max === 0n) return this.msg("redeem", "error", `Not sent: nothing can be redeemed now (maxRedeem = 0: ${this.reason("redeem")}).`);
      if (shares > max) return this.msg("redeem", "error", `Not sent: ${amount(shares, sd)} is above maxRedeem ${amount(max, sd)}.`);
      const slip = this.slippage("redeem-slippage");
      const expected = await c.vault["redeem(uint256,address,address,uint256)"].staticCall(shares, this.account, this.account, 0n, { from: this.account });
      const minAssets = (expected * (10_000n - slip)) / 10_000n;
      const signer = await this.signer();
      this.msg("redeem", "", `Redeeming ${amount(shares, sd)} shares with minAssets ${amount(minAssets, A.decimals)}… confirm in your wallet.`);
      const tx = await c.vault.connect(signer)["redeem(uint256,address,address,uint256)"](shares, this.account, this.account, minAssets);
      const r = await tx.wait();
      const paid = r?.logs.map((l) => { try { return c.vault.interface.parseLog(l); } catch { return null; } }).find((l) => l?.name === "Withdraw")?.args.assets as bigint | undefined;
      this.msg("redeem", "ok", `Redeemed ${amount(shares, sd)} shares: received <span data-testid="redeem-received" data-raw="${paid ?? ""}">${paid !== undefined ? amount(paid, A.decimals) : "?"}</span> ${esc(A.symbol)}, gas ${r?.gasUsed.toLocaleString("en-US")}.`);
      this.done();
    } catch (e) {
      this.msg("redeem", "error", this.explain(e));
    } finally {
      this.busy = false;
    }
  }
}

function fmtPlain(x: bigint, decimals: number): string {
  const s = x.toString().padStart(decimals + 1, "0");
  const i = s.slice(0, s.length - decimals);
  const f = s.slice(s.length - decimals).replace(/0+$/, "");
  return f ? `${i}.${f}` : i;
}
