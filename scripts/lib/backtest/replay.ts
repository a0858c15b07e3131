/**
 * Replays a price path on the local market (real Aave V3 + Uniswap V3 bytecode, in-process Hardhat network) for
 * three positions built from the same collateral:
 *   - managed:   a vault created through the factory into a registry, served by the project's keeper bot
 *                (scripts/lib/keeper/keeper.ts `keeperPass`: KeeperLens scan -> simulate on the pending block -> send);
 *   - unmanaged: a second vault with the same settings and the same starting leverage, outside the registry, that no
 *                keeper ever touches;
 *   - spot:      the collateral simply held.
 * Liquidators call the real Aave `liquidationCall` on any vault whose health factor is below 1 (both vaults: a
 * managed vault whose keeper could not act is liquidated like any other borrower), repeatedly while it stays below 1.
 *
 * Two models of how prices reach the chain:
 *   - `realistic` (default): each interval is walked along its path (previous close -> the interval's low when the
 *     CSV gives one -> close, log-linear in between); the ETH/USD feed publishes as Chainlink does (deviation
 *     threshold or heartbeat, ./oracle), the pools are arbitraged to the market price the actors will see (the DEX
 *     leads the feed), and liquidators and the keeper act `latency` blocks after each update.
 *   - `rows`: every CSV row is one jump of feed and pools, actors `reactionDelay` seconds later: the pessimistic bound.
 */
import { MaxUint256, formatUnits, type Contract } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ILeveredVault, KeeperLens } from "../../../typechain-types";
import type { IOracleModule } from "../../../typechain-types/contracts/vault/AaveUniswapLeverageVault";
import { deployMarket, type Market } from "../market/market";
import { ASSET_FIELDS } from "../market/market";
import { fund, type PoolPair } from "../market/market-helpers";
import { priceToSqrtX96, toPriceE8, toWad } from "../market/price-math";
import { localOracleConfig, localTokenContract, toUnits, type VaultSettings } from "../deploy/vault";
import { VENUE_ERROR_SOURCES, deployVenue, type ReplayVenue } from "./venues";
import { keeperPass, type KeeperAction as BotAction } from "../keeper/keeper";
import { errorDecoder, type ErrorDecoder } from "./errors";
import { LiquidityFollower, type LiquidityMove } from "./liquidity";
import { marketSteps, stepSummary, waypoints, type MarketStep } from "./oracle";
import { resolveOptions, type BacktestOptions, type ResolvedOptions } from "./options";
export { resolveOptions, REPLAY_MODELS, type BacktestOptions, type ReplayModel, type ResolvedOptions } from "./options";
import type { PricePoint } from "./prices";
import { backtestKind, collateralUsd, kindMarketOptions, kindPath, kindSettings, referenceFeed, referencePools, usdcFeed, type BacktestKind } from "./kind";
import { ACTIONS, MODES } from "../util/format";
import { PEER_NAMES, createPeers, peerParams, type ActionFigures, type Peer, type PeerAction, type PeerFailure, type PeerName, type PeerParams } from "./peers";
export { PEER_NAMES, type PeerName } from "./peers";

/** Health factors at or above this (no debt: the contracts return type(uint256).max) are reported as this. */
export const HF_CAP = 1e9;

// IVaultAutomation.Action names, by enum value: one list for the demo, the tasks, the bot and the backtester.
export const ACTION_NAMES = ACTIONS;
/** The vault's IVaultAutomation.Action names, by enum value (Poke: raising the trailing stop's high-water mark). */
export type ActionName = (typeof ACTION_NAMES)[number];
export const MODE_NAMES = MODES;
export type ModeName = (typeof MODE_NAMES)[number];

export type PositionName = "managed" | "unmanaged";
/** The two vaults and the peer strategies (./peers) replayed beside them. */
export type AnyPosition = PositionName | PeerName;

/** One position at one moment; values in USD, ratios plain numbers. */
export interface VaultSample {
  /** USD, position().equityValue (0 when debt exceeds assets). */
  equity: number;
  /** null when equity is 0 (leverage undefined). */
  leverage: number | null;
  /** Capped at HF_CAP (no debt). At the end of the row, after the actors. */
  healthFactor: number;
  /** Lowest health factor right after a price update in this row, before keeper or liquidators acted (capped). */
  healthFactorOnArrival: number;
  /** Collateral supplied plus idle (collateral units: WETH for the default kind). */
  collateral: number;
  /** Debt owed (debt units: USDC for the default kind). */
  debt: number;
}

export interface RowRecord {
  index: number;
  /** Unix seconds of the CSV row. */
  timestamp: number;
  /** Reference price from the CSV (USD per ETH by default; see BacktestRun.kind) (= the pools at the row's end). */
  price: number;
  /** The feed's answer at the row's end (rows model: = price). */
  oraclePrice: number;
  managed: VaultSample;
  unmanaged: VaultSample;
  /** USD value of the collateral held. */
  spotEquity: number;
  managedMode: ModeName;
  /** The peer strategies' positions (absent when peers are off). */
  peers?: Partial<Record<PeerName, VaultSample>>;
}

