/**
 * Options of a backtest run, their defaults and their checks: pure, no chain access, so that the CLI can reject a
 * bad option before Hardhat starts.
 */
import { ORACLE_PRESETS, type OracleNetwork } from "./oracle";
import type { VaultSettings } from "../deploy/vault";
import { PresetError, getPreset, type PresetName, type Venue } from "../deploy/presets";

/** The kind backtested when no preset is named: the 3x WETH/USDC long with the backtester's own settings. */
export const DEFAULT_PRESET: PresetName = "eth-long-3x";

/** Collateral each position starts with, in the collateral's own units (about $200k at the markets' start prices). */
export const BACKTEST_DEPOSITS: Record<PresetName, number> = {
  "eth-long-3x": 100,
  "eth-short-2x": 200_000,
  "btc-long-2x": 4,
  "wsteth-loop": 100,
};

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
  /** The preset replayed (scripts/lib/deploy/presets.ts), default eth-long-3x. */
  preset?: string;
  /** The lending venue, default aave. */
  venue?: Venue;
  /** Target leverage of both vaults: default kind only (default 3); another preset runs its own target. */
  leverage?: number;
  /** Collateral each position starts with, in collateral units (default BACKTEST_DEPOSITS of the preset). */
  depositWeth?: number;
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
  /**
   * Replay the peer strategies (./peers: FLI methodology, DeFi Saver automation) beside the vaults: default true for
   * eth-long-3x; they are ETH-long-specific (WETH/USDC positions), so off and refused for the other presets.
   */
  peers?: boolean;
  /** The keeper uses the vault's oracle-outage deleverage while the feed is stale (default true; OUTAGE-1). */
  outagePath?: boolean;
  /** Called after each CSV row is done; `work` is the fraction of the replay's price updates done so far (0..1). */
  onRow?: (index: number, total: number, work: number) => void;
}

export interface ResolvedOptions {
  preset: PresetName;
  venue: Venue;
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
  const feedPreset = ORACLE_PRESETS[network];
  if (!feedPreset) throw new Error(`unknown oracle network '${network}' (known: ${Object.keys(ORACLE_PRESETS).join(", ")})`);
  let presetName: PresetName;
  try {
    presetName = getPreset(options.preset ?? DEFAULT_PRESET).name;
  } catch (error) {
    if (error instanceof PresetError) throw new Error(`--preset: ${error.message}`);
    throw error;
  }
  const preset = getPreset(presetName);
  const venue = options.venue ?? "aave";
  if (!["aave", "morpho"].includes(venue)) throw new Error(`--venue must be aave or morpho, got '${venue}'`);
  if (!preset.venues[venue]) throw new Error(`--venue: preset '${presetName}' does not run on ${venue}; venues: ${Object.keys(preset.venues).join(", ")}`);
  const isDefault = presetName === DEFAULT_PRESET;
  if (!isDefault) {
    for (const [name, value] of [["leverage", options.leverage], ["band", options.bandFraction]] as const) {
      if (value !== undefined) throw new Error(`--${name} applies to ${DEFAULT_PRESET} only: ${presetName} runs its preset's own target and band`);
    }
  }
  // The peers are Aave WETH/USDC positions: beside the default kind on Aave only.
  const withPeers = isDefault && venue === "aave";
  if (options.peers && !withPeers) {
    throw new Error(`--peers: the peer strategies are ETH-long-specific Aave positions (WETH/USDC); ${presetName} on ${venue} runs without them`);
  }
  const resolved: ResolvedOptions = {
    preset: presetName,
    venue,
    leverage: options.leverage ?? (isDefault ? 3 : preset.settings.targetLeverage!),
    depositWeth: options.depositWeth ?? BACKTEST_DEPOSITS[presetName],
    bandFraction: options.bandFraction ?? 0.1,
    model: options.model ?? "realistic",
    oracle: {
      network,
      deviationBps: options.oracle?.deviationBps ?? feedPreset.deviationBps,
      heartbeat: options.oracle?.heartbeat ?? feedPreset.heartbeat,
      blockTime: options.oracle?.blockTime ?? feedPreset.blockTime,
    },
    keeperLatencyBlocks: options.keeperLatencyBlocks ?? 1,
    liquidatorLatencyBlocks: options.liquidatorLatencyBlocks ?? 1,
    maxKeeperCalls: options.maxKeeperCalls ?? 5,
    maxLiquidationsPerPass: options.maxLiquidationsPerPass ?? 10,
    reactionDelay: options.reactionDelay ?? 60,
    keeperFirst: options.keeperFirst ?? false,
    uniswapDepth: options.uniswapDepth ?? 1,
    followLiquidity: options.followLiquidity ?? false,
    peers: options.peers ?? withPeers,
    outagePath: options.outagePath ?? true,
  };
  if (!REPLAY_MODELS.includes(resolved.model)) throw new Error(`--model must be one of ${REPLAY_MODELS.join(", ")}`);
  if (!(resolved.leverage > 1 && resolved.leverage <= 20)) {
    throw new Error(`--leverage must be above 1 and at most 20, got ${resolved.leverage}`);
  }
  if (!(resolved.depositWeth > 0)) throw new Error(`--deposit must be > 0 (collateral units), got ${resolved.depositWeth}`);
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

