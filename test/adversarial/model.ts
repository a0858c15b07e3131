/**
 * Stateful adversarial fuzzing (issue 9): runs a sequence of commands (commands.ts) on the real-bytecode market and
 * checks every invariant of docs/PROPERTIES.md after each one. A violation throws an `InvariantViolation` naming the
 * property id, so fast-check reports (and shrinks) the sequence with the id in the message.
 *
 * The model tracks what the chain cannot say by itself: each account's profit and loss at oracle prices over its
 * own calls (FAIR-1), the configuration the holders agreed to and the pending changes with the time they may apply
 * (ROLE-1), and counters for the report.
 *
 * Every kind (preset x venue, world.ts KindSpec): values are raw units of the kind's collateral (FAIR-1, ACCT-1) at the
 * USD prices the market's oracle reads from the vault's feeds; prices the commands move are the kind's reference
 * price (the pool's quote per base), relative to its start; the venue's reads and actions are world.ts's.
 */
import { AbiCoder, MaxUint256, type Addressable, type ContractTransactionResponse, type Interface, type Result } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers, network } from "hardhat";
import type { ILeveredVault } from "../../typechain-types";
import { poolPair, poolPriceOf, swapPoolTo } from "../shared/market-helpers";
import { priceToSqrtX96 } from "../shared/market";
import { plain } from "../shared/structs";
import type { AdversarialWorld, KindSpec } from "./world";
import {
  THIRD_PARTY_ALLOWANCE, currentVenue, fundLegs, liquidateVault, malloryStock, moveMarket, repayFor, supplyFor, syncVenue, unitsOf, usdToRaw,
  venueBalances, venueHealthFactor,
} from "./world";
import type { Venue } from "../shared/presets";
import type { Command, Size } from "./commands";

const WAD = 10n ** 18n;
const BPS = 10_000n;
const DAY = 86_400n;
const PENDING_VALIDITY = 7n * DAY;
/**
 * The kind's units (world.ts KindSpec). Rounding allowed per call in FAIR-1, raw collateral units: 20 raw units of the
 * debt asset valued at the start price, at least 10 raw collateral units (1e10 wei for WETH/USDC: 1 raw USDC = 5e8
 * wei at $2,000, 1e9 at $1,000).
 */
const roundingOf = (ctx: { w: AdversarialWorld }) => ctx.w.kind.rounding;
/** A reference price `multiple` x the kind's start (multiples of ETH's range scaled by the kind's own). */
const refAt = (k: KindSpec, multiple: number) => (k.start * BigInt(Math.round((1 + (multiple - 1) * k.scale) * 1e6))) / 1_000_000n;
/** The reference price range of the oracle moves ($900-3,600 for ETH at $2,000) and of the outages ($1,600-2,500). */
const priceRange = (k: KindSpec) => ({ min: refAt(k, 0.45), max: refAt(k, 1.8) });
const outageRange = (k: KindSpec) => ({ min: refAt(k, 0.8), max: refAt(k, 1.25) });
/** Raw debt units -> raw collateral units at USD prices (1e8 per whole token). */
const debtToCollateral = (k: KindSpec, debt: bigint, collE8: bigint, debtE8: bigint) =>
  (debt * debtE8 * 10n ** BigInt(k.decimals.collateral)) / (collE8 * 10n ** BigInt(k.decimals.debt));
/** The USD prices (1e8) of the pair's legs, as the lending market's oracle reads the same feeds as the vault. */
async function usdPrices(w: AdversarialWorld): Promise<{ collE8: bigint; debtE8: bigint }> {
  const [collE8, debtE8] = await Promise.all([
    rview(w.market.aaveOracle as unknown as Target, "getAssetPrice", [w.kind.collateral.target]),
    rview(w.market.aaveOracle as unknown as Target, "getAssetPrice", [w.kind.debt.target]),
  ]);
  return { collE8, debtE8 };
}
/** The reference price (the pool's quote per base, reference units) the oracle gives. */
function refOf(k: KindSpec, collE8: bigint, debtE8: bigint): bigint {
  const [b, q] = k.direction === 1 ? [collE8, debtE8] : [debtE8, collE8];
  return (b * 10n ** BigInt(k.refDecimals)) / q;
}
const oracleRef = async (w: AdversarialWorld) => {
  const { collE8, debtE8 } = await usdPrices(w);
  return refOf(w.kind, collE8, debtE8);
};
/** |spot - oracle| / oracle of the vault's price (debt per collateral), from reference prices, as a fraction. */
function pairDeviation(k: KindSpec, spot: bigint, oracle: bigint): number {
  const d = Number(spot > oracle ? spot - oracle : oracle - spot);
  return k.direction === 1 ? d / Number(oracle) : d / Number(spot);
}
/** The pool of fee tier `fee` (the main one if the pair has no such tier). */
const poolOfFee = (k: KindSpec, fee: bigint | number) => k.pools[Number(fee)] ?? k.pools[k.mainFee];
/** How many times the share value a call moves its swap may be (FAIR-1's dislocation allowance): 4 at 3x, L + 1 above. */
const swapMultiple = (k: KindSpec) => BigInt(Math.max(4, Math.ceil(k.settings.targetLeverage) + 1));
/** `swapMultiple`, or L + 1 at the vault's leverage now (valued at the oracle) when that is more. */
async function swapMultipleNow(ctx: { w: AdversarialWorld }): Promise<bigint> {
  const base = swapMultiple(ctx.w.kind);
  const pos = await attempt(ctx.w.vault, "position()", () => rview<Result>(ctx.w.vault, "position"));
  if (!pos.ok) return base;
  const now = ((pos.value as Result).leverage as bigint) / WAD + 2n; // ceil(L) + 1
  return now > base ? now : base;
}
/** What a ripcord may pay its caller, raw collateral (FAIR-1): the preset's reward cap (1 WETH for the 3x long). */
const rewardAllowance = (k: KindSpec) => unitsOf(k.settings.ripcordRewardCap, k.decimals.collateral);
/** The venue's borrow rate of the debt asset, wad per second (Aave's variable rate; Morpho's IrmMock: utilisation / year). */
async function borrowRatePerSecond(w: AdversarialWorld): Promise<bigint> {
  const year = 365n * 86_400n;
  if (w.kind.venue === "aave") return (await w.market.pool.getReserveData(w.kind.debt.target)).currentVariableBorrowRate / 10n ** 9n / year;
  const m = await w.kind.blue!.morpho.market(w.kind.morpho!.id);
  const supplied = m.totalSupplyAssets as bigint;
  return supplied === 0n ? 0n : ((m.totalBorrowAssets as bigint) * WAD) / supplied / year;
}
/** FAIR-1's bystander allowance for interest: 2 x the rate x `seconds` on `swapMultiple` x `value`. */
async function interestAllowance(ctx: Ctx, value: bigint, seconds: bigint): Promise<bigint> {
  if (seconds <= 0n) return 0n;
  return (2n * swapMultiple(ctx.w.kind) * value * (await borrowRatePerSecond(ctx.w)) * seconds) / WAD;
}
/** The pool's base token is the collateral (long, loop) or the debt asset (short). */
const baseIsCollateral = (k: KindSpec) => k.direction === 1;
const GAS = { gasLimit: 12_000_000n };
const coder = AbiCoder.defaultAbiCoder();
const ACTIONS = ["None", "DeleverBand", "ReleverBand", "DeleverHealth", "StopLoss", "TrailingStop", "TakeProfit", "Ripcord", "Poke", "OutageDelever"];

export const PROPERTY_IDS = [
  "TRIGGER-1", "EXIT-1", "FAIR-1", "ROLE-1", "ACCT-1", "ACCT-2", "KEEP-1", "MAX-1", "PREVIEW-1", "ALLOW-1", "ERR-1",
  "STALE-1", "KEEP-2", "VAULT-DEX-1", "ROLE-2", "RIPCORD-1", "CAP-1", "OUTAGE-1", "REFI-1",
] as const;
export type PropertyId = (typeof PROPERTY_IDS)[number];

export class InvariantViolation extends Error {
  constructor(
    readonly id: PropertyId,
    detail: string,
  ) {
    super(`${id} violated: ${detail}`);
  }
}

function violated(id: PropertyId, detail: string): never {
  throw new InvariantViolation(id, detail);
}

/**
 * Known defects D1 and D2 (test/adversarial/defect-idle-balances.test.ts, skipped until fixed): idle balances count in
 * the vault's leverage but not in Aave's health factor. D1: with idle collateral, a health deleverage aims at a target
 * the vault's leverage is already under and reverts KeeperLeverageNotImproved while trigger() reports it. D2: with
 * idle debt asset, ReleverBand is reported due and its post-condition reverts VaultHealthFactorTooLow. Tolerated (and
 * counted) unless FUZZ_STRICT=1, so that the rest of the suite keeps running on main; remove once fixed.
 */
async function knownDefect(ctx: Ctx, error: string | undefined): Promise<boolean> {
  if (process.env.FUZZ_STRICT === "1" || ctx.strict || error === undefined) return false;
  const p = await rview<Result>(ctx.w.vault, "position");
  let id: string | undefined;
  if (error.startsWith("KeeperLeverageNotImproved") && (p.idleCollateral as bigint) > 0n) id = "D1 (idle collateral jams DeleverHealth)";
  // D2 also shows as Aave's COLLATERAL_CANNOT_COVER_NEW_BORROW (Error 36) when the re-lever borrows past the LTV.
  if ((error.startsWith("VaultHealthFactorTooLow") || error === 'Error("36")') && (p.idleDebtAsset as bigint) > 0n) id = "D2 (idle debt asset makes ReleverBand due, fails the HF floor)";
  if (id === undefined) return false;
  bump(ctx.stats.checks, `KNOWN DEFECT ${id} tolerated`);
  return true;
}

// ---------------------------------------------------------------- reverts

const PANIC = "0x4e487b71";
const ERROR_STRING = "0x08c379a0";

export interface Outcome<T = unknown> {
  ok: boolean;
  value?: T;
  /** Decoded revert: `Name(args)`, `Error("..")` (Aave's string codes), or `UNDECODED ...` / `Panic(..)`. */
  error?: string;
  name?: string;
}

function revertData(e: unknown): string | undefined {
  const err = e as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown } };
  for (const d of [err.data, err.info?.error?.data, err.error?.data]) {
    if (typeof d === "string" && d.startsWith("0x")) return d;
    if (d && typeof (d as { data?: unknown }).data === "string") return (d as { data: string }).data;
  }
  return undefined;
}

export function decodeRevert(vault: ILeveredVault, e: unknown): { name: string; text: string } {
  const data = revertData(e);
  const message = String((e as { message?: string }).message ?? e).split("\n")[0];
  if (data === undefined) {
    // Errors that never reached the chain (ethers argument checks) are the fuzzer's own bugs: report them.
    return { name: "UNDECODED", text: `UNDECODED (${message.slice(0, 200)})` };
  }
  if (data === "0x") return { name: "UNDECODED", text: "UNDECODED empty revert data" };
  if (data.startsWith(PANIC)) return { name: "Panic", text: `Panic(${BigInt("0x" + data.slice(10))})` };
  if (data.startsWith(ERROR_STRING)) {
    const [reason] = coder.decode(["string"], "0x" + data.slice(10));
    return { name: "Error", text: `Error("${reason}")` };
  }
  try {
    const parsed = vault.interface.parseError(data);
    if (parsed) return { name: parsed.name, text: `${parsed.name}(${parsed.args.map(String).join(", ")})` };
  } catch {
    /* below */
  }
  return { name: "UNDECODED", text: `UNDECODED ${data.slice(0, 74)}` };
}

/** ERR-1: no call reverts with a panic or with data that the vault's ABI does not decode. */
function checkDecoded(where: string, d: { name: string; text: string }) {
  if (d.name === "UNDECODED" || d.name === "Panic") violated("ERR-1", `${where} reverted ${d.text}`);
}

async function attempt<T>(vault: ILeveredVault, where: string, f: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    if (e instanceof InvariantViolation) throw e;
    const d = decodeRevert(vault, e);
    checkDecoded(where, d);
    return { ok: false, error: d.text, name: d.name };
  }
}

const send = async (tx: Promise<ContractTransactionResponse>) => (await (await tx).wait())!;

/** A contract as the raw helpers need it (ethers' Contract or a TypeChain instance). */
interface Target {
  interface: Interface;
  target: string | Addressable;
}
const addr = (t: Target) => (typeof t.target === "string" ? t.target : String((t.target as unknown as { target?: string }).target ?? t.target));

/**
 * eth_call straight to the in-process node (ethers' contract calls cost ~5-40 ms each here, the node ~0.5 ms for a
 * view): encodes with the contract's ABI, decodes the result; a revert throws with its data, as ethers would.
 */
export async function rcall(c: Target, fn: string, args: unknown[] = [], o: { from?: string; tag?: string } = {}): Promise<Result> {
  const data = c.interface.encodeFunctionData(fn, args);
  const out: string = await network.provider.send("eth_call", [{ to: addr(c), data, from: o.from, gas: "0xf42400" }, o.tag ?? "latest"]);
  return c.interface.decodeFunctionResult(fn, out);
}
/** The first return value of `rcall`. */
export async function rview<T = bigint>(c: Target, fn: string, args: unknown[] = [], o: { from?: string; tag?: string } = {}): Promise<T> {
  return (await rcall(c, fn, args, o))[0] as T;
}
/** eth_sendTransaction from an unlocked account with a fixed gas limit (no estimation); mined at once under automine. */
export async function rtx(c: Target, fn: string, args: unknown[], from: string): Promise<string> {
  const data = c.interface.encodeFunctionData(fn, args);
  return network.provider.send("eth_sendTransaction", [{ from, to: addr(c), data, gas: "0xb71b00" }]);
}