/** `equityCost` is the keeper's pass's (ripcord reward included), split evenly over its successful actions. */
export interface KeeperAction extends ActionFigures {
  /** Market (pool) price when the keeper acted. */
  price: number;
  action: ActionName;
  /** The function the bot called. */
  call: "rebalance" | "ripcord" | "outageDelever";
}

export interface KeeperFailure {
  row: number;
  timestamp: number;
  price: number;
  /** What the bot was asked to do (the trigger's action, Ripcord, or Scan when trigger() itself reverted). */
  action: string;
  /** `simulation`: refused by the staticCall, nothing sent; `sent`: the transaction failed; `scan`: trigger() reverted. */
  stage: "simulation" | "sent" | "scan";
  /** Decoded revert (custom error with its arguments where the bot decoded them). */
  error: string;
}

export interface LiquidationEvent {
  row: number;
  timestamp: number;
  price: number;
  position: AnyPosition;
  /** Debt repaid by the liquidator (debt units: USDC for the default kind). */
  debtRepaid: number;
  /** Collateral the liquidator received, bonus included (collateral units: WETH for the default kind). */
  collateralSeized: number;
  healthFactorBefore: number;
  healthFactorAfter: number;
}

export interface LiquidationFailure {
  row: number;
  position: AnyPosition;
  error: string;
}

/** Extremes over every sample (each price update on arrival and after the actors), not only row ends. */
export interface PositionExtremes {
  minHealthFactor: number;
  maxDrawdownPct: number;
  minEquity: number;
  samples: number;
}

export interface BacktestRun {
  options: ResolvedOptions;
  /** The preset and venue replayed, with the units of the path's price and of the positions' tokens. */
  kind: { preset: string; venue: string; reference: string; priceUnit: string; collateral: string; debt: string };
  settings: VaultSettings;
  rows: RowRecord[];
  keeperActions: KeeperAction[];
  keeperFailures: KeeperFailure[];
  liquidations: LiquidationEvent[];
  liquidationFailures: LiquidationFailure[];
  /** LP re-centring transactions (followLiquidity only). */
  liquidityMoves: (LiquidityMove & { row: number; price: number })[];
  extremes: Record<PositionName, PositionExtremes> & Partial<Record<PeerName, PositionExtremes>>;
  /** The peer strategies replayed beside the vaults (./peers): their settings, transactions and refused calls. */
  peers?: { names: PeerName[]; params: PeerParams; actions: PeerAction[]; failures: PeerFailure[] };
  /** Price updates on chain: feed publications and pool-only steps (outages); rows model: one per row. */
  updates: ReturnType<typeof stepSummary>;
  timing: {
    setupSeconds: number;
    replaySeconds: number;
    msPerRow: number;
    msPerUpdate: number;
    /** Seconds the chain clock ran behind the schedule because actors needed more blocks than the gap allowed. */
    clockSlipSeconds: number;
  };
}

const WAD_MAX_THRESHOLD = BigInt(HF_CAP) * 10n ** 18n;
const ONE = 10n ** 18n;
/** Gas for the market's own transactions (feed, arbitrage swaps): fixed, so that no estimate runs first. */
const MARKET_TX_GAS = 1_500_000n;

const wadToNumber = (x: bigint) => Number(formatUnits(x, 18));
const hfToNumber = (hf: bigint) => (hf >= WAD_MAX_THRESHOLD ? HF_CAP : wadToNumber(hf));
/** position().leverage is type(uint256).max when equity <= 0. */
const leverageToNumber = (lev: bigint, equity: bigint) => (equity === 0n || lev >= WAD_MAX_THRESHOLD ? null : wadToNumber(lev));
const optLev = (x: bigint | undefined) => (x === undefined || x >= WAD_MAX_THRESHOLD ? null : wadToNumber(x));

interface Snapshot {
  equity: number;
  leverage: number | null;
  healthFactor: number;
  collateral: number;
  debt: number;
}

