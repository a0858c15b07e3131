/**
 * The adversarial suite's world states (issue 9, issues 17/20: every kind): the local real-bytecode market and one
 * preset's vault on one venue (test/shared/presets.ts presetWorld: eth-long-3x, eth-short-2x, btc-long-2x,
 * wsteth-loop; Aave, and Morpho Blue for the presets that run there) with every exit armed, separate owner / manager /
 * guardian, an allow-listed keeper, three depositors, an approved third party, a pool manipulator and a stranger
 * (donor, ripcord puller). Deployed once per kind through loadFixture; each fuzz run starts from its snapshot.
 *
 * What the model needs to know of a kind is in `KindSpec`: the pair's tokens and decimals, the Uniswap pool(s) and
 * its *reference price* (the pool's quote per base: ETH/USD or BTC/USD in 1e8, the wstETH/ETH rate in 1e18; the
 * vault's price, debt per collateral, is it for a long and its inverse for the short), the feeds that move it, the
 * scale of the kind's moves (the loop's rate moves a tenth of ETH's) and the venue's reads (balances, health factor,
 * liquidation, donations on behalf of the vault). Amounts the original WETH/USDC campaign wrote in WETH or USDC are
 * written here as the same USD value at the kind's start prices, so that eth-long-3x on Aave is today's campaign.
 */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, type Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { MockAggregator } from "../../typechain-types";
import { ASSET_FIELDS } from "../shared/market";
import { fund, poolPair, poolPriceOf, setBtcPrice, setMarketPrice, setWstethRatio, swapPoolTo } from "../shared/market-helpers";
import { collateralFor, getPreset, presetWorld, type Preset, type PresetWorld, type Venue } from "../shared/presets";
import { presetSettings } from "../../scripts/lib/deploy/presets";
import { toUnits } from "../../scripts/lib/deploy/vault";
import { morphoMarketId, type MorphoMarketParams } from "../../scripts/lib/market/morpho";
import { ChangeKind } from "../shared/timelock";
import { defaultReferencePrice } from "../../scripts/lib/market/reference-price";

/** Finite allowance the depositors give the third party: the fuzzer checks it is spent only for shares burned. */
export const THIRD_PARTY_ALLOWANCE = 10n ** 30n;

const WAD = 10n ** 18n;
const E8 = 10n ** 8n;

export type TokenField = "weth" | "usdc" | "wbtc" | "wsteth";

/** What the model needs to know about the kind (preset x venue) it fuzzes. */
export interface KindSpec {
  /** "eth-long-3x" (Aave) or "eth-long-3x on morpho". */
  label: string;
  preset: Preset;
  venue: Venue;
  /** +1: the pool's base is the collateral (long, loop); -1: the debt (short). */
  direction: 1 | -1;
  collateral: Contract;
  debt: Contract;
  fields: { collateral: TokenField; debt: TokenField };
  decimals: { collateral: number; debt: number };
  /** Decimals of the reference price (8 for USD prices, 18 for the wstETH/ETH rate). */
  refDecimals: number;
  /** The pool's base and quote tokens (the reference price is quote per base). */
  base: Contract;
  quote: Contract;
  /** Moved alone by the oracle command's feed-only kind (ETH/USD, BTC/USD, the wstETH/ETH rate). */
  refFeed: MockAggregator;
  /** The quote token's USD feed (USDC/USD, or ETH/USD for the loop): the oracle command's "usdc" kind moves it. */
  quoteFeed: MockAggregator;
  quoteFeedStart: bigint;
  /** The feed an outage stops (the volatile leg's USD feed, 1 h heartbeat). */
  outageFeed: MockAggregator;
  /** Every feed the pair's prices read (re-stamped by the time command). */
  feeds: MockAggregator[];
  /** The pair's Uniswap pools by fee tier, the main one (Mallory's) and the tiers a manager may choose. */
  pools: Record<number, Contract>;
  mainFee: number;
  fees: number[];
  /** The reference price at deployment (reference units) and the vault's pair price then (wad debt per collateral). */
  start: bigint;
  startPair: bigint;
  /** USD prices (1e8 per whole token) at deployment. */
  startUsd: { collateral: bigint; debt: bigint };
  /** How far the kind's price moves relative to ETH's: 1 (ETH, BTC) or 0.1 (the wstETH/ETH rate). */
  scale: number;
  /** The largest exit slice's swap the pool absorbs within the slippage (EXIT-1's pool-depth limit), raw base units. */
  exitFitsBase: bigint;
  /** FAIR-1 rounding per call, raw collateral units: 20 raw debt units at the start price, at least 10 raw units. */
  rounding: bigint;
  /** Preset settings the manager's choices are relative to (human units). */
  settings: PresetWorld["settings"];
  blue?: PresetWorld["blue"];
  morpho?: { params: MorphoMarketParams; id: string };
  /**
   * A refinanceable vault (the kinds whose preset runs on both venues, issue 20): its implementation on each venue.
   * `venue` and `label` then follow the vault's current venue (`syncVenue`, read from `venueImplementation()`).
   */
  venues?: PresetWorld["venues"];
}