// ---------------------------------------------------------------- model

type Kind = 0 | 1 | 2 | 3 | 4 | 5; // Leverage, Execution, Automation, Exit, Timelock, Rearm
const KIND_NAMES = ["Leverage", "Execution", "Automation", "Exit", "Timelock", "Rearm", "Volatility"];

interface Configs {
  leverage: string;
  execution: string;
  automation: string;
  exits: string;
  timelock: bigint;
}

export interface Stats {
  commands: number;
  byOp: Record<string, number>;
  succeeded: Record<string, number>;
  reverts: Record<string, number>;
  checks: Record<string, number>;
  /** Milliseconds spent per phase (command, snapshots, invariants) and per command kind. */
  ms: Record<string, number>;
}

export const newStats = (): Stats => ({ commands: 0, byOp: {}, succeeded: {}, reverts: {}, checks: {}, ms: {} });
const bump = (m: Record<string, number>, k: string, n = 1) => (m[k] = (m[k] ?? 0) + n);

export interface Model {
  /** FAIR-1: cumulative oracle-value change of each account over the commands it initiated (wei of WETH). */
  pnl: Map<string, bigint>;
  /** What an account may have gained at someone's consented expense (a sandwiched victim's loss, rewards). */
  credit: Map<string, bigint>;
  calls: Map<string, number>;
  /** ROLE-1: the configuration the holders can rely on, as abi-encoded structs, and the pending changes. */
  configs: Configs;
  pending: Map<Kind, { data: string; validAt: bigint }>;
  holderNames: Map<string, string>;
  /** KEEP-2: time of the last band rebalance the fuzzer saw go through. */
  lastBandAt?: bigint;
}

export interface Ctx {
  w: AdversarialWorld;
  model: Model;
  stats: Stats;
  log: string[];
  /** Tokens minted to accounts during the current command (outside money, not a gain), raw units of each leg. */
  funded: Map<string, Legs>;
  /** No known defect tolerated (as FUZZ_STRICT=1): the known-defect replays of the defects the campaign tolerates. */
  strict?: boolean;
}

/** Raw amounts of the pair's two legs (collateral, debt asset). */
export interface Legs {
  coll: bigint;
  debt: bigint;
}

/** Mints test tokens to `account` and books them as outside money for FAIR-1. */
async function fundTracked(ctx: Ctx, account: string, amounts: { coll?: bigint; debt?: bigint }) {
  await fundLegs(ctx.w, account, { collateral: amounts.coll, debt: amounts.debt });
  const f = ctx.funded.get(account) ?? { coll: 0n, debt: 0n };
  ctx.funded.set(account, { coll: f.coll + (amounts.coll ?? 0n), debt: f.debt + (amounts.debt ?? 0n) });
}

const encLeverage = (c: { targetLeverage: bigint; minLeverage: bigint; maxLeverage: bigint; minHealthFactor: bigint }) =>
  coder.encode(["tuple(uint64,uint64,uint64,uint64)"], [[c.targetLeverage, c.minLeverage, c.maxLeverage, c.minHealthFactor]]);
const encExecution = (c: { maxSlippageBps: bigint; swapFee: bigint; depositCap: bigint }) =>
  coder.encode(["tuple(uint16,uint24,uint128)"], [[c.maxSlippageBps, c.swapFee, c.depositCap]]);
const encAutomation = (c: Record<string, bigint>) =>
  coder.encode(
    ["tuple(uint64,uint16,uint16,uint32,uint16,uint96,uint128)"],
    [[c.criticalHealthFactor, c.maxDexDeviationBps, c.maxEquityLossBps, c.cooldown, c.ripcordRewardBps, c.maxTradeSize, c.ripcordRewardCap]],
  );
const encExit = (c: { stopLossPrice: bigint; takeProfitPrice: bigint; takeProfitLeverage: bigint; trailBps: bigint; stopToDebtAsset: boolean }) =>
  coder.encode(
    ["tuple(uint128,uint128,uint64,uint16,bool)"],
    [[c.stopLossPrice, c.takeProfitPrice, c.takeProfitLeverage, c.trailBps, c.stopToDebtAsset]],
  );

async function readConfigs(vault: ILeveredVault): Promise<Configs> {
  const [l, e, a, x, t] = await Promise.all([
    rview<Result>(vault, "leverageConfig"), rview<Result>(vault, "executionConfig"), rview<Result>(vault, "automationConfig"),
    rview<Result>(vault, "exitConfig"), rview(vault, "timelock"),
  ]);
  return {
    leverage: encLeverage(l.toObject() as never),
    execution: encExecution(e.toObject() as never),
    automation: encAutomation(a.toObject() as never),
    exits: encExit(x.toObject() as never),
    timelock: t,
  };
}

export async function newModel(w: AdversarialWorld): Promise<Model> {
  const names = new Map<string, string>();
  for (const [n, s] of Object.entries({ alice: w.alice, bob: w.bob, carol: w.carol, mallory: w.mallory })) names.set(s.address, n);
  return {
    pnl: new Map(), credit: new Map(), calls: new Map(), configs: await readConfigs(w.vault), pending: new Map(), holderNames: names,
  };
}

// ---------------------------------------------------------------- reading the world

interface Snapshot {
  kind: KindSpec;
  /** The latest block's timestamp (s). */
  time: bigint;
  fresh: boolean;
  /** USD prices (1e8 per whole token) of the collateral and of the debt asset. */
  collE8: bigint;
  debtE8: bigint;
  totalAssets: bigint;
  totalSupply: bigint;
  shares: Map<string, bigint>;
  wallets: Map<string, Legs>;
}

async function oracleFresh(w: AdversarialWorld): Promise<boolean> {
  try {
    await rview(w.vault, "totalAssets");
    return true;
  } catch {
    return false;
  }
}

async function snapshot(ctx: Ctx, walletsOf: string[]): Promise<Snapshot> {
  const { w } = ctx;
  const { market, vault } = w;
  const holders = [...ctx.model.holderNames.keys()];
  const fresh = await oracleFresh(w);
  const k = w.kind;
  const [{ collE8, debtE8 }, totalSupply, totalAssets] = await Promise.all([
    usdPrices(w),
    rview(vault, "totalSupply"),
    fresh ? rview(vault, "totalAssets") : Promise.resolve(0n),
  ]);
  const shares = new Map<string, bigint>();
  for (const h of holders) shares.set(h, await rview(vault, "balanceOf", [h]));
  const wallets = new Map<string, Legs>();
  for (const a of walletsOf) {
    wallets.set(a, { coll: await rview(k.collateral, "balanceOf", [a]), debt: await rview(k.debt, "balanceOf", [a]) });
  }
  void market;
  return { kind: k, time: BigInt(await time.latest()), fresh, collE8, debtE8, totalAssets, totalSupply, shares, wallets };
}

/** OpenZeppelin's convertToAssets (offset 6), from the snapshot's totals: the oracle NAV of `shares`. */
const shareValue = (s: Snapshot, shares: bigint) => (shares * (s.totalAssets + 1n)) / (s.totalSupply + 10n ** 6n);

/** Oracle value (raw collateral units) of what `a` holds: collateral, debt asset and vault shares. */
function accountValue(s: Snapshot, a: string): bigint {
  const wallet = s.wallets.get(a) ?? { coll: 0n, debt: 0n };
  return wallet.coll + debtToCollateral(s.kind, wallet.debt, s.collE8, s.debtE8) + shareValue(s, s.shares.get(a) ?? 0n);
}

// ---------------------------------------------------------------- next-block reads

/** Fixes the next block's timestamp and returns overrides that read views in that block. */
async function nextBlock(): Promise<{ blockTag: "pending" }> {
  await time.setNextBlockTimestamp((await time.latest()) + 1);
  return { blockTag: "pending" };
}

function sized(size: Size, max: bigint): bigint {
  if (size.kind === "max") return max;
  if (size.kind === "frac") return (max * BigInt(size.bps)) / BPS;
  return BigInt(size.mantissa) * 10n ** BigInt(size.exponent);
}

// ---------------------------------------------------------------- commands

interface RunResult {
  initiators: string[];
  /** Bystanders' share values must not fall (user-initiated commands); false for keeper, liquidation, price, time. */
  bystandersProtected: boolean;
  /** Extra gain an initiator may have (ripcord reward), keyed by address. */
  allowance?: Map<string, bigint>;
  /**
   * Shares an exit unwound, keyed by owner (FAIR-1's dislocation allowance): a withdraw unwinds
   * previewWithdraw(assets) shares (at most the balance) and gives back as shares what the unwind did not cost, so its
   * swap is on that slice, larger than the shares it burns when the pool pays more than the oracle.
   */
  unwound?: Map<string, bigint>;
  /** An exit by the approved third party: what it receives is the owner's (one party for FAIR-1). */
  merge?: { from: string; into: string };
  /** For Mallory's bundles: the victim whose consented loss she may have taken. */
  victim?: string;
  /** Keeper / ripcord actions that went through: the position before them (KEEP-1). */
  keeperAction?: { before: Awaited<ReturnType<ILeveredVault["position"]>> };
  note: string;
}

type User = HardhatEthersSigner;

async function depositLike(
  ctx: Ctx,
  kind: "deposit" | "mint",
  user: User,
  size: Size,
  bound: "none" | "preview" | "tight",
): Promise<string> {
  const { vault, market } = ctx.w;
  const at = { tag: "pending" };
  await nextBlock();
  const max = await rview(vault, kind === "deposit" ? "maxDeposit" : "maxMint", [user.address], at);
  const amount = sized(size, max);
  if (amount === 0n) return `${kind} skipped (max 0)`;
  const asset = ctx.w.kind.collateral;
  const wallet = await rview(asset, "balanceOf", [user.address]);
  if (kind === "deposit" && amount > wallet) await fundTracked(ctx, user.address, { coll: amount - wallet });
  await nextBlock();
  const preview = await attempt(vault, `preview ${kind}`, () => rview(vault, kind === "deposit" ? "previewDeposit" : "previewMint", [amount], at));
  if (!preview.ok) return `${kind} preview reverted ${preview.error}`;
  const p = preview.value as bigint;
  if (kind === "mint") {
    const need = p - (await rview(asset, "balanceOf", [user.address]));
    if (need > 0n) await fundTracked(ctx, user.address, { coll: need });
    await nextBlock();
  }
  const [shares0, weth0] = [await rview(vault, "balanceOf", [user.address]), await rview(asset, "balanceOf", [user.address])];
  const tight = bound === "tight";
  // "tight": twice the fair shares for a deposit, half the fair assets for a mint: no honest execution meets it.
  const fair = tight ? await rview(vault, kind === "deposit" ? "convertToShares" : "convertToAssets", [amount], at) : 0n;
  // (+ the rounding FAIR-1 allows in shares, offset 6: 1e10 wei = 1e16 shares: dust calls round by a few raw debt units.)
  const limit = kind === "deposit" ? (tight ? 2n * (fair > p ? fair : p) + roundingOf(ctx) * 10n ** 6n : p) : tight ? fair / 2n : p;
  const r = await attempt(vault, kind, () =>
    bound === "none"
      ? rtx(vault, `${kind}(uint256,address)`, [amount, user.address], user.address)
      : rtx(vault, `${kind}(uint256,address,uint256)`, [amount, user.address, limit], user.address),
  );
  const label = `${kind} ${size.kind === "max" ? "max " : ""}${amount} (${bound})`;
  if (!r.ok) {
    // MAX-1: a max* amount is accepted when tried (with no bound, or the preview as the bound).
    if (size.kind === "max" && !tight && !(await knownDefect(ctx, r.error))) violated("MAX-1", `${label} = max${kind}, refused: ${r.error}`);
    if (bound === "preview" && (r.name === "VaultSharesBelowMin" || r.name === "VaultAssetsAboveMax")) {
      violated("PREVIEW-1", `${label}: the preview ${p} as the ERC-5143 bound was refused: ${r.error}`);
    }
    if (tight && r.name !== "VaultSharesBelowMin" && r.name !== "VaultAssetsAboveMax") bump(ctx.stats.reverts, `${kind} (tight): ${r.name}`);
    else bump(ctx.stats.reverts, `${kind}: ${r.name}`);
    return `${label} reverted ${r.error}`;
  }
  bump(ctx.stats.succeeded, kind);
  const [shares1, weth1] = [await rview(vault, "balanceOf", [user.address]), await rview(asset, "balanceOf", [user.address])];
  const minted = shares1 - shares0;
  const paid = weth0 - weth1;
  if (tight) violated("PREVIEW-1", `${label}: an impossible ERC-5143 bound ${limit} was accepted (minted ${minted}, paid ${paid})`);
  if (kind === "deposit" && minted < p) violated("PREVIEW-1", `${label}: minted ${minted} < previewDeposit ${p}`);
  if (kind === "mint" && (paid > p || minted !== amount)) violated("PREVIEW-1", `${label}: paid ${paid} (preview ${p}), minted ${minted}`);
  return `${label} ok (paid ${paid}, minted ${minted})`;
}