export async function runBacktest(
  hre: HardhatRuntimeEnvironment,
  path: PricePoint[],
  options: BacktestOptions,
): Promise<BacktestRun> {
  const opts = resolveOptions(options);
  if (path.length < 2) throw new Error("the price path needs at least 2 rows");
  if (opts.model === "rows") {
    const minGap = Math.min(...path.slice(1).map((p, i) => p.timestamp - path[i].timestamp));
    if (2 * opts.reactionDelay + 60 >= minGap) {
      throw new Error(`reaction delay ${opts.reactionDelay} s does not fit between rows ${minGap} s apart`);
    }
  }
  const kind = backtestKind(opts.preset, opts.venue);
  path = kindPath(kind, path);
  const steps = opts.model === "realistic" ? marketSteps(path, opts.oracle) : undefined;
  const { ethers } = hre;
  const setupStarted = performance.now();

  // ---------------------------------------------------------------- setup at the first price
  const market = await deployMarket(ethers, { ...kindMarketOptions(kind, path[0].price), uniswapDepth: opts.uniswapDepth });
  const [depositor, keeper] = market.users;
  const settings = kindSettings(kind, opts.leverage, options.settings, { bandFraction: opts.bandFraction });
  const { pair, decimals } = kind;
  const decode = await errorDecoder(hre, VENUE_ERROR_SOURCES[kind.venue]);
  // The vaults accept the moving feed (the collateral's; the debt's for a short) for as long as its heartbeat: a feed
  // on time is never stale to them.
  const oracle: IOracleModule.OracleConfigStruct = {
    ...localOracleConfig(market, pair),
    [kind.preset.direction === 1 ? "collateralHeartbeat" : "debtHeartbeat"]: opts.model === "realistic" ? opts.oracle.heartbeat : 3600,
  };
  const rejected = (error: unknown, s: VaultSettings) =>
    new Error(`vault settings rejected: ${decode(error)}${process.env.DEBUG ? `\nsettings: ${JSON.stringify(s)}` : " (DEBUG=1 prints them)"}`);
  const venue = await deployVenue({ ethers, market, kind, settings, oracle, keeper, rejected });
  const { managed, unmanaged } = venue;

  const deposit = toUnits(opts.depositWeth, decimals.collateral);
  await fund(market, depositor.address, { [ASSET_FIELDS[pair.collateral].token]: 2n * deposit });
  const pools = new PoolMover(market, kind, settings.swapFee);
  for (const vault of [managed, unmanaged]) {
    await (await localTokenContract(market, pair.collateral).connect(depositor).getFunction("approve")(vault.target, MaxUint256)).wait();
    try {
      await (await vault.connect(depositor)["deposit(uint256,address)"](deposit, depositor.address)).wait();
    } catch (error) {
      throw new Error(`deposit of ${opts.depositWeth} ${pair.collateral} at ${settings.targetLeverage}x failed: ${decode(error)}`);
    }
    // Each deposit's levering swap moved the pools: bring them back so both vaults start alike.
    await pools.moveTo(path[0].price, true);
  }

  // The peers: the same deposit at the same leverage, on the same pools, opened after the vaults.
  let peers: Peer[] = [];
  if (opts.peers) {
    peers = await createPeers(
      { hre, market, decode, blockTime: opts.oracle.blockTime, maxCalls: opts.maxKeeperCalls, hfCap: HF_CAP },
      [market.users[2], market.users[3]],
      peerParams(opts.leverage, path[0].price, settings.maxTradeSize),
      { depositWeth: opts.depositWeth, leverage: opts.leverage, swapFee: settings.swapFee },
    );
    await pools.moveTo(path[0].price, true);
    const engaged = Number((await ethers.provider.getBlock("latest"))!.timestamp);
    for (const peer of peers) if ("lastTrade" in peer) (peer as { lastTrade: number }).lastTrade = engaged;
  }

  const follower = opts.followLiquidity ? await LiquidityFollower.create(market, referencePools(market, kind).map((p) => p.pool)) : undefined;
  const chainStart = Number((await ethers.provider.getBlock("latest"))!.timestamp) + 1;

  const run: BacktestRun = {
    options: opts,
    kind: { preset: kind.preset.name, venue: kind.venue, reference: kind.preset.reference, priceUnit: kind.priceUnit, collateral: pair.collateral, debt: pair.debt },
    settings,
    rows: [],
    keeperActions: [],
    keeperFailures: [],
    liquidations: [],
    liquidationFailures: [],
    liquidityMoves: [],
    extremes: { managed: newExtremes(), unmanaged: newExtremes(), ...Object.fromEntries(peers.map((p) => [p.name, newExtremes()])) },
    ...(opts.peers
      ? { peers: { names: peers.map((p) => p.name), params: peerParams(opts.leverage, path[0].price, settings.maxTradeSize), actions: [], failures: [] } }
      : {}),
    updates: steps ? stepSummary(steps) : { steps: path.length - 1, feedUpdates: path.length - 1, deviationUpdates: 0, heartbeatUpdates: 0, outageSteps: 0, outages: 0 },
    timing: { setupSeconds: 0, replaySeconds: 0, msPerRow: 0, msPerUpdate: 0, clockSlipSeconds: 0 },
  };
  const ctx: ReplayContext = {
    hre, market, kind, managed, unmanaged, keeper, decode, run, opts, pools, follower, chainStart, peers,
    venue, lens: venue.lens, registry: venue.registry,
    t0: path[0].timestamp, mode: "Active", oraclePrice: path[0].price, usdcFeedUpdatedAt: chainStart,
    rowArrival: freshArrival(peers), followCheckedAt: path[0].price, arrivalEquity: 0, acted: false,
  };
  const start = await snapshots(ctx);
  track(ctx, start);
  record(ctx, 0, path[0], start);
  run.timing.setupSeconds = (performance.now() - setupStarted) / 1000;

  // ---------------------------------------------------------------- replay
  const replayStarted = performance.now();
  if (steps) await replayRealistic(ctx, path, steps, options.onRow);
  else await replayRows(ctx, path, options.onRow);
  run.timing.replaySeconds = (performance.now() - replayStarted) / 1000;
  if (run.peers) {
    run.peers.actions = peers.flatMap((p) => p.actions).sort((a, b) => a.timestamp - b.timestamp);
    run.peers.failures = peers.flatMap((p) => p.failures).sort((a, b) => a.timestamp - b.timestamp);
  }
  run.timing.msPerRow = (run.timing.replaySeconds * 1000) / (path.length - 1);
  run.timing.msPerUpdate = (run.timing.replaySeconds * 1000) / Math.max(1, run.updates.steps);
  return run;
}