export interface AdversarialWorld extends PresetWorld {
  owner: HardhatEthersSigner;
  manager: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  /** Approved by alice, bob and carol to redeem / withdraw their shares. */
  dave: HardhatEthersSigner;
  /** Pool manipulator: sandwiches other actors' calls (and its own) within one block. */
  mallory: HardhatEthersSigner;
  depositors: HardhatEthersSigner[];
  kind: KindSpec;
}

/** USD (1e8) -> raw units of a token whose whole unit is worth `usdE8`. */
export const usdToRaw = (usd: bigint, usdE8: bigint, decimals: number) => (usd * 10n ** BigInt(decimals)) / usdE8;

/** A number scaled to `decimals` units (fixed 12 places: no float noise in the encoding). */
export const unitsOf = (x: number, decimals: number) => toUnits(x.toFixed(Math.min(12, decimals)), decimals);

function buildKind(w: PresetWorld, startUsd: KindSpec["startUsd"], startPair: bigint): KindSpec {
  const { market, preset, venue } = w;
  const fields = { collateral: ASSET_FIELDS[preset.collateral].token, debt: ASSET_FIELDS[preset.debt].token } as KindSpec["fields"];
  const ref = preset.reference;
  const refFeed = ref === "ETH/USD" ? market.ethUsdFeed : ref === "BTC/USD" ? market.btcUsdFeed : market.wstethEthFeed;
  const quoteFeed = ref === "wstETH/ETH" ? market.ethUsdFeed : market.usdcUsdFeed;
  const outageFeed = ref === "BTC/USD" ? market.btcUsdFeed : market.ethUsdFeed;
  const feeds = ref === "ETH/USD" ? [market.ethUsdFeed, market.usdcUsdFeed]
    : ref === "BTC/USD" ? [market.btcUsdFeed, market.usdcUsdFeed] : [market.wstethEthFeed, market.ethUsdFeed];
  const pools: Record<number, Contract> = ref === "ETH/USD" ? { 500: market.uniPool500, 3000: market.uniPool3000 }
    : ref === "BTC/USD" ? { 3000: market.uniPoolWbtcUsdc } : { 100: market.uniPoolWstethWeth };
  const fees = ref === "ETH/USD" ? [500, 500, 500, 3000] : [Number(Object.keys(pools)[0])];
  const mainFee = fees[0];
  const pair = poolPair(market, pools[mainFee]);
  const direction = preset.direction;
  const decimals = w.decimals;
  // Pool depth (EXIT-1): ~200 WETH moves the 0.05 % WETH/USDC pool ~0.2 %; the WBTC/USDC pool is half as deep in
  // USD; the wstETH/WETH pool's +-1 % range takes ~1,000 ETH per 0.1 %, but the loop's price walks out of it (its
  // moves reach -5.5 % / +8 %), where the +-15 % and full-range positions (~76k ETH virtual) move ~0.25 % per 100.
  const baseUsd = direction === 1 ? startUsd.collateral : startUsd.debt;
  const baseDecimals = direction === 1 ? decimals.collateral : decimals.debt;
  const fitsUsd = ref === "ETH/USD" ? 200n * startUsd[direction === 1 ? "collateral" : "debt"] : ref === "BTC/USD" ? 200_000n * E8 : 100n * baseUsd;
  const exitFitsBase = ref === "ETH/USD" ? 200n * 10n ** 18n : usdToRaw(fitsUsd, baseUsd, baseDecimals);
  const debtUnitInCollateral = (20n * startUsd.debt * 10n ** BigInt(decimals.collateral)) / (startUsd.collateral * 10n ** BigInt(decimals.debt));
  const morphoParams = w.blue ? Object.values(w.blue.markets).find((p) => p.collateralToken === w.collateral.target) : undefined;
  return {
    label: labelOf(preset, venue),
    preset, venue, direction,
    collateral: w.collateral, debt: w.debt, fields, decimals,
    refDecimals: pair.priceDecimals, base: pair.base, quote: pair.quote,
    refFeed, quoteFeed, quoteFeedStart: 0n, outageFeed, feeds, pools, mainFee, fees,
    start: 0n, startPair, startUsd,
    scale: ref === "wstETH/ETH" ? 0.1 : 1,
    exitFitsBase,
    rounding: debtUnitInCollateral > 10n ? debtUnitInCollateral : 10n,
    settings: w.settings,
    blue: w.blue,
    morpho: morphoParams ? { params: morphoParams, id: morphoMarketId(morphoParams) } : undefined,
    venues: w.venues,
  };
}

