/**
 * Replays a price path on the local market (real Aave V3 + Uniswap V3 bytecode, in-process Hardhat network) for
 * three positions built from the same collateral:
 *   - managed:   a vault whose allow-listed keeper calls `rebalance()` (and `ripcord()` as a last resort) at each row;
 *   - unmanaged: a second vault with the same settings and the same starting leverage that no keeper ever touches;
 *   - spot:      the collateral simply held.
 * At every row the chain clock moves to the row's time, the ETH/USD feed is set to the row's price and both
 * Uniswap pools are arbitraged to it with real swaps (setMarketPrice). Liquidators then call the real
 * Aave `liquidationCall` on any vault whose health factor is below 1 (both vaults: a managed vault whose keeper
 * could not act is liquidated like any other borrower), repeatedly while it stays below 1.
 */
import { MaxUint256, formatUnits, parseEther, type TransactionReceipt } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ILeveredVault } from "../../../typechain-types";
import { deployMarket, type Market } from "../market";
import { fund, liquidate, setMarketPrice } from "../market-helpers";
import { deployVault, type VaultSettings } from "../vault";
import { errorDecoder, type ErrorDecoder } from "./errors";
import { LiquidityFollower, type LiquidityMove } from "./liquidity";
import type { PricePoint } from "./prices";
import { backtestSettings } from "./settings";
import { ACTIONS } from "../format";

/** Health factors at or above this (no debt: the contracts return type(uint256).max) are reported as this. */
export const HF_CAP = 1e9;

// IVaultAutomation.Action names, by enum value: one list for the demo, the tasks, the bot and the backtester.
export const ACTION_NAMES = ACTIONS;
/** The vault's IVaultAutomation.Action names, by enum value (Poke: raising the trailing stop's high-water mark). */
export type ActionName = (typeof ACTION_NAMES)[number];
export const MODE_NAMES = ["Active", "StoppedOut", "ProfitTaken"] as const;
export type ModeName = (typeof MODE_NAMES)[number];

export interface BacktestOptions {
  /** Target leverage of both vaults. */
  leverage: number;
  /** Collateral (WETH) each position starts with. */
  depositWeth: number;
  /** Overrides of the vault settings (human units); the rest comes from `backtestSettings(leverage)`. */
  settings?: Partial<VaultSettings>;
  /** Half-width of the leverage band as a fraction of (L - 1). */
  bandFraction?: number;
  /** Cap on keeper calls in one row (a large delever proceeds in maxTradeSize chunks). */
  maxKeeperCallsPerRow?: number;
  /** Cap on liquidation calls per position in one row. */
  maxLiquidationsPerRow?: number;
  /** Seconds after the row's price update at which the first movers act; the others act as long again later. */
  reactionDelay?: number;
  /** Who acts first on a row's new price: liquidators (conservative, default) or the keeper. */
  keeperFirst?: boolean;
  /** Multiplier on the local Uniswap liquidity (deployMarket's uniswapDepth). */
  uniswapDepth?: number;
  /** The LP re-centres its concentrated Uniswap positions on the price as it moves (see ./liquidity). */
  followLiquidity?: boolean;
  /** Called after each row. */
  onRow?: (index: number, total: number) => void;
}

export type PositionName = "managed" | "unmanaged";

/** One position at one row; values in USD, ratios plain numbers. */
export interface VaultSample {
  /** USD, position().equityValue (0 when debt exceeds assets). */
  equity: number;
  /** null when equity is 0 (leverage undefined). */
  leverage: number | null;
  /** Capped at HF_CAP (no debt). After this row's keeper actions and liquidations. */
  healthFactor: number;
  /** Health factor right after the row's price update, before keeper or liquidators acted (capped). */
  healthFactorOnArrival: number;
  /** WETH supplied on Aave plus idle WETH. */
  collateral: number;
  /** USDC owed. */
  debt: number;
}

export interface RowRecord {
  index: number;
  /** Unix seconds of the CSV row. */
  timestamp: number;
  /** USD per ETH from the CSV (= feed = pools after the update). */
  price: number;
  managed: VaultSample;
  unmanaged: VaultSample;
  /** USD value of the collateral held. */
  spotEquity: number;
  managedMode: ModeName;
}