interface ReplayContext {
  hre: HardhatRuntimeEnvironment;
  market: Market;
  kind: BacktestKind;
  venue: ReplayVenue;
  managed: ILeveredVault;
  unmanaged: ILeveredVault;
  /** The peer strategies (empty when off). */
  peers: Peer[];
  keeper: Market["deployer"];
  lens: KeeperLens;
  registry: string;
  decode: ErrorDecoder;
  run: BacktestRun;
  opts: ResolvedOptions;
  pools: PoolMover;
  follower?: LiquidityFollower;
  /** Chain timestamp of the path's first row. */
  chainStart: number;
  /** Unix seconds of the path's first row. */
  t0: number;
  mode: ModeName;
  /** The moving feed's current answer, in the reference price. */
  oraclePrice: number;
  usdcFeedUpdatedAt: number;
  /** Lowest HF on arrival of a price in the current row. */
  rowArrival: Partial<Record<AnyPosition, number>>;
  /** Pool price at which the liquidity follower last looked. */
  followCheckedAt: number;
  /** The managed vault's equity on arrival of the current update (USD). */
  arrivalEquity: number;
  /** Something happened in the last act() (an action, a liquidation or a failure). */
  acted: boolean;
}

/** The moment actors act, for the records: CSV clock, market price, row. */
interface Moment {
  row: number;
  timestamp: number;
  price: number;
}

function freshArrival(peers: Peer[]): Partial<Record<AnyPosition, number>> {
  return { managed: HF_CAP, unmanaged: HF_CAP, ...Object.fromEntries(peers.map((p) => [p.name, HF_CAP])) };
}

function newExtremes(): PositionExtremes & { peak: number } {
  return { minHealthFactor: HF_CAP, maxDrawdownPct: 0, minEquity: Infinity, samples: 0, peak: 0 };
}

// ------------------------------------------------------------------ chain clock

async function latestTimestamp(ctx: ReplayContext): Promise<number> {
  return Number((await ctx.hre.ethers.provider.getBlock("latest"))!.timestamp);
}

/** The next transaction lands at `timestamp` (or right after the latest block if that is already later). */
async function scheduleAt(ctx: ReplayContext, timestamp: number, strict: boolean): Promise<void> {
  const latest = await latestTimestamp(ctx);
  if (latest >= timestamp) {
    if (strict) throw new Error(`row actions ran past ${timestamp}: raise --reaction-delay`);
    ctx.run.timing.clockSlipSeconds += latest + 1 - timestamp;
    return;
  }
  await ctx.hre.network.provider.send("evm_setNextBlockTimestamp", [timestamp]);
}

/** Mines an empty block at `timestamp` so that reads (the keeper's scan) see that time; later if already past. */
async function mineAt(ctx: ReplayContext, timestamp: number, strict: boolean): Promise<void> {
  const latest = await latestTimestamp(ctx);
  if (latest >= timestamp) {
    if (strict) throw new Error(`row actions ran past ${timestamp}: raise --reaction-delay`);
    // Due in the block just mined (same latency for both actors) is on time: the next block follows it.
    ctx.run.timing.clockSlipSeconds += latest - timestamp;
    return;
  }
  await ctx.hre.network.provider.send("evm_mine", [timestamp]);
}

// ------------------------------------------------------------------ market moves

/**
 * Arbitrage of both Uniswap pools to a price with real swaps (as market-helpers' swapPoolTo, with the pools' fee and
 * direction known and a fixed gas limit: 1 read and 1 transaction per pool instead of ~8 requests).
 */
class PoolMover {
  private readonly pools: { pool: Contract; fee?: number; pair: PoolPair; lastPrice: number }[];
  /** The pool price's units: 1e18 for the wstETH/ETH rate, 1e8 for USD prices. */
  private readonly raw: (price: number) => bigint;
  constructor(private readonly market: Market, kind: BacktestKind, private readonly vaultFee: number) {
    this.pools = referencePools(market, kind).map((p) => ({ ...p, lastPrice: 0 }));
    this.raw = this.pools[0].pair.priceDecimals === 18 ? toWad : toPriceE8;
  }

