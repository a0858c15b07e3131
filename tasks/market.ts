/**
 * `npx hardhat market:set-price --price <usd> --network localhost`: moves the local market (deployed by
 * deploy/deploy-vault.ts on chain 31337) to an ETH/USD price, as arbitrage and the oracle would: the ETH/USD feed gets
 * the new answer, both Uniswap pools are swapped to it by the market's arbitrageur, and the USDC/USD feed is re-stamped
 * (so neither feed goes stale). Addresses come from deployments/<network>.json. Loaded with the config: no runtime
 * `hardhat` import at the top.
 */
import { task } from "hardhat/config";
import { Contract } from "ethers";
import { z } from "zod";
import { readDeploymentRecord, deploymentsFile } from "../scripts/lib/deploy/deployments";
import { describeError } from "../scripts/lib/util/format";
import { fail, integer, parseArgs, positiveNumber } from "./cli";
import { reachable } from "./shared";

/** How far one call may move the price: a tenth to ten times the current oracle price (the local market's depth). */
export const MAX_MOVE_FACTOR = 10;

const FEED_ABI = [
  "function setAnswer(int256 answer)",
  "function latestAnswer() view returns (int256)",
  "function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)",
];
const POOL_ABI = [
  "function slot0() view returns (uint160 sqrtPriceX96, int24 tick, uint16, uint16, uint16, uint8, bool)",
  "function fee() view returns (uint24)",
];
const ROUTER_ABI = [
  "function exactInputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 deadline, uint256 amountIn, uint256 amountOutMinimum, uint160 sqrtPriceLimitX96)) payable returns (uint256)",
];
const ERC20_ABI = ["function balanceOf(address) view returns (uint256)", "function approve(address,uint256) returns (bool)"];

const SetPriceArgs = z.object({
  price: positiveNumber("price"),
  advance: integer("advance", 0, 365 * 86_400),
  dryRun: z.boolean().default(false),
});

task("market:set-price", "Local market only: moves the ETH/USD feed and both Uniswap pools to a price, refreshes the feeds")
  .addParam("price", "ETH/USD, e.g. 1700")
  .addOptionalParam("advance", "seconds to move the chain's clock forward first (e.g. 3600: past a cooldown)", "0")
  .addFlag("dryRun", "print the current and the target prices, change nothing")
  .setAction(async (raw: unknown, hre) => {
    const args = parseArgs(SetPriceArgs, raw);
    await reachable(hre);
    const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
    if (chainId !== 31337) fail(`market:set-price moves the local market only (chain 31337); '${hre.network.name}' is chain ${chainId}`);
    const record = readDeploymentRecord(hre.network.name);
    const pools = record?.localMarket;
    if (!record || !pools?.["WETH/USDC 0.05% pool"]) {
      fail(`no local market recorded in ${deploymentsFile(hre.network.name)}: run deploy/deploy-vault.ts --network ${hre.network.name} first`);
    }
    if ((await hre.ethers.provider.getCode(record.oracle.collateralFeed)) === "0x") {
      fail(`the market recorded in ${deploymentsFile(hre.network.name)} is not on this chain (node restarted?): deploy again`);
    }
    const { setMarketPrice, poolPrice, oraclePrice } = await import("../scripts/lib/market/market-helpers");
    const signers = await hre.ethers.getSigners();
    const arbitrageur = signers[2]; // deployMarket's actor order: deployer, lp, arbitrageur, liquidator, users
    const weth = new Contract(record.markets.collateralAsset, ERC20_ABI, arbitrageur);
    const usdc = new Contract(record.markets.debtAsset, ERC20_ABI, arbitrageur);
    const market = {
      arbitrageur,
      weth,
      usdc,
      swapRouter: new Contract(record.markets.swapRouter, ROUTER_ABI, arbitrageur),
      ethUsdFeed: new Contract(record.oracle.collateralFeed, FEED_ABI, signers[0]),
      usdcUsdFeed: new Contract(record.oracle.debtFeed, FEED_ABI, signers[0]),
      uniPool500: new Contract(pools["WETH/USDC 0.05% pool"], POOL_ABI, hre.ethers.provider),
      uniPool3000: new Contract(pools["WETH/USDC 0.3% pool"], POOL_ABI, hre.ethers.provider),
      wethIsToken0: BigInt(record.markets.collateralAsset) < BigInt(record.markets.debtAsset),
      aaveOracle: new Contract(pools.AaveOracle, ["function getAssetPrice(address) view returns (uint256)"], hre.ethers.provider),
    } as unknown as Parameters<typeof setMarketPrice>[0];
    const before = { oracle: await oraclePrice(market), pool: await poolPrice(market) };
    const [low, high] = [before.oracle / MAX_MOVE_FACTOR, before.oracle * MAX_MOVE_FACTOR];
    if (args.price < low || args.price > high) {
      fail(
        `--price ${args.price} is outside $${low.toFixed(2)}-$${high.toFixed(2)} (a ${MAX_MOVE_FACTOR}th to ${MAX_MOVE_FACTOR}x the current $${before.oracle}): ` +
          `the local pools cannot be swapped that far; move in steps`,
      );
    }
    if (args.dryRun) {
      console.log(`dry run: oracle $${before.oracle}, 0.05% pool $${before.pool.toFixed(2)} -> would move both to $${args.price}; nothing sent`);
      return before;
    }
    // Both or neither: the clock, the feed and both pools move on a snapshot that is reverted if any step fails.
    const snapshot = await hre.network.provider.send("evm_snapshot", []);
    try {
      if (args.advance > 0) {
        await hre.network.provider.send("evm_increaseTime", [args.advance]);
        await hre.network.provider.send("evm_mine", []);
      }
      await setMarketPrice(market, args.price);
      const usdcAnswer = await market.usdcUsdFeed.latestAnswer();
      await (await market.usdcUsdFeed.setAnswer(usdcAnswer)).wait(); // re-stamped now: not stale either
    } catch (error) {
      await hre.network.provider.send("evm_revert", [snapshot]);
      fail(`moving the market to $${args.price} failed, nothing changed (feed and pools as before): ${describeError(error)}`);
    }
    const after = { oracle: await oraclePrice(market), pool: await poolPrice(market) };
    console.log(
      `ETH/USD $${before.oracle} -> $${after.oracle} (feed), 0.05% pool $${before.pool.toFixed(2)} -> $${after.pool.toFixed(2)}; ` +
        `feeds stamped at block ${await hre.ethers.provider.getBlockNumber()}`,
    );
    return after;
  });