async function exitLike(
  ctx: Ctx,
  kind: "redeem" | "withdraw",
  owner: User,
  caller: User,
  size: Size,
  bound: "none" | "preview" | "tight",
): Promise<{ note: string; unwound?: bigint }> {
  const { vault, market } = ctx.w;
  const at = { tag: "pending" };
  await nextBlock();
  const max = await rview(vault, kind === "redeem" ? "maxRedeem" : "maxWithdraw", [owner.address], at);
  const amount = sized(size, max);
  if (amount === 0n) return { note: `${kind} skipped (max 0)` };
  const preview = await attempt(vault, `preview ${kind}`, () => rview(vault, kind === "redeem" ? "previewRedeem" : "previewWithdraw", [amount], at));
  if (!preview.ok) return { note: `${kind} preview reverted ${preview.error}` };
  const p = preview.value as bigint;
  const tight = bound === "tight";
  const fair = tight ? await rview(vault, kind === "redeem" ? "convertToAssets" : "convertToShares", [amount], at) : 0n;
  const limit = kind === "redeem" ? (tight ? 2n * (fair > p ? fair : p) + roundingOf(ctx) : p) : tight ? fair / 2n : p;
  await nextBlock();
  const receiver = caller.address;
  const shares0 = await rview(vault, "balanceOf", [owner.address]);
  const out0 = await rview(ctx.w.kind.collateral, "balanceOf", [receiver]);
  const allowance0 = await rview(vault, "allowance", [owner.address, caller.address]);
  const r = await attempt(vault, kind, () =>
    bound === "none"
      ? rtx(vault, `${kind}(uint256,address,address)`, [amount, receiver, owner.address], caller.address)
      : rtx(vault, `${kind}(uint256,address,address,uint256)`, [amount, receiver, owner.address, limit], caller.address),
  );
  const label = `${kind} ${size.kind === "max" ? "max " : ""}${amount} of ${ctx.model.holderNames.get(owner.address)} by ${caller === owner ? "self" : "dave"} (${bound})`;
  if (!r.ok) {
    // An exit swaps at the pool: with the pool off the oracle by more than half the slippage room it may be refused
    // (the same precondition as EXIT-1; maxWithdraw / maxRedeem do not look at the pool).
    // So may a slice whose swap is larger than the pool absorbs within the slippage (pool depth, the same limit as
    // EXIT-1: it leaves in parts), e.g. its share of millions of USDC donated to a vault that owes nothing.
    const swapRefused = r.name === "SwapSlippageExceeded" || r.name === "SwapInputExceeded";
    const shares = kind === "redeem" ? amount : await rview(vault, "previewWithdraw", [amount]);
    const poolOff = swapRefused && ((await exitPoolOff(ctx)) || (await sliceSwapBase(ctx, shares)) > ctx.w.kind.exitFitsBase);
    if (size.kind === "max" && !tight && !poolOff && !(await knownDefect(ctx, r.error))) violated("MAX-1", `${label} = max${kind}, refused: ${r.error}`);
    if (bound === "preview" && (r.name === "VaultAssetsBelowMin" || r.name === "VaultSharesAboveMax")) {
      violated("PREVIEW-1", `${label}: the preview ${p} as the ERC-5143 bound was refused: ${r.error}`);
    }
    bump(ctx.stats.reverts, `${kind}${tight ? " (tight)" : ""}: ${r.name}`);
    return { note: `${label} reverted ${r.error}` };
  }
  bump(ctx.stats.succeeded, `${kind}${caller === owner ? "" : " by third party"}`);
  const shares1 = await rview(vault, "balanceOf", [owner.address]);
  const out1 = await rview(ctx.w.kind.collateral, "balanceOf", [receiver]);
  const allowance1 = await rview(vault, "allowance", [owner.address, caller.address]);
  const burned = shares0 - shares1;
  const received = out1 - out0;
  if (tight) violated("PREVIEW-1", `${label}: an impossible ERC-5143 bound ${limit} was accepted (burned ${burned}, received ${received})`);
  if (kind === "redeem" && (received < p || burned !== amount)) violated("PREVIEW-1", `${label}: received ${received} < previewRedeem ${p} or burned ${burned}`);
  if (kind === "withdraw" && (received !== amount || burned > p)) violated("PREVIEW-1", `${label}: received ${received}, burned ${burned} > previewWithdraw ${p}`);
  if (caller !== owner && allowance0 - allowance1 !== burned) {
    violated("ALLOW-1", `${label}: allowance spent ${allowance0 - allowance1}, net shares burned ${burned}`);
  }
  return { note: `${label} ok (burned ${burned}, received ${received})`, unwound: kind === "withdraw" ? (p < shares0 ? p : shares0) : undefined };
}

async function keeperCall(ctx: Ctx, blind: boolean): Promise<{ note: string; executed: boolean; before?: RunResult["keeperAction"] }> {
  const { vault, keeper } = ctx.w;
  await nextBlock();
  const at = { tag: "pending" };
  const trig = await attempt(vault, "trigger()", () => rcall(vault, "trigger", [], at));
  const due = trig.ok && (trig.value as Result)[0] === true;
  if (!blind && !due) return { note: `keeper: nothing due${trig.ok ? "" : ` (${trig.error})`}`, executed: false };
  const before = await attempt(vault, "position()", () => rview<Result>(vault, "position", [], at));
  const deviation = await keeperPoolDeviationBps(ctx);
  // Below the floor every action that repays debt runs at the health action's (urgent) bounds; band actions never.
  const dueAction = trig.ok ? Number((trig.value as Result)[1]) : 0;
  if (dueAction !== 1 && dueAction !== 2) {
    const urgent = await attempt(vault, "healthActionBounds()", () => rcall(vault, "healthActionBounds", [], at));
    if (urgent.ok) deviation.max = Math.max(deviation.max, Number((urgent.value as Result)[1]));
  }
  const r = await attempt(vault, "rebalance()", () => rtx(vault, "rebalance", [], keeper.address));
  if (r.ok && trig.ok && Number((trig.value as Result)[1]) !== 8 && deviation.bps > deviation.max) {
    violated("VAULT-DEX-1", `a keeper ${ACTIONS[dueAction]} ran with the pool ${deviation.bps.toFixed(1)} bps off the oracle (bound ${deviation.max} bps)`);
  }
  if (due && !r.ok && !(await knownDefect(ctx, r.error))) violated("TRIGGER-1", `trigger() said action ${(trig.value as Result)[1]} is due; rebalance() in that block reverted ${r.error}`);
  if (!due && r.ok) {
    violated("TRIGGER-1", `trigger() said nothing is due (${trig.ok ? "" : trig.error}); rebalance() in that block succeeded`);
  }
  if (!r.ok) bump(ctx.stats.reverts, `rebalance: ${r.name}`);
  else {
    const action = Number((trig.value as Result)[1]);
    bump(ctx.stats.succeeded, `rebalance ${ACTIONS[action]}`);
    await checkCooldown(ctx, action);
  }
  return {
    note: `keeper${blind ? " (blind)" : ""}: ${r.ok ? `rebalanced ${ACTIONS[Number((trig.value as Result)[1])]}` : `reverted ${r.error}`}`,
    executed: r.ok,
    before: r.ok && before.ok ? { before: before.value as never } : undefined,
  };
}

/** |spot - oracle| of the vault's pool (bps, the oracle in the debt asset) and the configured DEX deviation bound. */
async function keeperPoolDeviationBps(ctx: Ctx): Promise<{ bps: number; max: number }> {
  const { vault, market } = ctx.w;
  const exec = await rview<Result>(vault, "executionConfig");
  const auto = await rview<Result>(vault, "automationConfig");
  const spot = await poolPriceOf(market, poolOfFee(ctx.w.kind, exec[1] as bigint));
  const oracle = await oracleRef(ctx.w);
  return { bps: pairDeviation(ctx.w.kind, spot, oracle) * 10_000, max: Number(auto.maxDexDeviationBps) };
}

/** KEEP-2: a band rebalance (DeleverBand, ReleverBand) never runs within `cooldown` of the previous one. */
async function checkCooldown(ctx: Ctx, action: number) {
  if (action !== 1 && action !== 2) return;
  const now = BigInt(await time.latest());
  const cooldown = (await rview<Result>(ctx.w.vault, "automationConfig")).cooldown as bigint;
  const last = ctx.model.lastBandAt;
  if (last !== undefined && now < last + cooldown) {
    violated("KEEP-2", `${ACTIONS[action]} at ${now}, ${now - last} s after the previous band rebalance (cooldown ${cooldown} s)`);
  }
  ctx.model.lastBandAt = now;
  bump(ctx.stats.checks, "KEEP-2");
}

async function ripcordCall(ctx: Ctx): Promise<{ note: string; executed: boolean; before?: RunResult["keeperAction"] }> {
  const { vault, stranger, market } = ctx.w;
  await nextBlock();
  const before = await attempt(vault, "position()", () => rview<Result>(vault, "position", [], { tag: "pending" }));
  const weth0 = await rview(ctx.w.kind.collateral, "balanceOf", [stranger.address]);
  const r = await attempt(vault, "ripcord()", () => rtx(vault, "ripcord", [], stranger.address));
  if (!r.ok) bump(ctx.stats.reverts, `ripcord: ${r.name}`);
  else {
    bump(ctx.stats.succeeded, "ripcord");
    if (before.ok) await checkRipcordReward(ctx, before.value as Result, (await rview(ctx.w.kind.collateral, "balanceOf", [stranger.address])) - weth0);
  }
  return {
    note: `ripcord: ${r.ok ? "pulled" : `reverted ${r.error}`}`,
    executed: r.ok,
    before: r.ok && before.ok ? { before: before.value as never } : undefined,
  };
}

/**
 * RIPCORD-1: a ripcord's reward is at most ripcordRewardBps of the debt value it repaid and ripcordRewardCap pro rata
 * of a full maxTradeSize chunk: linear in the debt repaid, so slivers never earn more than one call.
 */
async function checkRipcordReward(ctx: Ctx, before: Result, reward: bigint) {
  const { vault } = ctx.w;
  const after = await rview<Result>(vault, "position");
  const repaid = (before.debt as bigint) > (after.debt as bigint) ? (before.debt as bigint) - (after.debt as bigint) : 0n;
  const cfg = await rview<Result>(vault, "automationConfig");
  const k = ctx.w.kind;
  const price = before.price as bigint; // wad debt per collateral (human units)
  // In raw collateral units: the bps of the repaid debt's value, and the cap pro rata of a full chunk.
  const byBps = (repaid * (cfg.ripcordRewardBps as bigint) * WAD * 10n ** BigInt(k.decimals.collateral)) / BPS / price / 10n ** BigInt(k.decimals.debt);
  const byCap = ((cfg.ripcordRewardCap as bigint) * repaid) / (cfg.maxTradeSize as bigint);
  const bound = byBps < byCap ? byBps : byCap;
  // One block of interest between the read and the call, and a few raw units of conversion (1e9 wei for WETH/USDC).
  if (reward > bound + bound / 1000n + k.rounding / 10n + 1n) violated("RIPCORD-1", `ripcord paid ${reward} raw collateral for ${repaid} raw debt repaid (bound ${bound})`);
  bump(ctx.stats.checks, "RIPCORD-1");
}

/**
 * Aave governance sets a cap and a whale (the stranger) fills the supply cap's room (CAP-1): a supply cap on the
 * collateral, a borrow cap on the debt asset, room in WETH-equivalents ($2,000 each at the start prices). Skipped on
 * Morpho Blue, whose markets have no supply or borrow caps (a Morpho vault reads none: nothing to fill).
 */
async function capsCall(ctx: Ctx, c: Extract<Command, { op: "caps" }>): Promise<string> {
  const { market, stranger } = ctx.w;
  const k = ctx.w.kind;
  if (k.venue !== "aave") return `caps: skipped on ${k.venue} (no supply or borrow caps)`;
  const configurator = market.configurator.connect(ctx.w.owner);
  const [collUnit, debtUnit] = [10n ** BigInt(k.decimals.collateral), 10n ** BigInt(k.decimals.debt)];
  // Room of `roomWeth` WETH-equivalents in whole tokens of a leg (at least 1 when asked for any).
  const room = (usdE8: bigint) => (c.roomWeth === 0 ? 0n : (BigInt(c.roomWeth) * 2000n * 10n ** 8n) / usdE8 || 1n);
  if (c.kind === "lift") {
    await send(configurator.getFunction("setSupplyCap")(k.collateral.target, 0));
    await send(configurator.getFunction("setBorrowCap")(k.debt.target, 0));
    return "caps lifted";
  }
  if (c.kind === "borrowCap") {
    const debtToken = (await market.pool.getReserveData(k.debt.target)).variableDebtTokenAddress;
    const borrowed = await rview(k.debt.attach(debtToken) as never, "totalSupply");
    const cap = borrowed / debtUnit + 1n + room(k.startUsd.debt);
    await send(configurator.getFunction("setBorrowCap")(k.debt.target, cap));
    return `debt borrow cap ${cap} (~${c.roomWeth} WETH-equivalents of room)`;
  }
  const aToken = (await market.pool.getReserveData(k.collateral.target)).aTokenAddress;
  const supplied = await rview(k.collateral.attach(aToken) as never, "totalSupply");
  const roomC = room(k.startUsd.collateral);
  const cap = supplied / collUnit + 2n + roomC;
  await send(configurator.getFunction("setSupplyCap")(k.collateral.target, cap));
  const fill = cap * collUnit - supplied - roomC * collUnit;
  await fundTracked(ctx, stranger.address, { coll: fill });
  const r = await attempt(ctx.w.vault, "supply", () => send(market.pool.connect(stranger).supply(k.collateral.target, fill, stranger.address, 0)));
  return `collateral supply cap ${cap}, filled to ${roomC} whole tokens of room: ${r.ok ? "ok" : r.error}`;
}

/** Collateral Mallory keeps out of her pool pushes (her own deposit in the bundle needs it). */
let malloryReserve = 0n;

