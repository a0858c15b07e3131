/**
 * Bad inputs from the operator review (issue 18), in-process: each prints one line, no stack trace, and changes
 * nothing. The command-line ones (Hardhat's own HH errors, keys, FORK) are in cli-errors.test.ts.
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { oraclePrice, poolPrice } from "../shared/market-helpers";
import { writeDeploymentRecord, type DeploymentRecord } from "../../scripts/lib/deploy/deployments";
import { UsageError, backtestOptionsFrom, parseBacktestArgv } from "../../scripts/lib/backtest/cli";
import { stackWorld } from "../factory/fixtures";
import { refused } from "../shared/tasks";

describe("bad inputs: one line, nothing changed", () => {
  describe("market:set-price", () => {
    let savedDir: string | undefined;
    before(() => {
      savedDir = process.env.DEPLOYMENTS_DIR;
      process.env.DEPLOYMENTS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "set-price-"));
    });
    after(() => {
      if (savedDir === undefined) delete process.env.DEPLOYMENTS_DIR;
      else process.env.DEPLOYMENTS_DIR = savedDir;
    });

    /** The local market recorded for the in-process network, as deploy/deploy-vault.ts records it. */
    async function recordedMarket() {
      const world = await loadFixture(stackWorld);
      const { market } = world;
      writeDeploymentRecord({
        network: "hardhat",
        chainId: 31337,
        markets: {
          collateralAsset: market.weth.target,
          debtAsset: market.usdc.target,
          swapRouter: market.swapRouter.target,
          aavePool: market.pool.target,
          uniswapFactory: market.uniswapFactory.target,
        },
        oracle: { collateralFeed: market.ethUsdFeed.target, debtFeed: market.usdcUsdFeed.target },
        localMarket: {
          "WETH/USDC 0.05% pool": market.uniPool500.target,
          "WETH/USDC 0.3% pool": market.uniPool3000.target,
          AaveOracle: market.aaveOracle.target,
        },
        vaults: [],
      } as unknown as DeploymentRecord);
      return world;
    }

    it("refuses a price outside a tenth to ten times the current one (0.0001, 1e9); feed and pools unchanged", async () => {
      const { market } = await recordedMarket();
      const before = [await oraclePrice(market), await poolPrice(market)];
      expect(await refused("market:set-price", { price: "0.0001", advance: "0" })).to.match(/^--price 0\.0001 is outside \$200\.00-\$20000\.00/);
      expect(await refused("market:set-price", { price: "1000000000", advance: "0" })).to.match(/^--price 1000000000 is outside/);
      expect([await oraclePrice(market), await poolPrice(market)]).to.deep.equal(before);
    });

    it("moves both the feed and the pools, or neither when a step fails", async () => {
      const { market } = await recordedMarket();
      const before = [await oraclePrice(market), await poolPrice(market)];
      // The arbitrageur cannot pay for the swaps: the clock has moved (a block mined) when the pool step fails; all of
      // it is reverted (block number, clock, pools and feed as before).
      const arbitrageur = (await hre.ethers.getSigners())[2];
      const balance = await market.usdc.balanceOf(arbitrageur.address);
      await (await market.usdc.connect(arbitrageur).getFunction("transfer")(market.deployer.address, balance)).wait();
      const wethBalance = await market.weth.balanceOf(arbitrageur.address);
      await (await market.weth.connect(arbitrageur).getFunction("transfer")(market.deployer.address, wethBalance)).wait();
      expect(await refused("market:set-price", { price: "2500", advance: "3600" })).to.match(/^moving the market to \$2500 failed, nothing changed/);
      expect([await oraclePrice(market), await poolPrice(market)]).to.deep.equal(before);
    });
  });

  it("backtest --leverage -2 names the option's bound, not 'argument is ambiguous'", () => {
    const parsed = parseBacktestArgv(["x.csv", "--leverage", "-2"]);
    expect(parsed.values.leverage).to.equal("-2");
    expect(() => backtestOptionsFrom(parsed.values)).to.throw(UsageError, /--leverage must be above 1/);
  });
});