export interface KeeperAction {
  row: number;
  timestamp: number;
  price: number;
  action: ActionName;
  gas: number;
  leverageBefore: number | null;
  leverageAfter: number | null;
  healthFactorBefore: number;
  healthFactorAfter: number;
  /** USD of equity the action cost at oracle prices (swap price impact, fees, flash premium, ripcord reward). */
  equityCost: number;
  /** WETH paid to the caller (ripcord only). */
  reward?: number;
}

export interface KeeperFailure {
  row: number;
  timestamp: number;
  price: number;
  /** What trigger() said was due, or Ripcord. */
  action: ActionName;
  /** Decoded revert (custom error with its arguments). */
  error: string;
}

export interface LiquidationEvent {
  row: number;
  timestamp: number;
  price: number;
  position: PositionName;
  /** USDC repaid by the liquidator. */
  debtRepaid: number;
  /** WETH the liquidator received, bonus included. */
  collateralSeized: number;
  healthFactorBefore: number;
  healthFactorAfter: number;
}

export interface LiquidationFailure {
  row: number;
  position: PositionName;
  error: string;
}

export interface BacktestRun {
  options: Required<Omit<BacktestOptions, "onRow" | "settings">>;
  settings: VaultSettings;
  rows: RowRecord[];
  keeperActions: KeeperAction[];
  keeperFailures: KeeperFailure[];
  liquidations: LiquidationEvent[];
  liquidationFailures: LiquidationFailure[];
  /** LP re-centring transactions (followLiquidity only). */
  liquidityMoves: (LiquidityMove & { row: number; price: number })[];
  timing: { setupSeconds: number; replaySeconds: number; msPerRow: number };
}

const WAD_MAX_THRESHOLD = BigInt(HF_CAP) * 10n ** 18n;
const ONE = 10n ** 18n;

const wadToNumber = (x: bigint) => Number(formatUnits(x, 18));
const hfToNumber = (hf: bigint) => (hf >= WAD_MAX_THRESHOLD ? HF_CAP : wadToNumber(hf));
/** position().leverage is type(uint256).max when equity <= 0. */
const leverageToNumber = (lev: bigint, equity: bigint) => (equity === 0n || lev >= WAD_MAX_THRESHOLD ? null : wadToNumber(lev));

type PositionState = Awaited<ReturnType<ILeveredVault["position"]>>;

function sample(p: PositionState, onArrival: PositionState = p): VaultSample {
  return {
    equity: wadToNumber(p.equityValue),
    leverage: leverageToNumber(p.leverage, p.equityValue),
    healthFactor: hfToNumber(p.healthFactor),
    healthFactorOnArrival: hfToNumber(onArrival.healthFactor),
    collateral: Number(formatUnits(p.collateral + p.idleCollateral, 18)),
    debt: Number(formatUnits(p.debt, 6)),
  };
}