/** Mallory swaps the kind's main pool to reference price `price` (as much of her stock as it takes). */
async function mallorySwapTo(ctx: Ctx, price: bigint): Promise<string> {
  const { market } = ctx.w;
  const k = ctx.w.kind;
  const m = ctx.w.mallory;
  const pool = k.pools[k.mainFee];
  const pair = poolPair(market, pool);
  // Direction from the pool as the pending block leaves it (the victim's trade may have carried it past the target).
  const slot0 = await rcall(pool, "slot0", [], { tag: "pending" });
  const target = priceToSqrtX96(price, pair);
  const baseIn = (target < (slot0[0] as bigint)) === pair.baseIsToken0;
  const [tokenIn, tokenOut] = baseIn ? [pair.base, pair.quote] : [pair.quote, pair.base];
  const params = {
    tokenIn: tokenIn.target, tokenOut: tokenOut.target, fee: k.mainFee, recipient: m.address, deadline: MaxUint256,
    amountIn: (await rview(tokenIn, "balanceOf", [m.address])) - (tokenIn.target === k.collateral.target ? malloryReserve : 0n), amountOutMinimum: 0n,
    sqrtPriceLimitX96: target,
  };
  return rtx(market.swapRouter, "exactInputSingle", [params], m.address);
}

/** Mallory's stock of each leg back to $8M (4,000 WETH and 8M USDC at $2,000), booked as outside money. */
async function topUpMallory(ctx: Ctx) {
  const { mallory } = ctx.w;
  const k = ctx.w.kind;
  const stock = malloryStock(k);
  const [mc, md] = [await rview(k.collateral, "balanceOf", [mallory.address]), await rview(k.debt, "balanceOf", [mallory.address])];
  const topUp = { coll: mc < stock.collateral ? stock.collateral - mc : 0n, debt: md < stock.debt ? stock.debt - md : 0n };
  if (topUp.coll + topUp.debt > 0n) await fundTracked(ctx, mallory.address, topUp);
}

async function sandwich(ctx: Ctx, c: Extract<Command, { op: "sandwich" }>): Promise<RunResult> {
  const { w } = ctx;
  const { vault, market, mallory } = w;
  const self = c.victim === "selfDeposit" || c.victim === "selfRedeem";
  const victim = self ? mallory : c.victim === "keeper" ? w.keeper : c.victim === "ripcord" ? w.stranger : w.depositors[c.who];
  const k = w.kind;
  const start = await poolPriceOf(market, k.pools[k.mainFee]);
  const pushed = (start * BigInt(10_000 + c.pushBps)) / 10_000n;
  // Keep Mallory's and the victims' wallets topped up outside the measured bundle.
  await topUpMallory(ctx);
  // Amounts decided on the state before the bundle (as a victim signs them).
  let fn: string;
  let args: unknown[];
  let unwound: Map<string, bigint> | undefined;
  if (c.victim === "deposit" || c.victim === "selfDeposit" || c.victim === "mint") {
    const mint = c.victim === "mint";
    const max = await rview(vault, mint ? "maxMint" : "maxDeposit", [victim.address]);
    const amount = sized(c.size, max) || 1n;
    const preview = mint ? await attempt(vault, "previewMint", () => rview(vault, "previewMint", [amount])) : { ok: true, value: amount };
    const need = ((preview.ok ? (preview.value as bigint) : amount) * 11n) / 10n + 1n;
    const wallet = await rview(k.collateral, "balanceOf", [victim.address]);
    if (victim === mallory) {
      await fundTracked(ctx, victim.address, { coll: need });
      malloryReserve = need;
    } else if (need > wallet) await fundTracked(ctx, victim.address, { coll: need - wallet });
    [fn, args] = [mint ? "mint(uint256,address)" : "deposit(uint256,address)", [amount, victim.address]];
  } else if (c.victim === "redeem" || c.victim === "selfRedeem") {
    const amount = sized(c.size, await rview(vault, "balanceOf", [victim.address])) || 1n;
    [fn, args] = ["redeem(uint256,address,address)", [amount, victim.address, victim.address]];
  } else if (c.victim === "withdraw") {
    const amount = sized(c.size, await rview(vault, "maxWithdraw", [victim.address])) || 1n;
    [fn, args] = ["withdraw(uint256,address,address)", [amount, victim.address, victim.address]];
    const preview = await attempt(vault, "previewWithdraw", () => rview(vault, "previewWithdraw", [amount]));
    const balance = await rview(vault, "balanceOf", [victim.address]);
    if (preview.ok) unwound = new Map([[victim.address, (preview.value as bigint) < balance ? (preview.value as bigint) : balance]]);
  } else {
    [fn, args] = [c.victim === "keeper" ? "rebalance" : "ripcord", []];
  }
  const call = {
    send: () => rtx(vault, fn, args, victim.address),
    sim: () => rcall(vault, fn, args, { from: victim.address, tag: "pending" }),
  };
  const before = await attempt(vault, "position()", () => rview<Result>(vault, "position"));

  const blockTime = (await time.latest()) + 1;
  await network.provider.send("evm_setAutomine", [false]);
  let hashes: string[] = [];
  let simulated: Outcome = { ok: true };
  try {
    await time.setNextBlockTimestamp(blockTime);
    const front = await mallorySwapTo(ctx, pushed);
    // What the victim's call does after the push, in this block (decoded: ERR-1 holds inside bundles too).
    simulated = await attempt(vault, `sandwiched ${c.victim}`, call.sim);
    hashes = [front];
    if (simulated.ok) hashes.push(await call.send());
    const back = await mallorySwapTo(ctx, start);
    hashes.push(back);
    await network.provider.send("evm_mine", []);
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
  }
  malloryReserve = 0n;
  const receipts = await Promise.all(hashes.map((h) => ethers.provider.getTransactionReceipt(h)));
  const victimOk = simulated.ok && receipts.length === 3 && receipts[1]?.status === 1;
  if (simulated.ok && !victimOk) violated("ERR-1", `sandwiched ${c.victim}: simulated in the block as succeeding, but reverted when mined`);
  if (!victimOk) bump(ctx.stats.reverts, `sandwiched ${c.victim}: ${simulated.name}`);
  else bump(ctx.stats.succeeded, `sandwiched ${c.victim}`);
  if (victimOk && c.victim === "keeper") await checkCooldown(ctx, Number((simulated.value as Result)[0]));
  const keeperLike = c.victim === "keeper" || c.victim === "ripcord";
  return {
    initiators: [mallory.address, victim.address],
    victim: self ? undefined : victim.address,
    bystandersProtected: !(keeperLike && victimOk),
    keeperAction: keeperLike && victimOk && before.ok ? { before: before.value as never } : undefined,
    allowance: c.victim === "ripcord" ? new Map([[victim.address, rewardAllowance(k)]]) : undefined,
    unwound,
    note: `sandwich ${c.pushBps} bps around ${c.victim}${self ? "" : ` of ${ctx.model.holderNames.get(victim.address) ?? "?"}`}: ${
      victimOk ? "went through" : `refused${simulated.ok ? " (in block)" : ` ${simulated.error}`}`
    }`,
  };
}

// ---------------------------------------------------------------- management (ROLE-1)

const pickOf = <T>(pick: number[], i: number, xs: readonly T[]) => xs[pick[i] % xs.length];

/**
 * ROLE-2's rule as issue 16 states it, written independently of ImmediateChanges.sol: what may apply at once. Leverage:
 * target and band not raised, the HF floor unchanged. Execution: slippage and fee unchanged (the deposit cap alone).
 * Automation: a longer cooldown alone. Exits: stops raised or added, trails narrowed or added, take-profits lowered or
 * added, less take-profit leverage, the same stop-to-debt-asset flag.
 */
function appliesAtOnce(kind: Kind, next: Record<string, bigint | boolean>, cur: Record<string, bigint | boolean>): boolean {
  const n = next as Record<string, bigint>;
  const c = cur as Record<string, bigint>;
  if (kind === 0) {
    return n.targetLeverage <= c.targetLeverage && n.minLeverage <= c.minLeverage && n.maxLeverage <= c.maxLeverage && n.minHealthFactor === c.minHealthFactor;
  }
  if (kind === 1) return n.maxSlippageBps === c.maxSlippageBps && n.swapFee === c.swapFee;
  if (kind === 2) {
    const same = ["criticalHealthFactor", "maxDexDeviationBps", "maxEquityLossBps", "ripcordRewardBps", "maxTradeSize", "ripcordRewardCap"];
    return n.cooldown >= c.cooldown && same.every((f) => n[f] === c[f]);
  }
  const trail = c.trailBps === 0n || (n.trailBps !== 0n && n.trailBps <= c.trailBps);
  const tp = n.takeProfitPrice === c.takeProfitPrice || (n.takeProfitPrice !== 0n && (c.takeProfitPrice === 0n || n.takeProfitPrice < c.takeProfitPrice));
  return n.stopLossPrice >= c.stopLossPrice && trail && tp && n.takeProfitLeverage <= c.takeProfitLeverage && next.stopToDebtAsset === cur.stopToDebtAsset;
}

/** What an immediate change must not take away (ROLE-2): the bounds actions trade at, the backstop, a 10 % exit. */
interface Effects {
  bounds?: [bigint, bigint];
  delevers: boolean;
  exits: boolean;
}

async function effects(ctx: Ctx): Promise<Effects> {
  const { vault, keeper, stranger, alice, bob } = ctx.w;
  const at = { tag: "pending" };
  await nextBlock();
  const b = await attempt(vault, "healthActionBounds()", () => rcall(vault, "healthActionBounds", [], at));
  const reb = await attempt(vault, "rebalance() (static)", () => rcall(vault, "rebalance", [], { from: keeper.address, ...at }));
  const rip = await attempt(vault, "ripcord() (static)", () => rcall(vault, "ripcord", [], { from: stranger.address, ...at }));
  const holder = (await rview(vault, "balanceOf", [alice.address])) > 0n ? alice : bob;
  const shares = (await rview(vault, "balanceOf", [holder.address])) / 10n;
  const exit = shares === 0n ? { ok: false } : await attempt(vault, "10% redeem", () =>
    rcall(vault, "redeem(uint256,address,address)", [shares, holder.address, holder.address], { from: holder.address, ...at }));
  // (b) is a promise about a position at or below the floor; above it nothing needs to delever.
  const pos = await attempt(vault, "position()", () => rview<Result>(vault, "position", [], at));
  const floor = (await rview<Result>(vault, "leverageConfig")).minHealthFactor as bigint;
  const underFloor = pos.ok && ((pos.value as Result).healthFactor as bigint) <= floor;
  return {
    bounds: b.ok ? [(b.value as Result)[0] as bigint, (b.value as Result)[1] as bigint] : undefined,
    delevers: !underFloor || reb.ok || rip.ok,
    exits: exit.ok,
  };
}

