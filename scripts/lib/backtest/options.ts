/**
 * Options of a backtest run, their defaults and their checks: pure, no chain access, so that the CLI can reject a
 * bad option before Hardhat starts.
 */
import { ORACLE_PRESETS, type OracleNetwork } from "./oracle";
import type { VaultSettings } from "../deploy/vault";

export type ReplayModel = "realistic" | "rows";
export const REPLAY_MODELS: ReplayModel[] = ["realistic", "rows"];

export interface OracleOptions {
  /** Preset the other fields default to (ETH/USD on that network). */
  network: OracleNetwork;
  deviationBps: number;
  heartbeat: number;
  /** Seconds per block. */
  blockTime: number;
}

export interface BacktestOptions {
  /** Target leverage of both vaults. */
  leverage: number;
  /** Collateral (WETH) each position starts with. */
  depositWeth: number;
  /** Overrides of the vault settings (human units); the rest comes from `backtestSettings(leverage)`. */
  settings?: Partial<VaultSettings>;
  /** Half-width of the leverage band as a fraction of (L - 1). */
  bandFraction?: number;
  /** `realistic` (feed updates along the path, default) or `rows` (one jump per CSV row). */
  model?: ReplayModel;
  /** Feed behaviour (realistic model); fields not given come from the network preset (default mainnet). */
  oracle?: Partial<OracleOptions>;
  /** Blocks between a feed update and the keeper's first transaction (realistic model), default 1. */
  keeperLatencyBlocks?: number;
  /** Blocks between a feed update and the liquidators' first transaction (realistic model), default 1. */
  liquidatorLatencyBlocks?: number;
  /** Cap on keeper calls per keeper pass (a large delever proceeds in maxTradeSize chunks). */
  maxKeeperCalls?: number;
  /** Cap on liquidation calls per position and pass. */
  maxLiquidationsPerPass?: number;
  /** Rows model: seconds after the row's price update at which the first movers act; the others as long again later. */
  reactionDelay?: number;
  /** Who acts first on a new price when both are due at once: liquidators (conservative, default) or the keeper. */
  keeperFirst?: boolean;
  /** Multiplier on the local Uniswap liquidity (deployMarket's uniswapDepth). */
  uniswapDepth?: number;
  /** The LP re-centres its concentrated Uniswap positions on the price as it moves (see ./liquidity). */
  followLiquidity?: boolean;
  /** Replay the peer strategies (./peers: FLI methodology, DeFi Saver automation) beside the vaults (default true). */
  peers?: boolean;
  /** The keeper uses the vault's oracle-outage deleverage while the feed is stale (default true; OUTAGE-1). */
  outagePath?: boolean;
  /** Called after each CSV row is done; `work` is the fraction of the replay's price updates done so far (0..1). */
  onRow?: (index: number, total: number, work: number) => void;
}

export interface ResolvedOptions {
  leverage: number;
  depositWeth: number;
  bandFraction: number;
  model: ReplayModel;
  oracle: OracleOptions;
  keeperLatencyBlocks: number;
  liquidatorLatencyBlocks: number;
  maxKeeperCalls: number;
  maxLiquidationsPerPass: number;
  reactionDelay: number;
  keeperFirst: boolean;
  uniswapDepth: number;
  followLiquidity: boolean;
  peers: boolean;
  outagePath: boolean;
}

/** Resolves the options with their defaults and checks them (before any chain work). */
export function resolveOptions(options: BacktestOptions): ResolvedOptions {
  const network = options.oracle?.network ?? "mainnet";
  const preset = ORACLE_PRESETS[network];
  if (!preset) throw new Error(`unknown oracle network '${network}' (known: ${Object.keys(ORACLE_PRESETS).join(", ")})`);
  const resolved: ResolvedOptions = {
    leverage: options.leverage,
    depositWeth: options.depositWeth,
    bandFraction: options.bandFraction ?? 0.1,
    model: options.model ?? "realistic",
    oracle: {
      network,
      deviationBps: options.oracle?.deviationBps ?? preset.deviationBps,
      heartbeat: options.oracle?.heartbeat ?? preset.heartbeat,
      blockTime: options.oracle?.blockTime ?? preset.blockTime,
    },
    keeperLatencyBlocks: options.keeperLatencyBlocks ?? 1,
    liquidatorLatencyBlocks: options.liquidatorLatencyBlocks ?? 1,
    maxKeeperCalls: options.maxKeeperCalls ?? 5,
    maxLiquidationsPerPass: options.maxLiquidationsPerPass ?? 10,
    reactionDelay: options.reactionDelay ?? 60,
    keeperFirst: options.keeperFirst ?? false,
    uniswapDepth: options.uniswapDepth ?? 1,
    followLiquidity: options.followLiquidity ?? false,
    peers: options.peers ?? true,
    outagePath: options.outagePath ?? true,
  };
  if (!REPLAY_MODELS.includes(resolved.model)) throw new Error(`--model must be one of ${REPLAY_MODELS.join(", ")}`);
  if (!(resolved.leverage > 1 && resolved.leverage <= 20)) {
    throw new Error(`--leverage must be above 1 and at most 20, got ${resolved.leverage}`);
  }
  if (!(resolved.depositWeth > 0)) throw new Error(`--deposit must be > 0 WETH, got ${resolved.depositWeth}`);
  const { deviationBps, heartbeat, blockTime } = resolved.oracle;
  if (!(deviationBps > 0 && deviationBps < 10_000)) throw new Error(`--oracle-deviation-bps must be in (0, 10000), got ${deviationBps}`);
  if (!(heartbeat >= 60)) throw new Error(`--heartbeat must be at least 60 s, got ${heartbeat}`);
  if (!(blockTime > 0)) throw new Error(`block time must be > 0 s, got ${blockTime}`);
  for (const [name, v] of [["keeper-latency", resolved.keeperLatencyBlocks], ["liquidator-latency", resolved.liquidatorLatencyBlocks]] as const) {
    if (!(Number.isInteger(v) && v >= 0)) throw new Error(`--${name} must be a whole number of blocks >= 0, got ${v}`);
  }
  if (!(Number.isInteger(resolved.maxKeeperCalls) && resolved.maxKeeperCalls >= 1)) {
    throw new Error(`--max-keeper-calls must be a whole number >= 1, got ${resolved.maxKeeperCalls}`);
  }
  if (!(resolved.uniswapDepth > 0)) throw new Error(`--uniswap-depth must be > 0, got ${resolved.uniswapDepth}`);
  if (!(resolved.reactionDelay > 0)) throw new Error(`--reaction-delay must be > 0 s, got ${resolved.reactionDelay}`);
  return resolved;
}

