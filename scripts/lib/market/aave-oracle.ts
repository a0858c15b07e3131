/**
 * Prices for the local Aave market: our Chainlink-style feeds (USD in 8 decimals; the wstETH/ETH ratio in 18) behind
 * the real AaveOracle. wstETH's source is a ProductFeed (ratio * ETH/USD), a product contract, not a test double.
 */
import { ZeroAddress, type Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { MockAggregator, ProductFeed } from "../../../typechain-types";
import type { Ethers } from "./market";
import { AAVE, addr, type ArtifactDeployer } from "./market-artifacts";
import type { MarketTokens } from "./market-tokens";
import { toPriceE8, toWad } from "./price-math";

export interface PriceFeeds {
  ethUsdFeed: MockAggregator;
  usdcUsdFeed: MockAggregator;
  btcUsdFeed: MockAggregator;
  /** wstETH/ETH exchange rate, 18 decimals. */
  wstethEthFeed: MockAggregator;
  /** wstETH/USD = wstethEthFeed * ethUsdFeed, 8 decimals (ProductFeed). */
  wstethUsdFeed: ProductFeed;
}

/** Starting prices: USD numbers (ETH, BTC) and the wstETH/ETH ratio. */
export interface StartPrices {
  ethPrice: number;
  btcPrice: number;
  wstethRatio: number;
}

/** ETH/USD, USDC/USD (1), BTC/USD and wstETH/ETH from this project's MockAggregator, and the wstETH/USD product. */
export async function deployPriceFeeds(ethers: Ethers, deployer: HardhatEthersSigner, prices: StartPrices): Promise<PriceFeeds> {
  const feedFactory = await ethers.getContractFactory("contracts/test/MockAggregator.sol:MockAggregator", deployer);
  const feed = async (decimals: number, description: string, answer: bigint) =>
    (await feedFactory.deploy(decimals, description, answer)) as unknown as MockAggregator;
  const ethUsdFeed = await feed(8, "ETH / USD", toPriceE8(prices.ethPrice));
  const usdcUsdFeed = await feed(8, "USDC / USD", 10n ** 8n);
  const btcUsdFeed = await feed(8, "BTC / USD", toPriceE8(prices.btcPrice));
  const wstethEthFeed = await feed(18, "wstETH / ETH exchange rate", toWad(prices.wstethRatio));
  const productFactory = await ethers.getContractFactory("contracts/oracle/ProductFeed.sol:ProductFeed", deployer);
  const wstethUsdFeed = (await productFactory.deploy(
    await wstethEthFeed.getAddress(),
    await ethUsdFeed.getAddress(),
    "wstETH / USD",
  )) as unknown as ProductFeed;
  await wstethUsdFeed.waitForDeployment();
  return { ethUsdFeed, usdcUsdFeed, btcUsdFeed, wstethEthFeed, wstethUsdFeed };
}

/** AaveOracle reading the feeds (USD base, 8 decimals, no fallback), registered with the provider. */
export async function deployAaveOracle(
  d: ArtifactDeployer,
  provider: Contract,
  { weth, usdc, wbtc, wsteth }: MarketTokens,
  { ethUsdFeed, usdcUsdFeed, btcUsdFeed, wstethUsdFeed }: PriceFeeds,
): Promise<Contract> {
  const sources = [ethUsdFeed, usdcUsdFeed, btcUsdFeed, wstethUsdFeed];
  const aaveOracle = await d.deploy(`${AAVE}/misc/AaveOracle.sol/AaveOracle`, [
    addr(provider),
    [addr(weth), addr(usdc), addr(wbtc), addr(wsteth)],
    await Promise.all(sources.map((feed) => feed.getAddress())),
    ZeroAddress, // no fallback oracle
    ZeroAddress, // base currency USD...
    10n ** 8n, // ...in 8 decimals
  ]);
  await (await provider.setPriceOracle(addr(aaveOracle))).wait();
  return aaveOracle;
}