async function manage(ctx: Ctx, c: Extract<Command, { op: "manage" }>): Promise<string> {
  const { w, model } = ctx;
  const { vault, manager, owner, guardian } = w;
  const p = c.pick;
  const m = vault.connect(manager);
  if (c.kind === "stop" || c.kind === "pause") {
    const who = p[0] % 2 === 0 ? guardian : manager;
    const r = await attempt(vault, c.kind, () =>
      send(c.kind === "stop" ? vault.connect(who).stop() : vault.connect(who).setDepositsPaused(p[1] % 3 !== 0 || who === guardian)),
    );
    return `${c.kind} by ${who === guardian ? "guardian" : "manager"}: ${r.ok ? "ok" : r.error}`;
  }
  if (c.kind === "rearm") {
    const mode = (await rview<Result>(vault, "automationState")).mode as bigint;
    const r = await attempt(vault, "rearm", () => send(m.rearm()));
    if (r.ok && mode === 0n) violated("ROLE-2", "a re-arm was submitted while the vault is active");
    if (r.ok) {
      const [, validAt] = await vault.pendingChange(5);
      model.pending.set(5, { data: "0x", validAt });
      checkValidAt(ctx, 5, validAt, await time.latest());
    }
    return `rearm submitted: ${r.ok ? "ok" : r.error}`;
  }
  if (c.kind === "timelock") {
    const seconds = BigInt(pickOf(p, 0, [DAY / 2n, DAY, 2n * DAY, 3n * DAY, 7n * DAY, 14n * DAY, 15n * DAY]));
    const before = model.configs.timelock;
    const r = await attempt(vault, "setTimelock", () => send(vault.connect(owner).setTimelock(seconds)));
    if (!r.ok) return `setTimelock(${seconds}) reverted ${r.error}`;
    if (seconds >= before) {
      model.configs.timelock = seconds;
      model.pending.delete(4);
    } else {
      const [data, validAt] = await vault.pendingChange(4);
      checkValidAt(ctx, 4, validAt, await time.latest());
      model.pending.set(4, { data, validAt });
    }
    return `setTimelock(${seconds}) ok`;
  }
  const kind = ({ leverage: 0, execution: 1, automation: 2, exit: 3 } as const)[c.kind];
  let next: Record<string, bigint | boolean>;
  let cur: Record<string, bigint | boolean>;
  let sendIt: () => Promise<unknown>;
  let enc: string;
  // The choices relative to the kind's preset (3x WETH/USDC: targets 2.5-3.5x, floors 1.1-1.2, stops $0-1,990, ...).
  const k = w.kind;
  const s = k.settings;
  const wadOf = (x: number) => unitsOf(x, 18);
  const collOf = (x: number) => unitsOf(x, k.decimals.collateral);
  const debtOf = (x: number) => unitsOf(x, k.decimals.debt);
  const T = s.targetLeverage;
  const pairAt = (m: number) => (m === 0 ? 0n : (k.startPair * BigInt(Math.round((1 + (m - 1) * k.scale) * 1e9))) / 1_000_000_000n);
  if (kind === 0) {
    cur = plain(await vault.leverageConfig()) as never;
    const target = (T * pickOf(p, 0, [2.5, 2.8, 3, 3, 3.2, 3.5])) / 3;
    const band = (T - 1) / 2;
    next = {
      targetLeverage: wadOf(target), minLeverage: wadOf(Math.max(1, target - band * pickOf(p, 1, [0.2, 0.3, 0.4]))),
      maxLeverage: wadOf(target + band * pickOf(p, 2, [0.2, 0.3, 0.4])),
      minHealthFactor: wadOf(s.minHealthFactor + pickOf(p, 3, [-0.05, -0.03, 0, 0, 0.03, 0.05])),
    };
    enc = encLeverage(next as never);
    sendIt = () => send(m.setLeverageConfig(next as never));
  } else if (kind === 1) {
    cur = plain(await vault.executionConfig()) as never;
    next = {
      maxSlippageBps: BigInt(pickOf(p, 0, [6, 60, 80, 100, 100, 120, 140])), swapFee: BigInt(pickOf(p, 1, k.fees)),
      depositCap: collOf((s.depositCap * pickOf(p, 2, [300, 1000, 10_000])) / 10_000),
    };
    enc = encExecution(next as never);
    sendIt = () => send(m.setExecutionConfig(next as never));
  } else if (kind === 2) {
    cur = plain(await vault.automationConfig()) as never;
    next = {
      criticalHealthFactor: wadOf(s.criticalHealthFactor + pickOf(p, 0, [-0.03, 0, 0, 0.02, 0.07])),
      maxDexDeviationBps: BigInt(pickOf(p, 1, [1, 50, 100, 100, 150, 200])),
      maxEquityLossBps: BigInt(pickOf(p, 2, [120, 150, 150, 200, 500])), cooldown: BigInt(pickOf(p, 3, [0, 600, 3600, 3600, 7200])),
      ripcordRewardBps: BigInt(pickOf(p, 4, [0, 10, 10, 50, 100])),
      maxTradeSize: pickOf(p, 5, [101n, debtOf(s.maxTradeSize * 0.5), debtOf(s.maxTradeSize), debtOf(s.maxTradeSize), debtOf(s.maxTradeSize * 2.5)]),
      ripcordRewardCap: collOf(s.ripcordRewardCap * pickOf(p, 6, [0.5, 1, 1, 2])),
    };
    enc = encAutomation(next as never);
    sendIt = () => send(m.setAutomationConfig(next as never));
  } else {
    cur = plain(await vault.exitConfig()) as never;
    next = {
      stopLossPrice: pairAt(pickOf(p, 0, [0, 0.7, 0.75, 0.75, 0.8, 0.995])), takeProfitPrice: pairAt(pickOf(p, 1, [0, 1.005, 1.3, 1.4, 1.4, 1.5])),
      takeProfitLeverage: wadOf(1 + (T - 1) * pickOf(p, 2, [0, 0.25, 0.5, 0.5])),
      trailBps: BigInt(pickOf(p, 3, [0, 1, 1000, 1500, 1500, 2000].map((b) => (b <= 1 ? b : Math.round(b * k.scale))))),
      stopToDebtAsset: pickOf(p, 4, [false, false, false, true]),
    };
    enc = encExit(next as never);
    sendIt = () => send(m.setExitConfig(next as never));
  }
  const fresh = await oracleFresh(w);
  const effectsBefore = fresh ? await effects(ctx) : undefined;
  const r = await attempt(vault, `set ${KIND_NAMES[kind]}`, sendIt);
  if (!r.ok) return `set ${KIND_NAMES[kind]} reverted ${r.error}`;
  const [pendingData, validAt] = await vault.pendingChange(kind);
  const applied = validAt === 0n;
  if (applied) {
    // ROLE-2: applied at once only by the rule; anything else must wait out the timelock.
    const shown = JSON.stringify(next, (_, x) => (typeof x === "bigint" ? String(x) : x));
    if (!appliesAtOnce(kind, next, cur)) violated("ROLE-2", `a ${KIND_NAMES[kind]} change applied at once: ${shown}`);
    // ROLE-2 by effect: no wider bounds, the backstop and a 10 % exit kept where they worked before the change.
    if (effectsBefore) {
      const after = await effects(ctx);
      const [b0, b1] = [effectsBefore.bounds, after.bounds];
      if (b0 && b1 && (b1[0] > b0[0] || b1[1] > b0[1])) violated("ROLE-2", `${KIND_NAMES[kind]} change at once widened the bounds ${b0} -> ${b1}: ${shown}`);
      if (effectsBefore.delevers && !after.delevers) violated("ROLE-2", `${KIND_NAMES[kind]} change at once stopped the keeper and the ripcord: ${shown}`);
      if (effectsBefore.exits && !after.exits) violated("ROLE-2", `${KIND_NAMES[kind]} change at once froze a 10 % exit: ${shown}`);
      bump(ctx.stats.checks, "ROLE-2");
    }
    const field = (["leverage", "execution", "automation", "exits"] as const)[kind as 0 | 1 | 2 | 3];
    model.configs[field] = enc;
    model.pending.delete(kind);
    return `set ${KIND_NAMES[kind]} applied at once`;
  }
  if (pendingData !== enc) violated("ROLE-1", `pending ${KIND_NAMES[kind]} data differs from what was submitted`);
  checkValidAt(ctx, kind, validAt, await time.latest());
  model.pending.set(kind, { data: pendingData, validAt });
  if (kind === 1) {
    // A deposit-cap change applies at once even when the rest is pending: not tracked by the model's bytes.
  }
  return `set ${KIND_NAMES[kind]} pending until ${validAt}`;
}

function checkValidAt(ctx: Ctx, kind: Kind, validAt: bigint, now: number) {
  // The timelock in force when submitted, never less than the 1-day minimum.
  const expected = BigInt(now) + ctx.model.configs.timelock;
  if (validAt < expected || ctx.model.configs.timelock < DAY) {
    violated("ROLE-1", `${KIND_NAMES[kind]} change valid at ${validAt}, before submission + timelock ${expected}`);
  }
}

async function accept(ctx: Ctx, drawn: Kind): Promise<string> {
  const { w, model } = ctx;
  // Mostly a kind that is pending (early, in its window or late): that is where the timelock can be got wrong.
  const pendingKinds = [...model.pending.keys()];
  const kind = pendingKinds.length > 0 && drawn !== 5 ? pendingKinds[drawn % pendingKinds.length] : drawn;
  const pending = model.pending.get(kind);
  await time.setNextBlockTimestamp((await time.latest()) + 1);
  const now = BigInt(await time.latest()) + 1n;
  const r = await attempt(w.vault, "acceptChange", () => send(w.vault.connect(w.stranger).acceptChange(kind)));
  const inWindow = pending !== undefined && now >= pending.validAt && now <= pending.validAt + PENDING_VALIDITY;
  if (r.ok && !inWindow) violated("ROLE-1", `acceptChange(${KIND_NAMES[kind]}) succeeded at ${now} outside its window (${pending?.validAt ?? "none pending"})`);
  if (!r.ok) {
    if (inWindow && r.name !== "VaultInvalidLeverageConfig" && r.name !== "KeeperInvalidAutomationConfig" && r.name !== "VaultNotStopped" &&
      r.name !== "KeeperInvalidExitConfig" && r.name !== "VaultInvalidExecutionConfig" && !r.name?.startsWith("Oracle")) {
      violated("ROLE-1", `acceptChange(${KIND_NAMES[kind]}) in its window refused: ${r.error}`);
    }
    if (r.name === "VaultPendingChangeExpired") model.pending.delete(kind);
    return `accept ${KIND_NAMES[kind]}: ${r.error}`;
  }
  model.pending.delete(kind);
  if (kind === 4) model.configs.timelock = coder.decode(["uint256"], pending!.data)[0] as bigint;
  else if (kind < 4) {
    const field = (["leverage", "execution", "automation", "exits"] as const)[kind as 0 | 1 | 2 | 3];
    model.configs[field] = pending!.data;
  }
  return `accept ${KIND_NAMES[kind]}: applied`;
}

async function revoke(ctx: Ctx, kind: Kind): Promise<string> {
  const { w, model } = ctx;
  const r = await attempt(w.vault, "revokeChange", () => send(w.vault.connect(w.guardian).revokeChange(kind)));
  if (r.ok) model.pending.delete(kind);
  return `revoke ${KIND_NAMES[kind]}: ${r.ok ? "ok" : r.error}`;
}

// ---------------------------------------------------------------- refinancing (REFI-1)

const VENUE_KIND = 11; // IVaultManagement.ChangeKind.Venue
/** What a refused move may say (IVaultRefinance; the oracle's own errors on a price read). */
const REFINANCE_REFUSALS = ["VaultRefinanceDestinationShort", "VaultRefinanceUnhealthy", "VaultRefinanceLoss", "VaultInvalidVenue"];

/** Everything a move must keep (REFI-1), read for one block (`tag`: the pending block before, latest after). */
async function refinanceState(ctx: Ctx, tag: string) {
  const { w } = ctx;
  const { vault } = w;
  const k = w.kind;
  const at = { tag };
  const holders = [...ctx.model.holderNames.keys()];
  const shares: bigint[] = [];
  for (const h of holders) shares.push(await rview(vault, "balanceOf", [h], at));
  const fresh = await attempt(vault, "totalAssets", () => rview(vault, "totalAssets", [], at));
  const pos = await attempt(vault, "position()", () => rview<Result>(vault, "position", [], at));
  return {
    implementation: ((await rview<string>(vault, "venueImplementation", [], at)) as string).toLowerCase(),
    shares,
    totalSupply: await rview(vault, "totalSupply", [], at),
    totalAssets: fresh.ok ? (fresh.value as bigint) : undefined,
    healthFactor: pos.ok ? ((pos.value as Result).healthFactor as bigint) : undefined,
    idle: { coll: await rview(k.collateral, "balanceOf", [addr(vault)], at), debt: await rview(k.debt, "balanceOf", [addr(vault)], at) },
  };
}

/**
 * The refinance command (commands.ts refinanceCmd): the owner proposes the other venue, the timelock passes (every feed
 * of the pair re-stamped, as the time command does), a stranger accepts. REFI-1: a refusal is one of the refinance's
 * named errors (or the oracle's) and changes nothing (implementation, shares, totalAssets, both venues' balances, idle
 * balances); a move changes no holder's shares nor totalSupply, keeps totalAssets within the move's rounding (the
 * before state is read for the move's own block: no interest in between), leaves nothing on the source venue, puts the
 * same collateral and debt on the destination (within the two token units the contract allows, and Morpho's share
 * rounding), keeps the idle balances idle and leaves the health factor at or above the floor or not below what it was.
 */
async function refinance(ctx: Ctx, c: Extract<Command, { op: "refinance" }>): Promise<string> {
  const { w, stats } = ctx;
  const { vault, owner, stranger } = w;
  const k = w.kind;
  if (!k.venues) return "refinance: the vault is not refinanceable (skipped)";
  const from = await currentVenue(w);
  const to: Venue = from === "aave" ? "morpho" : "aave";
  const target = k.venues[to].implementation;
  const proposed = await attempt(vault, "proposeVenue", () => send(vault.connect(owner).proposeVenue(target)));
  if (!proposed.ok) {
    bump(stats.reverts, `proposeVenue: ${proposed.name}`);
    violated("REFI-1", `the owner's proposeVenue(${to}) was refused: ${proposed.error}`);
  }
  const [, validAt] = await vault.pendingChange(VENUE_KIND);
  const proposedAt = BigInt(await time.latest());
  // ROLE-1 for the move: always timelocked (never at once), valid after the timelock in force.
  if (validAt < proposedAt + ctx.model.configs.timelock) violated("ROLE-1", `a venue move proposed at ${proposedAt} is valid at ${validAt}, before the timelock`);
  if (c.early) {
    await nextBlock();
    const early = await attempt(vault, "acceptChange(Venue) early", () => rcall(vault, "acceptChange", [VENUE_KIND], { from: stranger.address, tag: "pending" }));
    if (early.ok || early.name !== "VaultTimelockNotElapsed") violated("ROLE-1", `accepting the venue move before its timelock: ${early.ok ? "went through" : early.error}`);
  }
  const now = BigInt(await time.latest());
  if (validAt + BigInt(c.extraSeconds) > now) await time.increaseTo(validAt + BigInt(c.extraSeconds));
  await refreshBoth(ctx);

  // The state for the move's own block (its timestamp fixed: nothing accrues between the reads and the move).
  await nextBlock();
  const before = await refinanceState(ctx, "pending");
  const source = await venueBalancesAt(ctx, from, "pending");
  const dest = await venueBalancesAt(ctx, to, "pending");
  const floor = (await rview<Result>(vault, "leverageConfig")).minHealthFactor as bigint;
  const moveAt = (await time.latest()) + 1;
  const r = await attempt(vault, "acceptChange(Venue)", () => rtx(vault, "acceptChange", [VENUE_KIND], stranger.address));
  // (A refused call that mined no block: the state is read for the same pending block as before.)
  const tag = (await time.latest()) >= moveAt ? "latest" : "pending";
  const after = await refinanceState(ctx, tag);
  const sourceAfter = await venueBalancesAt(ctx, from, tag);
  const destAfter = await venueBalancesAt(ctx, to, tag);
  const sameShares = after.shares.every((s, i) => s === before.shares[i]) && after.totalSupply === before.totalSupply;
  const label = `refinance ${from} -> ${to}`;
  if (!r.ok) {
    bump(stats.reverts, `refinance: ${r.name}`);
    if (!REFINANCE_REFUSALS.includes(r.name ?? "") && !r.name?.startsWith("Oracle")) {
      violated("REFI-1", `${label} refused with an error the refinance does not document: ${r.error}`);
    }
    const unchanged = after.implementation === before.implementation && sameShares && after.totalAssets === before.totalAssets &&
      after.idle.coll === before.idle.coll && after.idle.debt === before.idle.debt &&
      sourceAfter.collateral === source.collateral && sourceAfter.debt === source.debt &&
      destAfter.collateral === dest.collateral && destAfter.debt === dest.debt;
    if (!unchanged) {
      violated("REFI-1", `${label} refused (${r.error}) but changed the vault: ${show({ before, after, source, sourceAfter, dest, destAfter })}`);
    }
    bump(stats.checks, "REFI-1");
    return `${label} refused: ${r.error}`;
  }
  bump(stats.succeeded, `refinance ${from} -> ${to}`);
  await syncVenue(w);
  if (after.implementation !== target.toLowerCase() || k.venue !== to) violated("REFI-1", `${label} went through but the vault runs ${after.implementation}`);
  if (!sameShares) violated("REFI-1", `${label} changed share balances: ${before.shares} (supply ${before.totalSupply}) -> ${after.shares} (supply ${after.totalSupply})`);
  // The contract allows two token units on each leg; Morpho's borrow shares round the debt up by one more.
  const units = 3n;
  const tolerance = units + debtToCollateralAtStart(k, units) + k.rounding;
  if (before.totalAssets !== undefined) {
    if (after.totalAssets === undefined) violated("REFI-1", `${label}: totalAssets reverts after the move`);
    const diff = after.totalAssets > before.totalAssets ? after.totalAssets - before.totalAssets : before.totalAssets - after.totalAssets;
    if (diff > tolerance) violated("REFI-1", `${label}: totalAssets ${before.totalAssets} -> ${after.totalAssets} (allowed ${tolerance} raw collateral)`);
  }
  if (sourceAfter.collateral !== 0n || sourceAfter.debt !== 0n) {
    violated("REFI-1", `${label} left collateral ${sourceAfter.collateral} and debt ${sourceAfter.debt} (raw) on ${from}`);
  }
  const near = (a: bigint, b: bigint) => (a > b ? a - b : b - a) <= units;
  if (!near(destAfter.collateral - dest.collateral, source.collateral) || !near(destAfter.debt - dest.debt, source.debt)) {
    violated("REFI-1", `${label}: ${source.collateral} collateral and ${source.debt} debt (raw) on ${from} became ${destAfter.collateral - dest.collateral} and ${destAfter.debt - dest.debt} on ${to}`);
  }
  if (after.idle.coll !== before.idle.coll || after.idle.debt !== before.idle.debt) {
    violated("REFI-1", `${label} moved idle balances: ${before.idle.coll}/${before.idle.debt} -> ${after.idle.coll}/${after.idle.debt}`);
  }
  if (before.healthFactor !== undefined && after.healthFactor !== undefined && after.healthFactor < floor && after.healthFactor < before.healthFactor) {
    violated("REFI-1", `${label}: health factor ${before.healthFactor} -> ${after.healthFactor}, under the floor ${floor}`);
  }
  bump(stats.checks, "REFI-1");
  return `${label}: moved ${source.collateral} collateral, ${source.debt} debt (raw); HF ${fmtWad(before.healthFactor)} -> ${fmtWad(after.healthFactor)}`;
}