const labelOf = (preset: Preset, venue: Venue) => (venue === "aave" ? preset.name : `${preset.name} on ${venue}`);

/** The presets whose vault the campaign builds refinanceable (behind a VaultProxy): those that run on both venues. */
export const refinanceablePreset = (preset: Preset) => Object.keys(preset.venues).length > 1;

/** The venue the vault runs on now: its `venueImplementation()` compared with each venue's implementation. */
export async function currentVenue(w: AdversarialWorld): Promise<Venue> {
  const venues = w.kind.venues;
  if (!venues) return w.kind.venue;
  const impl = ((await w.vault.venueImplementation()) as string).toLowerCase();
  const found = (Object.keys(venues) as Venue[]).find((v) => venues[v].implementation.toLowerCase() === impl);
  if (!found) throw new Error(`venueImplementation() ${impl} is neither venue's implementation`);
  return found;
}

/**
 * Points the kind's per-venue reads and actions (venueBalances, venueHealthFactor, liquidateVault, supplyFor, repayFor,
 * the caps actor, the borrow rate) at the vault's current venue. The world object is loadFixture's (shared by every run
 * of the kind): the model calls this before each command and after a move.
 */
export async function syncVenue(w: AdversarialWorld): Promise<Venue> {
  if (!w.kind.venues) return w.kind.venue;
  const venue = await currentVenue(w);
  w.kind.venue = venue;
  w.kind.label = labelOf(w.kind.preset, venue);
  return venue;
}

/** Moves the market (pools, then the feed) to reference price `ref` (reference units), as setReferencePrice does. */
export async function moveMarket(w: AdversarialWorld, ref: bigint): Promise<void> {
  const r = w.kind.preset.reference;
  if (r === "ETH/USD") return setMarketPrice(w.market, ref);
  if (r === "BTC/USD") return setBtcPrice(w.market, ref);
  return setWstethRatio(w.market, ref);
}

/** Mints raw amounts of the pair's legs to `to`. */
export async function fundLegs(w: AdversarialWorld, to: string, amounts: { collateral?: bigint; debt?: bigint }): Promise<void> {
  const { fields } = w.kind;
  const byField: Partial<Record<TokenField, bigint>> = {};
  if (amounts.collateral) byField[fields.collateral] = (byField[fields.collateral] ?? 0n) + amounts.collateral;
  if (amounts.debt) byField[fields.debt] = (byField[fields.debt] ?? 0n) + amounts.debt;
  await fund(w.market, to, byField);
}