export async function runBacktest(
  hre: HardhatRuntimeEnvironment,
  path: PricePoint[],
  options: BacktestOptions,
): Promise<BacktestRun> {
  const opts = {
    leverage: options.leverage,
    depositWeth: options.depositWeth,
    bandFraction: options.bandFraction ?? 0.1,
    maxKeeperCallsPerRow: options.maxKeeperCallsPerRow ?? 5,
    maxLiquidationsPerRow: options.maxLiquidationsPerRow ?? 10,
    reactionDelay: options.reactionDelay ?? 60,
    keeperFirst: options.keeperFirst ?? false,
    uniswapDepth: options.uniswapDepth ?? 1,
    followLiquidity: options.followLiquidity ?? false,
  };
  if (path.length < 2) throw new Error("the price path needs at least 2 rows");
  const minGap = Math.min(...path.slice(1).map((p, i) => p.timestamp - path[i].timestamp));
  if (2 * opts.reactionDelay + 60 >= minGap) {
    throw new Error(`reaction delay ${opts.reactionDelay} s does not fit between rows ${minGap} s apart`);
  }
  const { ethers } = hre;
  const provider = hre.network.provider;
  const setupStarted = performance.now();

  // ---------------------------------------------------------------- setup at the first price
  const market = await deployMarket(ethers, { ethPrice: path[0].price, uniswapDepth: opts.uniswapDepth });
  const [depositor, keeper] = market.users;
  const settings = backtestSettings(opts.leverage, options.settings, { bandFraction: opts.bandFraction });
  const decode = await errorDecoder(hre, ["ILeveredVault", "AaveUniswapLeverageVault", "AaveUniswapVaultModule"]);
  const deploy = async (s: VaultSettings, keepers: string[]) => {
    try {
      return (await deployVault(ethers, market, { settings: s, keepers })).vault;
    } catch (error) {
      throw new Error(`vault settings rejected: ${decode(error)}\nsettings: ${JSON.stringify(s)}`);
    }
  };
  const managed = await deploy(settings, [keeper.address]);
  const unmanaged = await deploy({ ...settings, name: `${settings.name} (unmanaged)` }, []);

  const deposit = parseEther(String(opts.depositWeth));
  await fund(market, depositor.address, { weth: 2n * deposit });
  for (const vault of [managed, unmanaged]) {
    await (await market.weth.connect(depositor).getFunction("approve")(vault.target, MaxUint256)).wait();
    try {
      await (await vault.connect(depositor)["deposit(uint256,address)"](deposit, depositor.address)).wait();
    } catch (error) {
      throw new Error(`deposit of ${opts.depositWeth} WETH at ${opts.leverage}x failed: ${decode(error)}`);
    }
    // Each deposit's levering swap moved the pools: bring them back so both vaults start alike.
    await setMarketPrice(market, path[0].price);
  }

  const follower = opts.followLiquidity ? await LiquidityFollower.create(market) : undefined;
  const chainStart = Number((await ethers.provider.getBlock("latest"))!.timestamp);
  const chainTime = (row: number) => chainStart + (path[row].timestamp - path[0].timestamp);

  const run: BacktestRun = {
    options: opts,
    settings,
    rows: [],
    keeperActions: [],
    keeperFailures: [],
    liquidations: [],
    liquidationFailures: [],
    liquidityMoves: [],
    timing: { setupSeconds: 0, replaySeconds: 0, msPerRow: 0 },
  };
  const criticalHealthFactor = (await managed.automationConfig()).criticalHealthFactor;
  const start = await positions({ managed, unmanaged });
  const ctx: RowContext = {
    market, managed, unmanaged, keeper, decode, run, opts, criticalHealthFactor, mode: "Active", lastPosition: sample(start[0]),
  };
  await record(ctx, 0, path[0], start);
  run.timing.setupSeconds = (performance.now() - setupStarted) / 1000;

  // ---------------------------------------------------------------- replay
  const replayStarted = performance.now();
  let usdcFeedUpdatedAt = chainStart;
  const mineAt = async (timestamp: number) => {
    const latest = Number((await ethers.provider.getBlock("latest"))!.timestamp);
    if (latest >= timestamp) throw new Error(`row actions ran past ${timestamp}: raise --reaction-delay`);
    await provider.send("evm_mine", [timestamp]);
  };
  for (let i = 1; i < path.length; i++) {
    const t = chainTime(i);
    await provider.send("evm_setNextBlockTimestamp", [t]);
    // The USDC/USD feed never moves; it is re-stamped well before the vault's 24 h heartbeat runs out.
    if (t - usdcFeedUpdatedAt > 6 * 3600) {
      await (await market.usdcUsdFeed.setAnswer(await market.usdcUsdFeed.latestAnswer())).wait();
      usdcFeedUpdatedAt = t;
    }
    await setMarketPrice(market, path[i].price);
    for (const move of (await follower?.follow()) ?? []) run.liquidityMoves.push({ ...move, row: i, price: path[i].price });
    // First movers act `reactionDelay` after the price, the others `reactionDelay` later. The keeper's first
    // transaction thus lands at the same offset in every row whatever else was mined, so a cooldown equal to
    // the row spacing is neither shortened nor stretched by a second.
    await mineAt(t + opts.reactionDelay);
    const onArrival = await positions(ctx);

    if (opts.keeperFirst) {
      await runKeeper(ctx, i, path[i]);
      await mineAt(t + 2 * opts.reactionDelay);
      await liquidateAll(ctx, i, path[i]);
    } else {
      await liquidateAll(ctx, i, path[i]);
      await mineAt(t + 2 * opts.reactionDelay);
      await runKeeper(ctx, i, path[i]);
      // The keeper could not bring the managed vault above 1: liquidators come back.
      await liquidateIfUnhealthy(ctx, "managed", i, path[i]);
    }
    await record(ctx, i, path[i], onArrival);
    options.onRow?.(i, path.length);
  }
  run.timing.replaySeconds = (performance.now() - replayStarted) / 1000;
  run.timing.msPerRow = (run.timing.replaySeconds * 1000) / (path.length - 1);
  return run;
}