const fmtWad = (x: bigint | undefined) => (x === undefined ? "?" : x === MaxUint256 ? "max" : (Number(x) / 1e18).toFixed(4));
const show = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === "bigint" ? String(v) : v));
/** Raw debt units -> raw collateral units at the kind's start prices. */
const debtToCollateralAtStart = (k: KindSpec, debt: bigint) => debtToCollateral(k, debt, k.startUsd.collateral, k.startUsd.debt) + 1n;

/** venueBalances of `venue` for the block `tag` (the pending one: its timestamp is fixed by nextBlock). */
async function venueBalancesAt(ctx: Ctx, venue: Venue, tag: string): Promise<{ collateral: bigint; debt: bigint }> {
  const { w } = ctx;
  const vault = addr(w.vault);
  if (venue === "aave") {
    return {
      collateral: await rview(w.aCollateral, "balanceOf", [vault], { tag }),
      debt: await rview(w.variableDebt, "balanceOf", [vault], { tag }),
    };
  }
  // Morpho: the position at that block, with the interest accrued to its timestamp (world.ts venueBalances' maths).
  if (tag === "latest") {
    const b = await venueBalances(w, "morpho");
    return { collateral: b.collateral, debt: b.debt };
  }
  const blue = w.kind.blue!.morpho;
  const id = w.kind.morpho!.id;
  const p = await rcall(blue, "position", [id, vault], { tag });
  const m = await rcall(blue, "market", [id], { tag });
  const ts = BigInt(await time.latest()) + 1n; // nextBlock() fixed the pending block's timestamp
  let totalBorrowAssets = m.totalBorrowAssets as bigint;
  const elapsed = ts - (m.lastUpdate as bigint);
  if (elapsed > 0n && totalBorrowAssets > 0n && (m.totalSupplyAssets as bigint) > 0n) {
    const rate = (totalBorrowAssets * WAD) / (m.totalSupplyAssets as bigint) / (365n * 86_400n);
    const first = rate * elapsed;
    const second = (first * first) / (2n * WAD);
    const third = (second * first) / (3n * WAD);
    totalBorrowAssets += (totalBorrowAssets * (first + second + third)) / WAD;
  }
  const shares = p.borrowShares as bigint;
  const num = shares * (totalBorrowAssets + 1n);
  const den = (m.totalBorrowShares as bigint) + 10n ** 6n;
  return { collateral: p.collateral as bigint, debt: (num + den - 1n) / den };
}

// ---------------------------------------------------------------- prices and time

/** Re-stamps the pair's feeds (ETH/USD and USDC/USD for WETH/USDC). */
async function refreshBoth(ctx: Ctx) {
  for (const feed of ctx.w.kind.feeds) await (await feed.setAnswer(await feed.latestAnswer())).wait();
}

const clampPrice = (k: KindSpec, x: bigint) => {
  const { min, max } = priceRange(k);
  return x < min ? min : x > max ? max : x;
};
/** The reference price at which the vault's pair price is `num / den` x what it is at reference price `ref`. */
const refAtPairMultiple = (k: KindSpec, ref: bigint, num: bigint, den: bigint) => (k.direction === 1 ? (ref * num) / den : (ref * den) / num);

async function runOne(ctx: Ctx, c: Command): Promise<RunResult> {
  const { w } = ctx;
  const { vault, market } = w;
  const k = w.kind;
  const plainResult = (note: string, initiators: string[] = [], bystandersProtected = true): RunResult => ({ initiators, bystandersProtected, note });
  switch (c.op) {
    case "deposit":
    case "mint": {
      const user = w.depositors[c.who];
      return plainResult(await depositLike(ctx, c.op, user, c.size, c.bound), [user.address]);
    }
    case "redeem":
    case "withdraw": {
      const owner = w.depositors[c.who];
      const caller = c.via === "dave" ? w.dave : owner;
      const { note, unwound } = await exitLike(ctx, c.op, owner, caller, c.size, c.bound);
      return {
        initiators: [owner.address],
        bystandersProtected: true,
        note,
        unwound: unwound === undefined ? undefined : new Map([[owner.address, unwound]]),
        merge: caller === owner ? undefined : { from: caller.address, into: owner.address },
      };
    }
    case "keeper": {
      const k = await keeperCall(ctx, c.blind);
      return { initiators: [w.keeper.address], bystandersProtected: !k.executed, keeperAction: k.before, note: k.note };
    }
    case "ripcord": {
      const k = await ripcordCall(ctx);
      return {
        initiators: [w.stranger.address], bystandersProtected: !k.executed, keeperAction: k.before, note: k.note,
        allowance: new Map([[w.stranger.address, rewardAllowance(w.kind)]]),
      };
    }
    case "liquidate": {
      // Aave's liquidationCall (close factor, the reserve's bonus) or Morpho's liquidate (half the borrow shares, the
      // incentive from the LLTV), when the venue's own health factor is under 1.
      const healthFactor = await venueHealthFactor(w);
      if (healthFactor >= WAD) return plainResult(`liquidate: HF ${Number(healthFactor) / 1e18} >= 1, not liquidatable`);
      const r = await attempt(vault, "liquidate", () => liquidateVault(w));
      bump(ctx.stats.succeeded, r.ok ? "liquidation" : "liquidation refused");
      return plainResult(`liquidate at HF ${Number(healthFactor) / 1e18}: ${r.ok ? "done" : r.error}`, [], false);
    }
    case "donate": {
      // Drawn as WETH wei (collateral kinds) or raw USDC capped at 1M USDC (debt kinds), sent as the same USD value
      // of the kind's own leg at the start prices (the same amounts for WETH/USDC).
      const s = w.stranger;
      const debtKind = c.kind === "debt" || c.kind === "repay";
      const drawn = BigInt(c.mantissa) * 10n ** BigInt(debtKind ? Math.min(c.exponent, 12) : c.exponent);
      const usd = debtKind ? (drawn * 10n ** 8n) / 10n ** 6n : (drawn * 2000n * 10n ** 8n) / WAD;
      const leg = debtKind ? k.debt : k.collateral;
      const sameUnits = debtKind ? k.fields.debt === "usdc" : k.fields.collateral === "weth" && k.startUsd.collateral === 2000n * 10n ** 8n;
      const amount = sameUnits ? drawn : usdToRaw(usd, debtKind ? k.startUsd.debt : k.startUsd.collateral, debtKind ? k.decimals.debt : k.decimals.collateral) || 1n;
      await fundTracked(ctx, s.address, debtKind ? { debt: amount } : { coll: amount });
      let r: Outcome;
      if (c.kind === "collateral" || c.kind === "debt") r = await attempt(vault, "donate", () => send(leg.connect(s).getFunction("transfer")(vault.target, amount)));
      else if (c.kind === "supplied") r = await attempt(vault, "donate", () => supplyFor(w, s, amount));
      else r = await attempt(vault, "donate", () => repayFor(w, s, amount));
      return plainResult(`donate ${amount} raw ${c.kind}: ${r.ok ? "sent" : r.error}`, [s.address]);
    }
    case "sandwich":
      return sandwich(ctx, c);
    case "pool": {
      // The wide (0.3 %) WETH/USDC pool; a pair with one pool (WBTC/USDC, wstETH/WETH) moves that one either way.
      const oracle = await oracleRef(w);
      const tiers = Object.keys(k.pools).map(Number);
      const fee = c.wide ? tiers[tiers.length - 1] : k.mainFee;
      await swapPoolTo(market, k.pools[fee], (oracle * BigInt(10_000 + c.bps)) / 10_000n);
      return plainResult(`pool ${fee / 10_000}% moved to oracle ${c.bps > 0 ? "+" : ""}${c.bps} bps`);
    }
    case "arbitrage": {
      const oracle = await oracleRef(w);
      for (const pool of Object.values(k.pools)) await swapPoolTo(market, pool, oracle);
      return plainResult("pools arbitraged to the oracle");
    }
    case "oracle": {
      // Moves of the reference price (ETH/USD, BTC/USD; the wstETH/ETH rate a tenth as far): market-wide (the pools,
      // then the feed), the reference feed alone, the quote token's USD feed (USDC/USD; ETH/USD for the loop), stale.
      const ref = await rview(k.refFeed, "latestAnswer");
      const next = clampPrice(k, (ref * BigInt(10_000 + Math.round(c.bps * k.scale))) / 10_000n);
      if (c.kind === "market") {
        await moveMarket(w, next);
        for (const feed of k.feeds) if (feed !== k.refFeed) await (await feed.setAnswer(await feed.latestAnswer())).wait();
      } else if (c.kind === "feedOnly") {
        await refreshBoth(ctx);
        await (await k.refFeed.setAnswer(next)).wait();
      } else if (c.kind === "usdc") {
        // The quote within +-0.5% of its start ($1 for USDC): the pool quotes the base in it, the vault's price moves.
        await (await k.quoteFeed.setAnswer((k.quoteFeedStart * (10_000n + BigInt(Math.trunc(c.bps / 18)))) / 10_000n)).wait();
      } else {
        await time.increase(3_601 + Math.abs(c.bps));
      }
      const unit = 10 ** k.refDecimals;
      return plainResult(`oracle ${c.kind} ${c.kind === "stale" ? "" : `${c.bps} bps -> ${Number(next) / unit}`}`, [], false);
    }
    case "time": {
      await time.increase(c.seconds);
      await refreshBoth(ctx);
      return plainResult(`${c.seconds} s later`, [], false);
    }
    case "caps":
      return plainResult(await capsCall(ctx, c), [w.stranger.address], false);
    case "slivers": {
      // A crash first when the ripcord is not armed: the market (pools, then feed) falls toward HF ~3 % under
      // critical, at most 9 % in one step (as the oracle command; the pools' depth is modelled around $2,000).
      const pos = await attempt(vault, "position()", () => rview<Result>(vault, "position"));
      const critical = (await rview<Result>(vault, "automationConfig")).criticalHealthFactor as bigint;
      if (pos.ok && (pos.value as Result).debt > 0n && ((pos.value as Result).healthFactor as bigint) >= critical) {
        // In the pair's price: HF ~3 % under critical, at most a 9 % fall (scaled as the oracle command) in one step.
        const ref = await oracleRef(w);
        const hf = (pos.value as Result).healthFactor as bigint;
        const fall = BigInt(Math.round(9 * k.scale * 100));
        const target = refAtPairMultiple(k, ref, critical * 97n, hf * 100n);
        const floor = refAtPairMultiple(k, ref, 10_000n - fall, 10_000n);
        const pick = k.direction === 1 ? (target > floor ? target : floor) : target < floor ? target : floor;
        await moveMarket(w, clampPrice(k, pick));
      }
      // The pool held just inside the deviation bound the ripcord would use now (the widened one below the floor).
      const bounds = await attempt(vault, "healthActionBounds()", () => rcall(vault, "healthActionBounds"));
      if (!bounds.ok) return plainResult(`slivers: ${bounds.error}`);
      // Under the oracle in the pair's price (the collateral cheap in the debt asset): a long's pool under, the short's over.
      const oracle = await oracleRef(w);
      const under = Number((bounds.value as Result)[1]) - c.insideBps;
      await swapPoolTo(market, k.pools[k.mainFee], refAtPairMultiple(k, oracle, BigInt(10_000 - Math.max(under, 0)), 10_000n));
      const notes: string[] = [];
      let first: RunResult["keeperAction"];
      let any = false;
      for (let i = 0; i < c.calls; i++) {
        const k = await ripcordCall(ctx);
        notes.push(k.note);
        first ??= k.before;
        any ||= k.executed;
      }
      return {
        initiators: [w.stranger.address], bystandersProtected: !any, keeperAction: first,
        note: `slivers ${c.calls} ripcords, pool ${under} bps under: ${notes.join("; ")}`,
        allowance: new Map([[w.stranger.address, BigInt(c.calls) * rewardAllowance(k)]]),
      };
    }
    case "outage":
      return plainResult(await outage(ctx, c), [], false);
    case "manage":
      return plainResult(await manage(ctx, c), [w.manager.address, w.guardian.address, w.owner.address]);
    case "accept":
      return plainResult(await accept(ctx, c.kind as Kind), [w.stranger.address]);
    case "revoke":
      return plainResult(await revoke(ctx, c.kind as Kind), [w.guardian.address]);
    case "refinance":
      // Days pass (the timelock): the holders pay interest, as in the time command, so they are not "bystanders" of
      // the stranger's call; REFI-1 checks the move itself (shares, totalAssets in its block, nothing left behind).
      return plainResult(await refinance(ctx, c), [w.stranger.address], false);
  }
}

