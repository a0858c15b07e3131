/** Prices for the local Aave market: our Chainlink-style feeds (8 decimals, USD) behind the real AaveOracle. */
import { ZeroAddress, type Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { MockAggregator } from "../../../typechain-types";
import type { Ethers } from "./market";
import { AAVE, addr, type ArtifactDeployer } from "./market-artifacts";
import type { MarketTokens } from "./market-tokens";
import { toPriceE8 } from "./price-math";

export interface PriceFeeds {
  ethUsdFeed: MockAggregator;
  usdcUsdFeed: MockAggregator;
}

/** ETH/USD starting at `ethPrice` and USDC/USD at 1, both from this project's MockAggregator. */
export async function deployPriceFeeds(ethers: Ethers, deployer: HardhatEthersSigner, ethPrice: number): Promise<PriceFeeds> {
  const feedFactory = await ethers.getContractFactory("contracts/test/MockAggregator.sol:MockAggregator", deployer);
  const ethUsdFeed = (await feedFactory.deploy(8, "ETH / USD", toPriceE8(ethPrice))) as unknown as MockAggregator;
  const usdcUsdFeed = (await feedFactory.deploy(8, "USDC / USD", 10n ** 8n)) as unknown as MockAggregator;
  return { ethUsdFeed, usdcUsdFeed };
}

/** AaveOracle reading the feeds (USD base, 8 decimals, no fallback), registered with the provider. */
export async function deployAaveOracle(
  d: ArtifactDeployer,
  provider: Contract,
  { weth, usdc }: MarketTokens,
  { ethUsdFeed, usdcUsdFeed }: PriceFeeds,
): Promise<Contract> {
  const aaveOracle = await d.deploy(`${AAVE}/misc/AaveOracle.sol/AaveOracle`, [
    addr(provider),
    [addr(weth), addr(usdc)],
    [await ethUsdFeed.getAddress(), await usdcUsdFeed.getAddress()],
    ZeroAddress, // no fallback oracle
    ZeroAddress, // base currency USD...
    10n ** 8n, // ...in 8 decimals
  ]);
  await (await provider.setPriceOracle(addr(aaveOracle))).wait();
  return aaveOracle;
}