  /**
   * The pool the vaults trade in follows every move; another one of the pair (nobody trades in it here) only once it
   * is 1 % off, or when `all` is set: a swap costs ~20 ms on the in-process chain, the largest part of an update.
   */
  async moveTo(price: number, all = false): Promise<void> {
    const router = this.market.swapRouter.connect(this.market.arbitrageur) as Contract;
    for (const entry of this.pools) {
      const { pool, fee, pair, lastPrice } = entry;
      if (!all && fee !== undefined && fee !== this.vaultFee && Math.abs(price / lastPrice - 1) < 0.01) continue;
      entry.lastPrice = price;
      const target = priceToSqrtX96(this.raw(price), pair);
      const { sqrtPriceX96: current } = await pool.slot0();
      if (current === target) continue;
      const zeroForOne = target < current;
      const baseIn = zeroForOne === pair.baseIsToken0;
      const [tokenIn, tokenOut] = baseIn ? [pair.base, pair.quote] : [pair.quote, pair.base];
      // The arbitrageur is funded far beyond any move; the router pulls only what reaching the limit takes.
      await (
        await router.exactInputSingle(
          {
            tokenIn: tokenIn.target, tokenOut: tokenOut.target, fee: fee ?? this.vaultFee, recipient: this.market.arbitrageur.address,
            deadline: MaxUint256, amountIn: 10n ** 30n, amountOutMinimum: 0n, sqrtPriceLimitX96: target,
          },
          { gasLimit: MARKET_TX_GAS },
        )
      ).wait();
    }
  }
}

/** Feed answer, pools, USDC feed re-stamp and LP re-centring for one price update. */
async function publish(ctx: ReplayContext, feedPrice: number | undefined, poolPrice: number, moment: Moment, allPools = false): Promise<void> {
  const { market } = ctx;
  const now = (await latestTimestamp(ctx)) + 1;
  // The USDC/USD feed never moves; it is re-stamped well before the vault's 24 h heartbeat runs out.
  const usdc = usdcFeed(market, ctx.kind);
  if (usdc && now - ctx.usdcFeedUpdatedAt > 6 * 3600) {
    await (await usdc.setAnswer(10n ** 8n, { gasLimit: MARKET_TX_GAS })).wait();
    ctx.usdcFeedUpdatedAt = now;
  }
  if (feedPrice !== undefined) {
    const moving = referenceFeed(market, ctx.kind);
    await (await moving.feed.setAnswer(moving.answer(feedPrice), { gasLimit: MARKET_TX_GAS })).wait();
    await moving.follow?.(feedPrice, MARKET_TX_GAS);
    ctx.oraclePrice = feedPrice;
  }
  await ctx.pools.moveTo(poolPrice, allPools);
  // The follower re-centres only once the price has left the middle half of the range (+-20% here): looking after
  // every 2% move is enough and saves two reads per update.
  if (ctx.follower && Math.abs(Math.log(poolPrice / ctx.followCheckedAt)) > 0.02) {
    ctx.followCheckedAt = poolPrice;
    for (const move of await ctx.follower.follow()) ctx.run.liquidityMoves.push({ ...move, row: moment.row, price: poolPrice });
  }
}

// ------------------------------------------------------------------ the two models

async function replayRows(ctx: ReplayContext, path: PricePoint[], onRow: BacktestOptions["onRow"]): Promise<void> {
  const { opts } = ctx;
  for (let i = 1; i < path.length; i++) {
    const t = ctx.chainStart + (path[i].timestamp - ctx.t0);
    const moment = { row: i, timestamp: path[i].timestamp, price: path[i].price };
    await scheduleAt(ctx, t, true);
    await publish(ctx, path[i].price, path[i].price, moment, true);
    // First movers act `reactionDelay` after the price, the others `reactionDelay` later. The keeper's first
    // transaction thus lands at the same offset in every row whatever else was mined, so a cooldown equal to
    // the row spacing is neither shortened nor stretched by a second.
    await mineAt(ctx, t + opts.reactionDelay, true);
    await act(ctx, moment, t + 2 * opts.reactionDelay, true);
    const end = await snapshots(ctx);
    track(ctx, end);
    record(ctx, i, path[i], end);
    onRow?.(i, path.length, i / (path.length - 1));
  }
}

async function replayRealistic(ctx: ReplayContext, path: PricePoint[], steps: MarketStep[], onRow: BacktestOptions["onRow"]): Promise<void> {
  const { opts } = ctx;
  const priceAt = marketPrice(path);
  const [keeperDelay, liquidatorDelay] = [opts.keeperLatencyBlocks, opts.liquidatorLatencyBlocks].map((blocks) =>
    Math.max(1, Math.ceil(blocks * opts.oracle.blockTime)),
  );
  const first = opts.keeperFirst ? Math.min(keeperDelay, liquidatorDelay) : liquidatorDelay;
  const second = opts.keeperFirst ? liquidatorDelay : keeperDelay;
  const lead = Math.max(keeperDelay, liquidatorDelay);
  let row = 1;
  const finishRowsBefore = async (nextRow: number) => {
    for (; row < nextRow; row++) {
      const end = await snapshots(ctx);
      record(ctx, row, path[row], end);
      onRow?.(row, path.length, done / steps.length);
    }
  };
  let done = 0;
  for (const step of steps) {
    await finishRowsBefore(step.row);
    const t = ctx.chainStart + Math.ceil(step.t);
    const pathTime = ctx.t0 + step.t;
    // Arbitrageurs keep the pools at the market: when the actors' transactions land, `lead` seconds after the feed's,
    // the market has already moved on along the path (the DEX leads the feed).
    const poolPrice = priceAt(Math.min(step.t + lead, path[path.length - 1].timestamp - ctx.t0));
    const moment = { row: step.row, timestamp: Math.round(pathTime), price: poolPrice };
    await scheduleAt(ctx, t, false);
    await publish(ctx, step.feed ? step.price : undefined, poolPrice, moment);
    await mineAt(ctx, t + first, false);
    const arrival = await act(ctx, moment, t + second, false);
    // Nobody acted: the positions are what they were on arrival (but for seconds of interest).
    if (ctx.acted) track(ctx, await snapshots(ctx));
    else track(ctx, arrival);
    done += 1;
  }
  await finishRowsBefore(path.length);
}