/** Mallory's stock: $8M of each of the pool's tokens (4,000 WETH and 8M USDC at $2,000). */
export function malloryStock(k: KindSpec): { collateral: bigint; debt: bigint } {
  const usd = 8_000_000n * E8;
  return { collateral: usdToRaw(usd, k.startUsd.collateral, k.decimals.collateral), debt: usdToRaw(usd, k.startUsd.debt, k.decimals.debt) };
}

// ---------------------------------------------------------------- the venue's reads and third-party actions

function wTaylorCompounded(x: bigint, n: bigint): bigint {
  const first = x * n;
  const second = (first * first) / (2n * WAD);
  const third = (second * first) / (3n * WAD);
  return first + second + third;
}

/** Morpho's market state with the interest accrued up to `now` (IrmMock: borrow APR = utilisation), as the vault reads it. */
async function morphoMarket(w: AdversarialWorld, now: bigint) {
  const { blue, morpho } = w.kind;
  const m = await blue!.morpho.market(morpho!.id);
  let totalBorrowAssets = m.totalBorrowAssets as bigint;
  const elapsed = now - (m.lastUpdate as bigint);
  if (elapsed > 0n && totalBorrowAssets > 0n && (m.totalSupplyAssets as bigint) > 0n) {
    const rate = (totalBorrowAssets * WAD) / (m.totalSupplyAssets as bigint) / (365n * 86_400n);
    totalBorrowAssets += (totalBorrowAssets * wTaylorCompounded(rate, elapsed)) / WAD;
  }
  return { totalBorrowAssets, totalBorrowShares: m.totalBorrowShares as bigint };
}

/**
 * What the vault holds on its venue (raw collateral and debt, interest to the latest block included); `venue` another
 * one than the current (a refinanceable vault's source after a move, REFI-1).
 */
export async function venueBalances(
  w: AdversarialWorld, venue: Venue = w.kind.venue,
): Promise<{ collateral: bigint; debt: bigint; borrowShares?: bigint }> {
  const vault = w.vault.target as string;
  if (venue === "aave") {
    const [collateral, debt] = await Promise.all([w.aCollateral.balanceOf(vault), w.market[ASSET_FIELDS[w.preset.debt].variableDebt].balanceOf(vault)]);
    return { collateral: collateral as bigint, debt: debt as bigint };
  }
  const { blue, morpho } = w.kind;
  const p = await blue!.morpho.position(morpho!.id, vault);
  const m = await morphoMarket(w, BigInt(await time.latest()));
  const shares = p.borrowShares as bigint;
  // SharesMathLib.toAssetsUp (virtual shares 1e6, virtual assets 1).
  const num = shares * (m.totalBorrowAssets + 1n);
  const den = m.totalBorrowShares + 10n ** 6n;
  return { collateral: p.collateral as bigint, debt: (num + den - 1n) / den, borrowShares: shares };
}

/** The venue's health factor of the vault's position (wad; max when it owes nothing). */
export async function venueHealthFactor(w: AdversarialWorld): Promise<bigint> {
  if (w.kind.venue === "aave") return (await w.market.pool.getUserAccountData(w.vault.target)).healthFactor;
  const { collateral, debt } = await venueBalances(w);
  if (debt === 0n) return MaxUint256;
  const oracle = w.kind.blue!.oracles[w.kind.morpho!.params.collateralToken === w.market.weth.target ? "wethUsdc" : "wstethWeth"];
  const price = (await oracle.price()) as bigint;
  return (((collateral * price) / 10n ** 36n) * w.kind.morpho!.params.lltv) / debt;
}

/**
 * The market's liquidator liquidates the vault: Aave's liquidationCall (up to the close factor) or Morpho's
 * liquidate of half the borrow shares (Morpho's own incentive). Returns the transaction's promise for `attempt`.
 */