/** Raw collateral -> debt-asset wad (18 decimals) at reference price `ref`. */
function collateralInDebtWad(k: KindSpec, coll: bigint, ref: bigint): bigint {
  const [cu, ru] = [10n ** BigInt(k.decimals.collateral), 10n ** BigInt(k.refDecimals)];
  return k.direction === 1 ? (coll * ref * WAD) / (ru * cu) : (coll * ru * WAD) / (ref * cu);
}
const debtWad = (k: KindSpec, debt: bigint) => (debt * WAD) / 10n ** BigInt(k.decimals.debt);

/** The vault's equity (debt-asset wad) at reference price `ref` from the venue's balances, and its debt (raw). */
async function vaultAt(ctx: Ctx, ref: bigint): Promise<{ equity: bigint; debt: bigint; collateral: bigint }> {
  const { vault } = ctx.w;
  const k = ctx.w.kind;
  const onVenue = await venueBalances(ctx.w);
  const collateral = onVenue.collateral + (await rview(k.collateral, "balanceOf", [vault.target]));
  const debt = onVenue.debt;
  const idleDebt = await rview(k.debt, "balanceOf", [vault.target]);
  return { equity: collateralInDebtWad(k, collateral, ref) + debtWad(k, idleDebt) - debtWad(k, debt), debt, collateral };
}

/** What `account` holds of both legs (debt-asset wad) at reference price `ref`. */
async function walletAt(ctx: Ctx, account: string, ref: bigint): Promise<bigint> {
  const k = ctx.w.kind;
  return collateralInDebtWad(k, await rview(k.collateral, "balanceOf", [account]), ref) + debtWad(k, await rview(k.debt, "balanceOf", [account]));
}

/**
 * OUTAGE-1 with a manipulator: see commands.ts `outageCmd`. Checked: every outage deleverage that goes through
 * repays debt and never adds any (no re-lever), costs the vault at most the post-condition budget of an urgent
 * deleverage at the market's (fair) price, and Mallory gains at most what the vault lost. The outage stops the
 * volatile leg's USD feed (ETH/USD; BTC/USD for the BTC long; ETH/USD for the loop, which stales wstETH/USD with it).
 */
async function outage(ctx: Ctx, c: Extract<Command, { op: "outage" }>): Promise<string> {
  const { w, stats } = ctx;
  const { vault, market, mallory } = w;
  const k = w.kind;
  // Kept within $1,600-2,500 for ETH (the same multiples of every kind's start): the local pools' concentrated range
  // ($1,333-3,000) must stay deep enough for EXIT-1's 200-WETH slices (the outage's falls, drawn downward, would
  // otherwise walk the price out of it). The fall is the reference price's (for the short, a fall of ETH is a gain).
  const range = outageRange(k);
  const drawn = ((await oracleRef(w)) * BigInt(10_000 + Math.round(c.fallBps * k.scale))) / 10_000n;
  const fair = drawn < range.min ? range.min : drawn > range.max ? range.max : drawn;
  for (const pool of Object.values(k.pools)) await swapPoolTo(market, pool, fair);
  const updatedAt = ((await rcall(k.outageFeed, "latestRoundData")) as Result)[3] as bigint;
  const config = await rview<Result>(vault, "outageConfig");
  const now = BigInt(await time.latest());
  const opens = updatedAt + 3_600n + (config.gracePeriod as bigint);
  const ready = now + (config.twapWindow as bigint);
  await time.increaseTo((opens > ready ? opens : ready) + BigInt(c.extraSeconds));
  // Every other feed of the market stays fresh (the pair's other leg, the loop's rate).
  for (const feed of [market.ethUsdFeed, market.usdcUsdFeed, market.btcUsdFeed, market.wstethEthFeed]) {
    if (feed !== k.outageFeed) await (await feed.setAnswer(await feed.latestAnswer())).wait();
  }
  await topUpMallory(ctx);

  const before = await vaultAt(ctx, fair);
  const malloryBefore = await walletAt(ctx, mallory.address, fair);
  if (c.pushBps !== 0) await mallorySwapTo(ctx, refAtPairMultiple(k, fair, BigInt(10_000 + c.pushBps), 10_000n));
  const notes: string[] = [];
  for (let i = 0; i < c.calls; i++) {
    const r = await attempt(vault, "outageDelever", () => rtx(vault, "outageDelever", [], w.stranger.address));
    if (r.ok) bump(stats.succeeded, "outageDelever");
    else bump(stats.reverts, `outageDelever: ${r.name}`);
    notes.push(r.ok ? "delevered" : (r.error ?? "?").split("(")[0]);
  }
  if (c.pushBps !== 0) await mallorySwapTo(ctx, fair);
  const after = await vaultAt(ctx, fair);
  // Interest accrues over the few blocks of the command (a millionth covers it): anything more would be a re-lever.
  const accrued = (x: bigint) => x + x / 1_000_000n + 1n;
  if (after.debt > accrued(before.debt)) violated("OUTAGE-1", `debt rose during the outage: ${before.debt} -> ${after.debt}`);
  if (after.collateral > accrued(before.collateral)) violated("OUTAGE-1", `collateral rose during the outage: ${before.collateral} -> ${after.collateral}`);
  // Urgent budget: 75 % of the 5 % bonus as slippage plus the flash premium, over what was sold, plus rounding
  // and the TWAP's few seconds of Mallory's push (10 bps of what was traded).
  const traded = before.debt > after.debt ? debtWad(k, before.debt - after.debt) : 0n;
  const interest = debtWad(k, before.debt / 1_000_000n + 2n);
  // Rounding: a few raw units per call (1e10 wad for USDC, as the campaign always allowed: 1e-8 USD).
  const rounding = debtWad(k, 1n) > 10n ** 10n ? debtWad(k, 1n) : 10n ** 10n;
  const budget = (traded * (375n + 10n + 10n)) / (BPS - 375n) + BigInt(c.calls) * rounding + interest;
  const loss = before.equity - after.equity;
  if (loss > budget) violated("OUTAGE-1", `the outage deleverage cost ${loss} wei at the market's price, budget ${budget} (traded ${traded})`);
  const gain = (await walletAt(ctx, mallory.address, fair)) - malloryBefore;
  if (gain > (loss > 0n ? loss : 0n) + BigInt(c.calls) * rounding) {
    violated("OUTAGE-1", `mallory gained ${gain} wei around the outage deleverage, the vault lost ${loss}`);
  }
  bump(stats.checks, "OUTAGE-1");
  // The feed comes back at the market's price: the first answer after the outage is the whole move (the loop's rate
  // feed and its token's rate too; its ETH/USD feed back at its last answer).
  await (await k.refFeed.setAnswer(fair)).wait();
  if (k.refFeed !== k.outageFeed) await (await k.outageFeed.setAnswer(await k.outageFeed.latestAnswer())).wait();
  if (k.preset.reference === "wstETH/ETH") await (await market.wsteth.setStEthPerToken(fair)).wait();
  return `outage, market ${c.fallBps} bps -> ${Number(fair) / 10 ** k.refDecimals}, push ${c.pushBps} bps, ${c.calls} calls: ${notes.join("; ")}`;
}

async function snapshotFor(ctx: Ctx, accounts: string[]): Promise<Snapshot> {
  return snapshot(ctx, accounts);
}

// ---------------------------------------------------------------- invariants after every command

async function checkInvariants(ctx: Ctx, c: Command, label: string, snap: Snapshot): Promise<void> {
  const { w, model, stats } = ctx;
  const { vault, market } = w;
  const fresh = snap.fresh;
  const count = (id: PropertyId) => bump(stats.checks, id);
  let t0 = Date.now();
  const lap = (k: string) => {
    const now = Date.now();
    bump(stats.ms, `inv ${k}`, now - t0);
    t0 = now;
  };

  // STALE-1: with a stale feed every max* is 0 and does not revert.
  if (!fresh) {
    for (const name of ["maxDeposit", "maxMint", "maxWithdraw", "maxRedeem"]) {
      const r = await attempt(vault, name, () => rview(vault, name, [w.alice.address]));
      if (!r.ok || r.value !== 0n) violated("STALE-1", `${name} with a stale oracle: ${r.ok ? r.value : r.error}`);
    }
    count("STALE-1");
  }

  lap("stale");
  // ROLE-1: the configuration in force is the one the holders were shown (tightenings, accepted changes). Read
  // after every command that reaches management or the keeper, and after every 5th command otherwise.
  const roleCheck = ["manage", "accept", "revoke", "keeper", "sandwich", "ripcord", "slivers", "refinance"].includes(c.op) || stats.commands % 5 === 0;
  const live = roleCheck ? await readConfigs(vault) : model.configs;
  for (const field of ["leverage", "automation", "exits"] as const) {
    if (live[field] !== model.configs[field]) violated("ROLE-1", `${field} config changed without the timelock (${label})`);
  }
  // The deposit cap of the execution config moves at once by design: compare slippage and fee only.
  if (live.execution.slice(0, 130) !== model.configs.execution.slice(0, 130)) violated("ROLE-1", `execution config changed without the timelock (${label})`);
  model.configs.execution = live.execution;
  if (live.timelock !== model.configs.timelock) violated("ROLE-1", `timelock ${live.timelock} != expected ${model.configs.timelock}`);
  // ROLE-2: a pending re-arm disappears only when accepted, revoked (both tracked) or dropped by a stop.
  if (roleCheck && model.pending.has(5) && (await vault.pendingChange(5))[1] === 0n) {
    const mode = (await rview<Result>(vault, "automationState")).mode as bigint;
    if (mode !== 1n) violated("ROLE-2", `a pending re-arm vanished without a stop (mode ${mode}) (${label})`);
    model.pending.delete(5);
  }
  if (roleCheck) count("ROLE-1");

  lap("role");
  // TRIGGER-1 on this state: trigger(), checkUpkeep() and checker() agree, and rebalance() does what they say.
  const trig = await attempt(vault, "trigger()", () => rcall(vault, "trigger"));
  const reb = await attempt(vault, "rebalance() (static)", () => rcall(vault, "rebalance", [], { from: w.keeper.address }));
  if (ctx.stats.commands % 4 === 0 || (trig.ok && (trig.value as Result)[0] === true)) {
    const up = await attempt(vault, "checkUpkeep()", () => rcall(vault, "checkUpkeep", ["0x"]));
    const chk = await attempt(vault, "checker()", () => rcall(vault, "checker"));
    if (trig.ok !== up.ok || trig.ok !== chk.ok) violated("TRIGGER-1", `trigger / checkUpkeep / checker disagree on reverting (${trig.error})`);
    if (trig.ok && ((up.value as Result)[0] !== (trig.value as Result)[0] || (chk.value as Result)[0] !== (trig.value as Result)[0])) {
      violated("TRIGGER-1", "checkUpkeep / checker disagree with trigger");
    }
  }
  if (trig.ok) {
    const needed = (trig.value as Result)[0] as boolean;
    if (needed && !reb.ok && !(await knownDefect(ctx, reb.error))) violated("TRIGGER-1", `trigger() says ${ACTIONS[Number((trig.value as Result)[1])]} is due; rebalance() reverts ${reb.error}`);
    if (!needed && reb.ok) violated("TRIGGER-1", "trigger() says nothing is due; rebalance() succeeds");
    bump(stats.checks, needed ? "TRIGGER-1 (due)" : "TRIGGER-1 (none)");
  } else if (reb.ok) violated("TRIGGER-1", `trigger() reverts ${trig.error}; rebalance() succeeds`);
  count("TRIGGER-1");

  lap("trigger");
  if (!fresh) return;
  const { totalAssets, totalSupply, collE8, debtE8 } = snap;
  const k = w.kind;
  const onVenue = await venueBalances(w);
  const idleColl = await rview(k.collateral, "balanceOf", [addr(vault)]);
  const idleDebt = await rview(k.debt, "balanceOf", [addr(vault)]);
  const healthFactor = await venueHealthFactor(w);

  lap("reads");
  // ACCT-1: totalAssets = the venue's equity (its collateral and debt balances: Aave's aToken and variable debt token,
  // Morpho's position with the interest accrued to this block) + idle balances, at oracle prices, within 1e-6.
  const gross = onVenue.collateral + idleColl + debtToCollateral(k, idleDebt, collE8, debtE8);
  const owed = debtToCollateral(k, onVenue.debt, collE8, debtE8);
  const expected = gross > owed ? gross - owed : 0n;
  const diff = expected > totalAssets ? expected - totalAssets : totalAssets - expected;
  // Allow 1e-6 relative + 1e-6 of a whole collateral token (1e12 wei; at least 10 raw units).
  const unitTol = 10n ** BigInt(k.decimals.collateral) / 1_000_000n > 10n ? 10n ** BigInt(k.decimals.collateral) / 1_000_000n : 10n;
  if (diff * 1_000_000n > expected + unitTol * 1_000_000n) {
    violated("ACCT-1", `totalAssets ${totalAssets} vs ${k.venue} collateral ${onVenue.collateral} - debt ${onVenue.debt} (raw) + idle = ${expected} raw collateral`);
  }
  count("ACCT-1");

  lap("acct1");
  // ACCT-2: what every holder could redeem (maxWithdraw) sums to at most totalAssets.
  const holders = [...model.holderNames.keys()];
  const balances: bigint[] = holders.map((h) => snap.shares.get(h) ?? 0n);
  let sum = 0n;
  for (let i = 0; i < holders.length; i++) if (balances[i] > 0n) sum += await rview(vault, "maxWithdraw", [holders[i]]);
  if (sum > totalAssets) violated("ACCT-2", `sum of maxWithdraw ${sum} > totalAssets ${totalAssets}`);
  const sumShares = balances.reduce((a, b) => a + b, 0n);
  if (sumShares > totalSupply) violated("ACCT-2", `tracked holders' shares ${sumShares} > totalSupply ${totalSupply}`);
  count("ACCT-2");

  lap("acct2");
  // EXIT-1: a holder (in turn, one per command: a full redeem costs ~90 ms to simulate) can redeem all its shares
  // now, when the oracle is fresh, the position is not liquidatable and the pool is within half the slippage room.
  const exec = await rview<Result>(vault, "executionConfig");
  const spot = await poolPriceOf(market, poolOfFee(k, exec[1] as bigint));
  const oracle = refOf(k, collE8, debtE8); // the base in the quote, as the pool quotes it
  const deviationBps = pairDeviation(k, spot, oracle) * 10_000;
  const roomBps = Number(exec[0]) - Number(exec[1]) / 100;
  const withShares = holders.filter((_, i) => balances[i] > 0n);
  if (healthFactor >= WAD && deviationBps <= roomBps / 2 && withShares.length > 0) {
    const h = withShares[stats.commands % withShares.length];
    const balance = balances[holders.indexOf(h)];
    // A slice whose debt is more than the pool absorbs within the slippage must leave in parts (known limit):
    // check the largest part that fits, ~200 WETH of debt (~0.2% of the 0.05% pool's price; KindSpec.exitFitsBase).
    // The slice swaps its debt (collateral sold) or its excess of idle debt asset (bought back): either counts.
    const sliceDebtWeth = await sliceSwapBase(ctx, balance);
    const fits = k.exitFitsBase;
    const shares = sliceDebtWeth > fits ? (balance * fits) / sliceDebtWeth : balance;
    const r = await attempt(vault, "full redeem", () => rcall(vault, "redeem(uint256,address,address)", [shares, h, h], { from: h }));
    if (!r.ok) violated("EXIT-1", `${model.holderNames.get(h)} cannot redeem its ${shares} shares: ${r.error}`);
    count("EXIT-1");
  }
  lap("exit");
}