/** The market price along the path (log-linear between waypoints), by seconds since the first row. */
export function marketPrice(path: PricePoint[]): (t: number) => number {
  const points = waypoints(path);
  let k = 1;
  return (t: number) => {
    if (t <= 0) return points[0].price;
    if (t < points[k - 1].t) k = 1;
    while (k < points.length - 1 && points[k].t < t) k++;
    const [a, b] = [points[k - 1], points[k]];
    if (t >= b.t) return b.price;
    const f = (t - a.t) / (b.t - a.t);
    return Math.exp(Math.log(a.price) + f * (Math.log(b.price) - Math.log(a.price)));
  };
}

/**
 * The actors after a price update; the first movers' block is already mined. Liquidators first (default): they act,
 * then the keeper at `secondAt`, then liquidators again on the managed vault if the keeper could not lift it above 1.
 */
async function act(ctx: ReplayContext, moment: Moment, secondAt: number, strict: boolean): Promise<Snapshots> {
  const { run } = ctx;
  const peerEvents = () => ctx.peers.reduce((n, p) => n + p.actions.length + p.failures.length, 0);
  const events = () =>
    run.liquidations.length + run.keeperActions.length + run.liquidationFailures.length + run.keeperFailures.length + peerEvents();
  const before = events();
  const arrival = await snapshots(ctx);
  ctx.arrivalEquity = arrival.managed.equity;
  track(ctx, arrival);
  for (const name of positionsOf(ctx)) ctx.rowArrival[name] = Math.min(ctx.rowArrival[name] ?? HF_CAP, arrival[name]!.healthFactor);
  // The vault's HF is Aave's from the same feed; a margin covers rounding. Liquidators check Aave itself.
  const mayLiquidate = (p: AnyPosition) => arrival[p]!.healthFactor < 1.01;
  const peerNames = ctx.peers.map((p) => p.name);
  if (ctx.opts.keeperFirst) {
    await runKeeper(ctx, moment);
    await runPeers(ctx, moment);
    await mineAt(ctx, secondAt, strict);
    await liquidateIfUnhealthy(ctx, "unmanaged", moment, mayLiquidate("unmanaged"));
    await liquidateIfUnhealthy(ctx, "managed", moment, true);
    for (const name of peerNames) await liquidateIfUnhealthy(ctx, name, moment, true);
  } else {
    await liquidateIfUnhealthy(ctx, "unmanaged", moment, mayLiquidate("unmanaged"));
    await liquidateIfUnhealthy(ctx, "managed", moment, mayLiquidate("managed"));
    for (const name of peerNames) await liquidateIfUnhealthy(ctx, name, moment, mayLiquidate(name));
    await mineAt(ctx, secondAt, strict);
    await runKeeper(ctx, moment);
    // The peers' executors act after the same latency as the keeper.
    await runPeers(ctx, moment);
    // The keeper (or a peer's executor) could not bring the position above 1: liquidators come back.
    await liquidateIfUnhealthy(ctx, "managed", moment, true);
    for (const name of peerNames) await liquidateIfUnhealthy(ctx, name, moment, true);
  }
  ctx.acted = events() !== before;
  return arrival;
}

// ------------------------------------------------------------------ positions

type Snapshots = Record<PositionName, Snapshot> & Partial<Record<PeerName, Snapshot>>;

function positionsOf(ctx: ReplayContext): AnyPosition[] {
  return ["managed", "unmanaged", ...ctx.peers.map((p) => p.name)];
}

async function snapshots(ctx: ReplayContext): Promise<Snapshots> {
  const [managed, unmanaged, ...peers] = await Promise.all([
    snapshot(ctx, ctx.managed),
    snapshot(ctx, ctx.unmanaged),
    ...ctx.peers.map(async (p): Promise<Snapshot> => {
      const s = await p.state();
      return { equity: s.equity, leverage: s.leverage, healthFactor: s.healthFactor, collateral: s.collateral, debt: s.debtValue };
    }),
  ]);
  return { managed, unmanaged, ...Object.fromEntries(ctx.peers.map((p, i) => [p.name, peers[i]])) };
}

/**
 * position() of the vault; when it reverts (its oracle stale during an outage) the same figures from Aave's account
 * data and the vault's idle balances at the Aave oracle's price.
 */
async function snapshot(ctx: ReplayContext, vault: ILeveredVault): Promise<Snapshot> {
  try {
    const p = await vault.position();
    return {
      equity: wadToNumber(p.equityValue),
      leverage: leverageToNumber(p.leverage, p.equityValue),
      healthFactor: hfToNumber(p.healthFactor),
      collateral: Number(formatUnits(p.collateral + p.idleCollateral, ctx.kind.decimals.collateral)),
      debt: Number(formatUnits(p.debt, ctx.kind.decimals.debt)),
    };
  } catch {
    return venueSnapshot(ctx, vault.target as string);
  }
}

