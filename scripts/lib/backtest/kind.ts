/**
 * What the replay needs to know about the kind of vault it backtests (a preset of scripts/lib/deploy/presets.ts on a
 * venue): its pair and decimals, its settings, the price path in its reference price, the feed that price moves,
 * the pools arbitraged to it, and the USD value of one unit of collateral. One parameterised path for every kind:
 *   - eth-long-3x (default): the ETH/USD path as given, settings from `backtestSettings` (the results already published);
 *   - eth-short-2x: the same ETH/USD path, USDC collateral and WETH debt (the adverse move is a rally);
 *   - btc-long-2x: the ETH/USD path's *shape* scaled to the local BTC start price (60,000): BTC/USD paths are not in data/;
 *   - wsteth-loop: the CSV is the wstETH/ETH rate (data/stress/depeg/), ETH/USD stays at the market's default.
 */
import type { Contract } from "ethers";
import { getPreset, localDecimals, localPair, presetSettings, type Preset, type Venue } from "../deploy/presets";
import { DEFAULT_PRESET } from "./options";
import type { PairDecimals, VaultPair, VaultSettings } from "../deploy/vault";
import { DEFAULT_PRICES, type Market, type MarketOptions } from "../market/market";
import { poolPair, type PoolPair } from "../market/market-helpers";
import { toPriceE8, toWad } from "../market/price-math";
import type { PricePoint } from "./prices";
import { backtestSettings, type BandOptions } from "./settings";

export interface BacktestKind {
  preset: Preset;
  venue: Venue;
  pair: VaultPair;
  decimals: PairDecimals;
  /** Units of the CSV's price column (and of the report's prices). */
  priceUnit: string;
}

export function backtestKind(name: string = DEFAULT_PRESET, venue: Venue = "aave"): BacktestKind {
  const preset = getPreset(name);
  if (!preset.venues[venue]) throw new Error(`preset '${name}' does not run on ${venue}; venues: ${Object.keys(preset.venues).join(", ")}`);
  const priceUnit = { "ETH/USD": "USD per ETH", "BTC/USD": "USD per BTC", "wstETH/ETH": "ETH per wstETH" }[preset.reference];
  return { preset, venue, pair: localPair(preset), decimals: localDecimals(preset), priceUnit };
}

/**
 * The vaults' settings: eth-long-3x keeps the backtester's own (`backtestSettings`, as published; the same on Morpho); another
 * preset runs its preset settings, `overrides` on top, its stops (given in the reference price) converted to the pair.
 */
export function kindSettings(kind: BacktestKind, leverage: number, overrides: Partial<VaultSettings> = {}, band: BandOptions = {}): VaultSettings {
  if (kind.preset.name === DEFAULT_PRESET) return backtestSettings(leverage, { ...kind.preset.venues[kind.venue], ...overrides }, band);
  const { stopLossPrice, takeProfitPrice, ...rest } = overrides;
  return presetSettings(kind.preset, { stopLoss: stopLossPrice, takeProfit: takeProfitPrice }, rest, kind.venue);
}

/** The path in the kind's reference price: BTC reuses the ETH path's shape from the BTC start price. */
export function kindPath(kind: BacktestKind, path: PricePoint[]): PricePoint[] {
  if (kind.preset.reference === "wstETH/ETH" && !(path[0].price > 0.5 && path[0].price < 2)) {
    throw new Error(`${kind.preset.name} reads the CSV as the wstETH/ETH rate (about 1.15), got ${path[0].price}: e.g. data/stress/depeg/`);
  }
  if (kind.preset.reference !== "BTC/USD") return path;
  const k = DEFAULT_PRICES.btcPrice / path[0].price;
  const scale = (x: number) => Number((x * k).toFixed(2));
  return path.map((p) => ({ ...p, price: scale(p.price), ...(p.low !== undefined ? { low: scale(p.low) } : {}) }));
}

/** The market starts at the path's first price in the kind's reference. */
export function kindMarketOptions(kind: BacktestKind, start: number): MarketOptions {
  if (kind.preset.reference === "BTC/USD") return { btcPrice: start };
  if (kind.preset.reference === "wstETH/ETH") return { wstethRatio: start };
  return { ethPrice: start };
}

/**
 * The feed the path moves, its answer in feed units, and what follows it: for the loop the wstETH token's rate, and a
 * re-stamp of the (unmoved) ETH/USD feed, the other input of wstETH/USD, which is only as fresh as its older input.
 */
export function referenceFeed(market: Market, kind: BacktestKind) {
  const reference = kind.preset.reference;
  if (reference === "wstETH/ETH") {
    return {
      feed: market.wstethEthFeed as unknown as Contract,
      answer: (price: number) => toWad(price),
      follow: async (price: number, gasLimit: bigint) => {
        await (await market.wsteth.setStEthPerToken(toWad(price), { gasLimit })).wait();
        await (await market.ethUsdFeed.setAnswer(await market.ethUsdFeed.latestAnswer(), { gasLimit })).wait();
      },
    };
  }
  return { feed: (reference === "BTC/USD" ? market.btcUsdFeed : market.ethUsdFeed) as unknown as Contract, answer: toPriceE8 };
}

/** The USDC/USD feed of the pairs with USDC (it never moves): re-stamped before its 24 h heartbeat runs out. */
export function usdcFeed(market: Market, kind: BacktestKind): Contract | undefined {
  return kind.pair.collateral === "USDC" || kind.pair.debt === "USDC" ? (market.usdcUsdFeed as unknown as Contract) : undefined;
}

/**
 * The pools the path's price is arbitraged into, with their pair (base in quote = the reference price) and fee tier
 * (WETH/USDC has two; a pair with one pool has it undefined: the vaults trade in it).
 */
export function referencePools(market: Market, kind: BacktestKind): { pool: Contract; fee?: number; pair: PoolPair }[] {
  const entry = (pool: Contract, fee?: number) => ({ pool, fee, pair: poolPair(market, pool) });
  if (kind.preset.reference === "BTC/USD") return [entry(market.uniPoolWbtcUsdc)];
  if (kind.preset.reference === "wstETH/ETH") return [entry(market.uniPoolWstethWeth)];
  return [entry(market.uniPool500, market.fees.uniswapLow), entry(market.uniPool3000, market.fees.uniswapMedium)];
}

/** USD value of one unit of collateral at reference price `price` (the market's ETH/USD for the loop). */
export function collateralUsd(kind: BacktestKind, price: number): number {
  if (kind.preset.reference === "wstETH/ETH") return price * DEFAULT_PRICES.ethPrice;
  return kind.preset.direction === 1 ? price : 1;
}
