/**
 * Local Aave V3 + Uniswap V3 market for tests. The deployment itself lives in scripts/lib/market/market.ts
 * (shared with scripts and demos); this module binds it to the test's hre and adds the fixture.
 */
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployMarket as deployMarketWith, type Market, type MarketOptions } from "../../scripts/lib/market/market";

export * from "../../scripts/lib/market/market";
export * from "../../scripts/lib/market/price-math";

/** Deploys a fresh market on the in-process network (prefer loadMarketFixture in tests). */
export function deployMarket(opts?: MarketOptions): Promise<Market> {
  return deployMarketWith(hre.ethers, opts);
}

/** Default market; a named function so loadFixture deploys it once and then reverts to its snapshot. */
export async function marketFixture(): Promise<Market> {
  return deployMarket();
}

export function loadMarketFixture(): Promise<Market> {
  return loadFixture(marketFixture);
}
