import { expect } from "chai";
import { plain } from "../shared/structs";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keeper3x, Action } from "../shared/keeper";
import { setMarketPrice, movePoolOnly, swapPoolTo, oraclePriceE8, poolPrice } from "../shared/market-helpers";
import { acceptPending } from "../shared/timelock";

describe("scenario: sandwich around a keeper rebalance", () => {
  async function deleverDue() {
    const world = await loadFixture(keeper3x);
    await setMarketPrice(world.market, 1850); // leverage ~3.6 > 3.3: a deleverage is due
    expect((await world.vault.trigger()).action).to.equal(Action.DeleverBand);
    return world;
  }

  it("refuses while an attacker holds the pool 3% off the oracle, succeeds once the pool is back", async () => {
    const { vault, keeper, market } = await deleverDue();
    const before = await vault.position();
    const scaled = async () => [
      await market.variableDebtUSDC.scaledBalanceOf(vault.target),
      await market.aWETH.scaledBalanceOf(vault.target),
    ];
    const scaledBefore = await scaled();

    // Front-run: dump ETH into the pool so the vault would sell its collateral 3% cheap.
    await movePoolOnly(market, -300);
    expect(await poolPrice(market)).to.be.closeTo(1850 * 0.97, 0.01);
    const spot = (1850n * 97n * 10n ** 18n) / 100n;
    await expect(vault.connect(keeper).rebalance())
      .to.be.revertedWithCustomError(vault, "KeeperDexDeviation")
      .withArgs((v: bigint) => v > spot - 10n ** 12n && v < spot + 10n ** 12n, 1850n * 10n ** 18n);
    // Refused means untouched: the scaled (interest-free) Aave balances did not move.
    expect(await scaled()).to.deep.equal(scaledBefore);

    // The pool is arbitraged back to the oracle price: the same call now goes through.
    await swapPoolTo(market, market.uniPool500, await oraclePriceE8(market));
    await expect(vault.connect(keeper).rebalance()).to.emit(vault, "ActionExecuted");
    const after = await vault.position();
    expect(after.debt).to.be.lt(before.debt);
    expect(after.leverage).to.be.lt(before.leverage);
  });

  it("with the deviation bound loosened (after the timelock), the trade sizing still refuses a fill the min out would", async () => {
    const { vault, keeper, market } = await deleverDue();
    await (await vault.setAutomationConfig({ ...plain(await vault.automationConfig()), maxDexDeviationBps: 1000 })).wait();
    await acceptPending(vault, market);
    await movePoolOnly(market, -300);
    // 1% max slippage against the oracle: a pool ~3% below it leaves no room for any fill, and trigger() agrees.
    expect((await vault.trigger()).needed).to.equal(false);
    await expect(vault.connect(keeper).rebalance()).to.be.revertedWithCustomError(vault, "KeeperNoTradeRoom");
  });
});