interface RowContext {
  market: Market;
  managed: ILeveredVault;
  unmanaged: ILeveredVault;
  keeper: Market["deployer"];
  decode: ErrorDecoder;
  run: BacktestRun;
  opts: BacktestRun["options"];
  /** wad, the managed vault's ripcord threshold. */
  criticalHealthFactor: bigint;
  mode: ModeName;
  /** The managed vault before the keeper transaction being recorded. */
  lastPosition: VaultSample;
}

type Positions = [managed: PositionState, unmanaged: PositionState];

async function positions(ctx: Pick<RowContext, "managed" | "unmanaged">): Promise<Positions> {
  return Promise.all([ctx.managed.position(), ctx.unmanaged.position()]);
}

async function record(ctx: RowContext, index: number, point: PricePoint, onArrival: Positions): Promise<void> {
  const [m, u] = await positions(ctx);
  ctx.run.rows.push({
    index,
    timestamp: point.timestamp,
    price: point.price,
    managed: sample(m, onArrival[0]),
    unmanaged: sample(u, onArrival[1]),
    spotEquity: ctx.opts.depositWeth * point.price,
    managedMode: ctx.mode,
  });
}

/** The managed vault's keeper: rebalance while trigger() says so (bounded), ripcord when HF < critical and rebalance could not act. */
async function runKeeper(ctx: RowContext, row: number, point: PricePoint): Promise<void> {
  const { managed, keeper } = ctx;
  const asKeeper = managed.connect(keeper);
  let acted = false;
  for (let call = 0; call < ctx.opts.maxKeeperCallsPerRow; call++) {
    // Simulated against the block the keeper's transaction will land in (eth_call on 'latest' would see the
    // previous block's time and report a cooldown that has ended by the time the transaction is mined).
    const [needed, actionId] = await managed.trigger({ blockTag: "pending" });
    if (!needed) break;
    if (!(await execute(ctx, row, point, ACTION_NAMES[Number(actionId)], () => asKeeper.rebalance()))) break;
    acted = true;
  }
  // Only an executed action changes the latched mode.
  if (acted) await updateMode(ctx);

  // Ripcord: permissionless, for a reward, when the health factor is still below critical.
  for (let call = 0; call < ctx.opts.maxKeeperCallsPerRow; call++) {
    const { healthFactor } = await managed.position();
    if (healthFactor >= ctx.criticalHealthFactor) break;
    if (!(await execute(ctx, row, point, "Ripcord", () => asKeeper.ripcord()))) break;
  }

  // With a trailing stop the keeper also raises the high-water mark at every new high: trigger() asks for it
  // (Action.Poke) only once the price is a tenth of the trail above the mark.
  if (ctx.run.settings.trailBps > 0) {
    const [{ highWaterMark }, { price }] = await Promise.all([managed.automationState(), managed.position()]);
    if (price > highWaterMark) await execute(ctx, row, point, "Poke", () => asKeeper.poke());
  }
}

/**
 * Sends one keeper transaction and records it (with the equity it cost at oracle prices), or records the revert.
 * Gas is estimated first, as a keeper simulates before sending, so a reverting call is never mined.
 */