export async function liquidateVault(w: AdversarialWorld): Promise<unknown> {
  const { market } = w;
  const { liquidator } = market;
  const vault = w.vault.target as string;
  const { debt, borrowShares } = await venueBalances(w);
  await fund(market, liquidator.address, { [w.kind.fields.debt]: debt + 10n ** BigInt(w.kind.decimals.debt) });
  if (w.kind.venue === "aave") {
    return (await market.pool.connect(liquidator).liquidationCall(w.collateral.target, w.debt.target, vault, MaxUint256, false)).wait();
  }
  const morpho = w.kind.blue!.morpho.connect(liquidator) as Contract;
  return (await morpho.liquidate(w.kind.morpho!.params, vault, 0n, borrowShares! / 2n, "0x")).wait();
}

/** `from` supplies collateral on the venue on behalf of the vault (Aave supply onBehalfOf, Morpho supplyCollateral). */
export async function supplyFor(w: AdversarialWorld, from: HardhatEthersSigner, amount: bigint): Promise<unknown> {
  if (w.kind.venue === "aave") return (await w.market.pool.connect(from).supply(w.collateral.target, amount, w.vault.target, 0)).wait();
  return (await (w.kind.blue!.morpho.connect(from) as Contract).supplyCollateral(w.kind.morpho!.params, amount, w.vault.target, "0x")).wait();
}

/**
 * `from` repays the vault's debt on the venue (Aave repay onBehalfOf: any amount, capped by Aave at the debt; Morpho
 * repay by assets: at most what the vault owes, since Morpho underflows on more).
 */
export async function repayFor(w: AdversarialWorld, from: HardhatEthersSigner, amount: bigint): Promise<unknown> {
  if (w.kind.venue === "aave") return (await w.market.pool.connect(from).repay(w.debt.target, amount, 2, w.vault.target)).wait();
  const { debt } = await venueBalances(w);
  // Morpho's repay by assets rounds the shares down: a few raw units under the debt always fit.
  const capped = amount < debt - 2n ? amount : debt > 2n ? debt - 2n : 0n;
  if (capped === 0n) return undefined;
  return (await (w.kind.blue!.morpho.connect(from) as Contract).repay(w.kind.morpho!.params, capped, 0n, w.vault.target, "0x")).wait();
}

// ---------------------------------------------------------------- the world


/**
 * Builds the world for (preset, venue). The market starts at its default prices, so the pair price at deployment is
 * known before the vault exists: stops are set relative to it.
 */