/** The fallback of `snapshot`: the venue's balances and health factor, the idle balances, at the Aave oracle's prices. */
async function venueSnapshot(ctx: ReplayContext, user: string): Promise<Snapshot> {
  const { market } = ctx;
  const { pair, decimals } = ctx.kind;
  const [collateralToken, debtToken] = [localTokenContract(market, pair.collateral), localTokenContract(market, pair.debt)];
  const [held, account, idleCollateral, idleDebt, collateralPrice, debtPrice] = await Promise.all([
    ctx.venue.balances(user),
    ctx.venue.account(user),
    collateralToken.balanceOf(user) as Promise<bigint>,
    debtToken.balanceOf(user) as Promise<bigint>,
    market.aaveOracle.getAssetPrice(collateralToken.target) as Promise<bigint>,
    market.aaveOracle.getAssetPrice(debtToken.target) as Promise<bigint>,
  ]);
  const collateral = Number(formatUnits(held.collateral + idleCollateral, decimals.collateral));
  const debt = Number(formatUnits(held.debt, decimals.debt));
  const gross = (collateral * Number(collateralPrice)) / 1e8 + (Number(formatUnits(idleDebt, decimals.debt)) * Number(debtPrice)) / 1e8;
  const equity = Math.max(0, gross - (debt * Number(debtPrice)) / 1e8);
  return {
    equity,
    leverage: equity > 0 ? gross / equity : null,
    healthFactor: account.hasDebt ? hfToNumber(account.healthFactor) : HF_CAP,
    collateral,
    debt,
  };
}

function track(ctx: ReplayContext, s: Snapshots): void {
  for (const name of positionsOf(ctx)) {
    const e = ctx.run.extremes[name] as PositionExtremes & { peak: number };
    const { equity, healthFactor } = s[name]!;
    e.samples += 1;
    e.minHealthFactor = Math.min(e.minHealthFactor, healthFactor);
    e.minEquity = Math.min(e.minEquity, equity);
    e.peak = Math.max(e.peak, equity);
    if (e.peak > 0) e.maxDrawdownPct = Math.max(e.maxDrawdownPct, ((e.peak - equity) / e.peak) * 100);
  }
}

function record(ctx: ReplayContext, index: number, point: PricePoint, end: Snapshots): void {
  const sample = (name: AnyPosition): VaultSample => ({
    equity: end[name]!.equity,
    leverage: end[name]!.leverage,
    healthFactor: end[name]!.healthFactor,
    healthFactorOnArrival: Math.min(ctx.rowArrival[name] ?? HF_CAP, end[name]!.healthFactor),
    collateral: end[name]!.collateral,
    debt: end[name]!.debt,
  });
  ctx.run.rows.push({
    index,
    timestamp: point.timestamp,
    price: point.price,
    oraclePrice: ctx.oraclePrice,
    managed: sample("managed"),
    unmanaged: sample("unmanaged"),
    spotEquity: ctx.opts.depositWeth * collateralUsd(ctx.kind, point.price),
    managedMode: ctx.mode,
    ...(ctx.peers.length ? { peers: Object.fromEntries(ctx.peers.map((p) => [p.name, sample(p.name)])) } : {}),
  });
  ctx.rowArrival = freshArrival(ctx.peers);
}

// ------------------------------------------------------------------ keeper and liquidators

/**
 * One pass of the project's keeper bot over the registry (only the managed vault is in it): KeeperLens scan, then for
 * a due vault rebalance() simulated on the pending block and sent, ripcord() when that is refused and HF < critical,
 * chunked unwinds while the vault's trigger() says more is due.
 */
async function runKeeper(ctx: ReplayContext, moment: Moment): Promise<void> {
  const { run } = ctx;
  const last = run.liquidations[run.liquidations.length - 1];
  const liquidated = last !== undefined && last.position === "managed" && last.timestamp === moment.timestamp;
  const before = liquidated ? (await snapshot(ctx, ctx.managed)).equity : ctx.arrivalEquity;
  const pass = await keeperPass(ctx.hre.ethers, ctx.registry, ctx.keeper, {
    lens: ctx.lens.target as string,
    maxActionsPerVault: ctx.opts.maxKeeperCalls,
    log: () => {},
  });
  for (const failure of pass.failures) {
    run.keeperFailures.push({ ...moment, action: "Scan", stage: "scan", error: failure.error });
  }
  // A stale feed stops the keeper's scan: the keeper then tries the outage path (OUTAGE-1), which opens once the
  // feed has been stale past its heartbeat plus the grace period and prices on the pool's TWAP.
  if (ctx.opts.outagePath && pass.failures.some((f) => /OracleStale/.test(f.error))) await runOutagePath(ctx, moment, before);
  const done: BotAction[] = [];
  for (const a of pass.actions) {
    if (!a.ok) {
      run.keeperFailures.push({ ...moment, action: a.action, stage: a.notSent ? "simulation" : "sent", error: a.error ?? "unknown" });
      continue;
    }
    done.push(a);
  }
  if (done.length === 0) return;
  const cost = before - (await snapshot(ctx, ctx.managed)).equity;
  for (const a of done) {
    const action = (ACTION_NAMES as readonly string[]).includes(a.action) ? (a.action as ActionName) : "None";
    run.keeperActions.push({
      ...moment,
      action,
      call: a.call,
      gas: Number(a.gasUsed ?? 0n),
      leverageBefore: optLev(a.leverageBefore),
      leverageAfter: optLev(a.leverageAfter),
      healthFactorBefore: a.healthFactorBefore === undefined ? HF_CAP : hfToNumber(a.healthFactorBefore),
      healthFactorAfter: a.healthFactorAfter === undefined ? HF_CAP : hfToNumber(a.healthFactorAfter),
      equityCost: cost / done.length,
      ...(a.reward !== undefined ? { reward: Number(formatUnits(a.reward, ctx.kind.decimals.collateral)) } : {}),
    });
  }
  ctx.mode = MODE_NAMES[Number((await ctx.managed.automationState()).mode)];
}