async function execute(
  ctx: RowContext,
  row: number,
  point: PricePoint,
  expected: ActionName,
  send: () => Promise<{ wait(): Promise<TransactionReceipt | null> }>,
): Promise<boolean> {
  const before = await ctx.managed.position();
  ctx.lastPosition = sample(before);
  try {
    const receipt = (await (await send()).wait())!;
    const after = await ctx.managed.position();
    const action = actionFromReceipt(ctx, receipt, row, point);
    action.equityCost = wadToNumber(before.equityValue) - wadToNumber(after.equityValue);
    ctx.run.keeperActions.push(action);
    return true;
  } catch (error) {
    ctx.run.keeperFailures.push({ row, timestamp: point.timestamp, price: point.price, action: expected, error: ctx.decode(error) });
    return false;
  }
}

async function updateMode(ctx: RowContext): Promise<void> {
  ctx.mode = MODE_NAMES[Number((await ctx.managed.automationState()).mode)];
}

function actionFromReceipt(ctx: RowContext, receipt: TransactionReceipt, row: number, point: PricePoint): KeeperAction {
  const vault = ctx.managed;
  let executed: ReturnType<typeof vault.interface.parseLog> = null;
  let reward: number | undefined;
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== (vault.target as string).toLowerCase()) continue;
    const parsed = vault.interface.parseLog(log);
    if (parsed?.name === "ActionExecuted") executed = parsed;
    if (parsed?.name === "RipcordRewardPaid") reward = Number(formatUnits(parsed.args.assets as bigint, 18));
  }
  if (!executed) {
    // poke(): no ActionExecuted, position unchanged.
    const s = ctx.lastPosition;
    return {
      row, timestamp: point.timestamp, price: point.price, action: "Poke", gas: Number(receipt.gasUsed),
      leverageBefore: s.leverage, leverageAfter: s.leverage, healthFactorBefore: s.healthFactor,
      healthFactorAfter: s.healthFactor, equityCost: 0,
    };
  }
  const a = executed.args;
  const lev = (x: bigint) => (x >= WAD_MAX_THRESHOLD ? null : wadToNumber(x));
  return {
    row,
    timestamp: point.timestamp,
    price: point.price,
    action: ACTION_NAMES[Number(a.action)],
    gas: Number(receipt.gasUsed),
    leverageBefore: lev(a.leverageBefore),
    leverageAfter: lev(a.leverageAfter),
    healthFactorBefore: hfToNumber(a.healthFactorBefore),
    healthFactorAfter: hfToNumber(a.healthFactorAfter),
    equityCost: 0,
    ...(reward !== undefined ? { reward } : {}),
  };
}

async function liquidateAll(ctx: RowContext, row: number, point: PricePoint): Promise<void> {
  await liquidateIfUnhealthy(ctx, "unmanaged", row, point);
  await liquidateIfUnhealthy(ctx, "managed", row, point);
}

/** Real Aave liquidationCall (close factor 50%, 100% below HF 0.95) while the position's Aave HF is below 1. */
async function liquidateIfUnhealthy(ctx: RowContext, position: PositionName, row: number, point: PricePoint): Promise<void> {
  const { market, run } = ctx;
  const vault = position === "managed" ? ctx.managed : ctx.unmanaged;
  const user = vault.target as string;
  for (let call = 0; call < ctx.opts.maxLiquidationsPerRow; call++) {
    const before = await market.pool.getUserAccountData(user);
    // Nothing left to seize (bad debt) or healthy: no liquidator can or may act.
    if (before.totalDebtBase === 0n || before.totalCollateralBase === 0n || before.healthFactor >= ONE) return;
    try {
      const result = await liquidate(market, user);
      const after = await market.pool.getUserAccountData(user);
      run.liquidations.push({
        row,
        timestamp: point.timestamp,
        price: point.price,
        position,
        debtRepaid: Number(formatUnits(result.debtRepaid, 6)),
        collateralSeized: Number(formatUnits(result.collateralReceived, 18)),
        healthFactorBefore: hfToNumber(before.healthFactor),
        healthFactorAfter: hfToNumber(after.healthFactor),
      });
    } catch (error) {
      run.liquidationFailures.push({ row, position, error: ctx.decode(error) });
      return;
    }
  }
}