/**
 * What redeeming `shares` swaps, in raw units of the pool's base token (WETH for WETH/USDC): its slice of the debt,
 * or of the idle debt asset if that is more.
 */
async function sliceSwapBase(ctx: Ctx, shares: bigint): Promise<bigint> {
  const { vault } = ctx.w;
  const k = ctx.w.kind;
  const pos = await rview<Result>(vault, "position");
  const supply = await rview(vault, "totalSupply");
  const { collE8, debtE8 } = await usdPrices(ctx.w);
  const swapUnits = (pos.debt as bigint) > (pos.idleDebtAsset as bigint) ? (pos.debt as bigint) : (pos.idleDebtAsset as bigint);
  if (supply === 0n) return 0n;
  const slice = (swapUnits * shares) / supply;
  return baseIsCollateral(k) ? debtToCollateral(k, slice, collE8, debtE8) : slice;
}

/** |pool spot - oracle| / oracle of the vault's pool beyond its fee, as a fraction (0 when within the fee). */
async function poolDislocation(ctx: Ctx, snap: Snapshot): Promise<number> {
  const exec = await rview<Result>(ctx.w.vault, "executionConfig");
  const fee = exec[1] as bigint;
  const k = ctx.w.kind;
  const spot = await poolPriceOf(ctx.w.market, poolOfFee(k, fee));
  const oracle = refOf(k, snap.collE8, snap.debtE8);
  const dev = pairDeviation(k, spot, oracle) - Number(fee) / 1e6;
  return dev > 0 ? dev : 0;
}

/** The vault's pool is off the oracle by more than half the room the slippage leaves after the fee. */
async function exitPoolOff(ctx: Ctx): Promise<boolean> {
  const exec = await rview<Result>(ctx.w.vault, "executionConfig");
  const off = await poolDislocation(ctx, (await usdPrices(ctx.w)) as Snapshot);
  const roomBps = Number(exec[0]) - Number(exec[1]) / 100;
  return off * 10_000 + Number(exec[1]) / 100 > roomBps / 2;
}

async function poolOfVault(ctx: Ctx) {
  const fee = (await ctx.w.vault.executionConfig()).swapFee;
  return poolOfFee(ctx.w.kind, fee);
}

// ---------------------------------------------------------------- one command with its accounting

/** Whose wallets a command can change (the others' wallets are left out of the snapshots: each read costs ~8 ms). */
function walletsTouched(w: AdversarialWorld, c: Command): string[] {
  switch (c.op) {
    case "deposit":
    case "mint":
      return [w.depositors[c.who].address];
    case "redeem":
    case "withdraw":
      return [w.depositors[c.who].address, w.dave.address];
    case "sandwich":
      return [w.mallory.address, w.depositors[c.who].address, w.keeper.address, w.stranger.address];
    case "keeper":
      return [w.keeper.address];
    case "ripcord":
    case "slivers":
    case "caps":
    case "donate":
    case "accept":
    case "refinance":
      return [w.stranger.address];
    default:
      return [];
  }
}

const TRACKED = (w: AdversarialWorld) => [w.alice, w.bob, w.carol, w.dave, w.mallory, w.stranger, w.keeper].map((s) => s.address);

export async function step(ctx: Ctx, c: Command): Promise<void> {
  const { w, model, stats } = ctx;
  stats.commands++;
  bump(stats.byOp, c.op);
  const tracked = TRACKED(w);
  ctx.funded = new Map();
  // A refinanceable vault's reads and actions follow its current venue (the fixture's world is shared by the runs).
  await syncVenue(w);
  let t = Date.now();
  const lap = (k: string) => {
    const now = Date.now();
    bump(stats.ms, k, now - t);
    t = now;
  };
  const touched = walletsTouched(w, c);
  const before = await snapshot(ctx, touched);
  const dislocation = before.fresh ? await poolDislocation(ctx, before) : 0;
  // FAIR-1's dislocation allowance below: a call's swap is ~(L - 1)x the value it moves at the vault's leverage L,
  // which an oracle move alone (the pools left behind) can take above the preset's target: L + 1 at the leverage now.
  const multiple = dislocation > 0 ? await swapMultipleNow(ctx) : swapMultiple(w.kind);
  lap("snapshots");
  const r = await runOne(ctx, c);
  lap(`run ${c.op}`);
  ctx.log.push(r.note);
  const after = await snapshot(ctx, touched);
  lap("snapshots");

  // KEEP-1: after a keeper action or the ripcord, HF >= floor or leverage strictly lower than before.
  if (r.keeperAction && after.fresh) {
    const p = await rview<Result>(w.vault, "position");
    const floor = (await rview<Result>(w.vault, "leverageConfig")).minHealthFactor as bigint;
    if (p.healthFactor < floor && p.leverage >= r.keeperAction.before.leverage) {
      violated("KEEP-1", `after ${c.op}: HF ${p.healthFactor} < floor ${floor} and leverage ${p.leverage} >= ${r.keeperAction.before.leverage}`);
    }
    bump(stats.checks, "KEEP-1");
  }

  // FAIR-1, at unchanged oracle prices (commands that move the oracle or time are not anyone's gain).
  const samePrices = before.fresh && after.fresh && before.collE8 === after.collE8 && before.debtE8 === after.debtE8;
  if (samePrices && c.op !== "time" && c.op !== "oracle") {
    const funding = (a: string) => {
      const f = ctx.funded.get(a);
      return f ? f.coll + debtToCollateral(w.kind, f.debt, after.collE8, after.debtE8) : 0n;
    };
    const own = (a: string) => accountValue(after, a) - accountValue(before, a) - funding(a);
    const delta = (a: string) => own(a) + (r.merge?.into === a ? own(r.merge.from) : 0n);
    const initiators = [...new Set(r.initiators)];
    for (const a of initiators) {
      if (!tracked.includes(a)) continue;
      // Trading against a pool someone else left off the oracle price is the market's gain, not the holders' loss:
      // allow the dislocation on the swap such a call makes (at most ~4x the share value it moves at 3x; L + 1 for a
      // kind levered higher, e.g. 9x for the 8x loop: its swap is ~(L - 1)x what the call moves).
      const moved = shareValue(after, after.shares.get(a) ?? 0n) - shareValue(before, before.shares.get(a) ?? 0n);
      // A withdraw swaps on the whole slice it unwinds (r.unwound), not only on the shares it burns.
      const movedValue = moved < 0n ? -moved : moved;
      const slice = shareValue(before, r.unwound?.get(a) ?? 0n);
      const swapped = multiple * (movedValue > slice ? movedValue : slice);
      // A sandwich's victim trades against the manipulator's push: it may gain what the push gives away.
      const pushed = c.op === "sandwich" && a !== w.mallory.address ? Math.abs(c.pushBps) / 10_000 : 0;
      const off = Math.max(dislocation, pushed);
      const allowed = (r.allowance?.get(a) ?? 0n) + (swapped * BigInt(Math.ceil(off * 1e6))) / 1_000_000n;
      const d = delta(a);
      const gain = d > allowed ? d - allowed : d > 0n ? 0n : d;
      model.pnl.set(a, (model.pnl.get(a) ?? 0n) + gain);
      model.calls.set(a, (model.calls.get(a) ?? 0) + 1);
    }
    if (r.victim !== undefined) {
      // Mallory may take at most what her victim lost within the bounds its own call accepted.
      const lost = -delta(r.victim);
      if (lost > 0n) model.credit.set(w.mallory.address, (model.credit.get(w.mallory.address) ?? 0n) + lost);
    }
    if (r.keeperAction && r.initiators[0] === w.mallory.address) {
      // A keeper action she sandwiched within the same-block bound: credit what the vault lost (VAULT-EQ-1 bounds it).
      const lost = before.totalAssets - after.totalAssets;
      if (lost > 0n) model.credit.set(w.mallory.address, (model.credit.get(w.mallory.address) ?? 0n) + lost);
    }
    for (const a of initiators) {
      const pnl = model.pnl.get(a) ?? 0n;
      const tolerance = BigInt(model.calls.get(a) ?? 0) * roundingOf(ctx) + (model.credit.get(a) ?? 0n);
      if (pnl > tolerance) {
        violated("FAIR-1", `${nameOf(w, a)} gained ${pnl} wei at oracle prices over its own calls (allowed ${tolerance}) after: ${r.note}`);
      }
    }
    // Bystanders: a user's call moves no value away from the other holders.
    if (r.bystandersProtected) {
      for (const [h] of model.holderNames) {
        if (initiators.includes(h)) continue;
        const valueBefore = shareValue(before, before.shares.get(h) ?? 0n);
        const valueAfter = shareValue(after, after.shares.get(h) ?? 0n);
        if (valueAfter + roundingOf(ctx) + valueBefore / 1_000_000n < valueBefore) {
          // Holders pay the venue's borrow interest while the command's blocks pass (a command after a fixture revert
          // starts after the wall-clock gap; Morpho's local IRM charges its utilisation as APR, 7x over at 8x): allow
          // twice the interest on at most `swapMultiple` x the holder's value over the command's seconds.
          const interest = await interestAllowance(ctx, valueBefore, after.time - before.time);
          if (valueAfter + roundingOf(ctx) + valueBefore / 1_000_000n + interest < valueBefore) {
            violated("FAIR-1", `${nameOf(w, h)} (bystander) lost ${valueBefore - valueAfter} wei in: ${r.note} (interest allowed ${interest})`);
          }
        }
      }
    }
    bump(stats.checks, "FAIR-1");
  }
  lap("fair/keep");
  await checkInvariants(ctx, c, r.note, after);
  lap("invariants");
}

function nameOf(w: AdversarialWorld, a: string): string {
  const names: Record<string, string> = {
    [w.alice.address]: "alice", [w.bob.address]: "bob", [w.carol.address]: "carol", [w.dave.address]: "dave",
    [w.mallory.address]: "mallory", [w.stranger.address]: "stranger", [w.keeper.address]: "keeper",
    [w.manager.address]: "manager", [w.guardian.address]: "guardian", [w.owner.address]: "owner",
  };
  return names[a] ?? a;
}

export { THIRD_PARTY_ALLOWANCE };