/** Calls `outageDelever()` while its simulation on the pending block goes through, at most `maxKeeperCalls` times. */
async function runOutagePath(ctx: ReplayContext, moment: Moment, equityBefore: number): Promise<void> {
  const { run, managed, keeper } = ctx;
  const vault = managed.connect(keeper);
  let before = equityBefore;
  for (let i = 0; i < ctx.opts.maxKeeperCalls; i++) {
    try {
      await vault.outageDelever.staticCall({ blockTag: "pending" });
    } catch (error) {
      const decoded = ctx.decode(error);
      // Closed (within grace, nothing to delever, hourly cap): not a failure of the keeper's.
      if (!/Outage(FeedsFresh|GracePeriod|NothingToDelever|HourlyCapReached)/.test(decoded)) {
        run.keeperFailures.push({ ...moment, action: "OutageDelever", stage: "simulation", error: decoded });
      }
      return;
    }
    let receipt;
    try {
      receipt = await (await vault.outageDelever({ gasLimit: 5_000_000n })).wait();
    } catch (error) {
      run.keeperFailures.push({ ...moment, action: "OutageDelever", stage: "sent", error: ctx.decode(error) });
      return;
    }
    const executed = receipt!.logs
      .map((log) => { try { return managed.interface.parseLog(log); } catch { return null; } })
      .find((e) => e?.name === "ActionExecuted");
    const after = (await snapshot(ctx, managed)).equity;
    const [, , levBefore, levAfter, hfBefore, hfAfter] = (executed?.args ?? []) as unknown as bigint[];
    run.keeperActions.push({
      ...moment,
      action: "OutageDelever",
      call: "outageDelever",
      gas: Number(receipt!.gasUsed),
      leverageBefore: optLev(levBefore),
      leverageAfter: optLev(levAfter),
      healthFactorBefore: hfBefore === undefined ? HF_CAP : hfToNumber(hfBefore),
      healthFactorAfter: hfAfter === undefined ? HF_CAP : hfToNumber(hfAfter),
      equityCost: before - after,
    });
    before = after;
  }
}

/**
 * The peers' executors, one after the other, each on pools arbitraged back to the market first: whoever traded before
 * (the keeper, the other peer) does not hand a better or worse price to the next one.
 */
async function runPeers(ctx: ReplayContext, moment: Moment): Promise<void> {
  for (const peer of ctx.peers) {
    await ctx.pools.moveTo(moment.price);
    await peer.pass(moment, (await latestTimestamp(ctx)) + 1);
  }
}

/** Real Aave liquidationCall (close factor 50%, 100% below HF 0.95) while the position's Aave HF is below 1. */
async function liquidateIfUnhealthy(ctx: ReplayContext, position: AnyPosition, moment: Moment, mayBeDue: boolean): Promise<void> {
  if (!mayBeDue) return;
  const { run } = ctx;
  const user =
    position === "managed" ? (ctx.managed.target as string)
    : position === "unmanaged" ? (ctx.unmanaged.target as string)
    : ctx.peers.find((p) => p.name === position)!.address;
  for (let call = 0; call < ctx.opts.maxLiquidationsPerPass; call++) {
    const before = await ctx.venue.account(user);
    // Nothing left to seize (bad debt) or healthy: no liquidator can or may act.
    if (!before.hasDebt || !before.hasCollateral || before.healthFactor >= ONE) return;
    try {
      const result = await ctx.venue.liquidate(user);
      const after = await ctx.venue.account(user);
      run.liquidations.push({
        ...moment,
        position,
        debtRepaid: Number(formatUnits(result.debtRepaid, ctx.kind.decimals.debt)),
        collateralSeized: Number(formatUnits(result.collateralReceived, ctx.kind.decimals.collateral)),
        healthFactorBefore: hfToNumber(before.healthFactor),
        healthFactorAfter: hfToNumber(after.healthFactor),
      });
    } catch (error) {
      run.liquidationFailures.push({ row: moment.row, position, error: ctx.decode(error) });
      return;
    }
  }
}

