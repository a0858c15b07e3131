/**
 * Moving a preset's reference price on the local market (ETH/USD, BTC/USD or the wstETH/ETH rate): the pools
 * first, then the feed, with real swaps (market-helpers). The demo, the preset tests and the benchmarks drive every
 * kind of vault through these two functions.
 */
import type { ReferencePrice } from "../deploy/presets";
import { DEFAULT_PRICES, type Market } from "./market";
import { allFeeds, refreshFeeds, setBtcPrice, setMarketPrice, setWstethRatio } from "./market-helpers";
import { time } from "@nomicfoundation/hardhat-network-helpers";

/** The reference price a market deployed with default options starts at. */
export function defaultReferencePrice(reference: ReferencePrice): number {
  if (reference === "ETH/USD") return DEFAULT_PRICES.ethPrice;
  if (reference === "BTC/USD") return DEFAULT_PRICES.btcPrice;
  return DEFAULT_PRICES.wstethRatio;
}

/** Moves the market to reference price `price` (USD for ETH and BTC, ETH per wstETH for the rate). */
export async function setReferencePrice(market: Market, reference: ReferencePrice, price: number): Promise<void> {
  if (reference === "ETH/USD") return setMarketPrice(market, price);
  if (reference === "BTC/USD") return setBtcPrice(market, price);
  return setWstethRatio(market, price);
}

/** The reference price the market's feed reports now. */
export async function referencePrice(market: Market, reference: ReferencePrice): Promise<number> {
  const feed = { "ETH/USD": market.ethUsdFeed, "BTC/USD": market.btcUsdFeed, "wstETH/ETH": market.wstethEthFeed }[reference];
  const [answer, decimals] = await Promise.all([feed.latestAnswer(), feed.decimals()]);
  return Number(answer) / 10 ** Number(decimals);
}

/** Mines a block `seconds` later and re-stamps every feed of the market (no asset's feed goes stale). */
export async function advanceTimeAllFeeds(market: Market, seconds: number): Promise<void> {
  await time.increase(seconds);
  await refreshFeeds(market, allFeeds(market));
}