export async function adversarialWorldFor(preset: Preset, venue: Venue = "aave", refinanceable = false): Promise<AdversarialWorld> {
  const base = presetSettings(preset, {}, {}, venue);
  const target = base.targetLeverage;
  const scale = preset.reference === "wstETH/ETH" ? 0.1 : 1;
  const startRef = defaultRef(preset);
  const startPair = preset.direction === 1 ? startRef : 1 / startRef;
  const overrides = {
    stopLossPrice: startPair * (1 - 0.25 * scale),
    takeProfitPrice: startPair * (1 + 0.4 * scale),
    takeProfitLeverage: (1 + target) / 2,
    trailBps: Math.round(1500 * scale),
    maxTradeSize: base.maxTradeSize * 0.4,
    ...(process.env.FUZZ_VOLATILITY === "1" ? {} : { volatilityHorizon: 0 }),
  };
  const w = await presetWorld(preset, {}, overrides, venue, { refinanceable });
  const { market, vault } = w;
  const owner = market.deployer;
  const [, , , , , guardian, manager, dave, mallory] = market.users;
  await (await vault.connect(owner).setRoles(manager.address, guardian.address)).wait();
  // A new guardian waits out the timelock (ROLE-2); every feed re-stamped (the pair's may not be ETH/USDC).
  const [, validAt] = await vault.pendingChange(ChangeKind.Guardian);
  if (validAt !== 0n) {
    await time.increaseTo(validAt);
    for (const feed of [market.ethUsdFeed, market.usdcUsdFeed, market.btcUsdFeed, market.wstethEthFeed]) {
      await (await feed.setAnswer(await feed.latestAnswer())).wait();
    }
    await (await vault.acceptChange(ChangeKind.Guardian)).wait();
  }

  const [collateralUsd, debtUsd] = await Promise.all([market.aaveOracle.getAssetPrice(w.collateral.target), market.aaveOracle.getAssetPrice(w.debt.target)]);
  const kind = buildKind(w, { collateral: collateralUsd, debt: debtUsd }, (await vault.position()).price);
  kind.start = await poolPriceOf(market, kind.pools[kind.mainFee]);
  kind.quoteFeedStart = await kind.quoteFeed.latestAnswer();
  const world: AdversarialWorld = { ...w, owner, manager, guardian, dave, mallory, depositors: [w.alice, w.bob, w.carol], kind };

  // Mallory deposits too (she may sandwich her own deposit or exit) and trades in the pair's pools.
  await fundLegs(world, mallory.address, malloryStock(kind));
  for (const spender of [market.swapRouter.target, vault.target]) {
    await (await w.collateral.connect(mallory).getFunction("approve")(spender, MaxUint256)).wait();
  }
  await (await w.debt.connect(mallory).getFunction("approve")(market.swapRouter.target, MaxUint256)).wait();
  // The stranger donates from its own balance ($400k of collateral, $2M of debt asset; on the venue for the vault)
  // and pulls the ripcord.
  await fundLegs(world, w.stranger.address, {
    collateral: usdToRaw(400_000n * E8, collateralUsd, kind.decimals.collateral),
    debt: usdToRaw(2_000_000n * E8, debtUsd, kind.decimals.debt),
  });
  // (A refinanceable vault may move: both venues.)
  const venueTargets = refinanceable ? [market.pool.target, kind.blue!.morpho.target]
    : [kind.venue === "aave" ? market.pool.target : kind.blue!.morpho.target];
  for (const venueTarget of venueTargets) {
    for (const token of [w.collateral, w.debt]) {
      await (await token.connect(w.stranger).getFunction("approve")(venueTarget, MaxUint256)).wait();
    }
  }
  for (const holder of [w.alice, w.bob, w.carol]) {
    await (await vault.connect(holder).approve(dave.address, THIRD_PARTY_ALLOWANCE)).wait();
  }

  // Two holders to start from: $120k + $80k of collateral (60 + 40 WETH at $2,000), the pool arbitraged back to the
  // oracle after each.
  for (const [holder, usd] of [[w.alice, 120_000], [w.bob, 80_000]] as const) {
    const amount = await collateralFor(w, usd);
    await (await vault.connect(holder)["deposit(uint256,address)"](amount, holder.address)).wait();
    await swapPoolTo(market, kind.pools[kind.mainFee], kind.start);
  }
  return world;
}

const defaultRef = (preset: Preset) => defaultReferencePrice(preset.reference);

const fixtures = new Map<string, () => Promise<AdversarialWorld>>();

/**
 * The loadFixture function of (preset, venue): one named function per kind (loadFixture keys on it). `refinanceable`:
 * the vault behind a VaultProxy with its code on both venues (the campaign's world for the presets that run on both,
 * `refinanceablePreset`; the recorded known-defect replays keep the plain vault they were found on).
 */
export function adversarialFixture(presetName: string, venue: Venue = "aave", opts: { refinanceable?: boolean } = {}): () => Promise<AdversarialWorld> {
  const refinanceable = opts.refinanceable === true;
  const key = `${presetName}@${venue}${refinanceable ? "+refinanceable" : ""}`;
  let f = fixtures.get(key);
  if (!f) {
    const preset = getPreset(presetName);
    f = { [key]: () => adversarialWorldFor(preset, venue, refinanceable) }[key];
    fixtures.set(key, f);
  }
  return f;
}

/** The original world: the 3x WETH/USDC long on Aave. */
export const adversarialWorld = adversarialFixture("eth-long-3x", "aave");
