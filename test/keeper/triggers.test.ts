import { expect } from "chai";
import { plain } from "../shared/structs";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld, keeper3x, Action, Mode, findTriggerBoundary, setFeed } from "../shared/keeper";
import { setMarketPrice, advanceTime } from "../shared/market-helpers";
import { recordGas } from "../shared/gas";
import { acceptPending } from "../shared/timelock";

const E8 = 10n ** 8n;
const WAD = 10n ** 18n;
const TICK = 1n; // one feed unit: 1e-8 USD

const wideBand3x = () =>
  keeperWorld({ targetLeverage: 3, minLeverage: 2.7, maxLeverage: 4, minHealthFactor: 1.15, criticalHealthFactor: 1.08 });
const stopAt1950 = () => keeperWorld({ targetLeverage: 3, minLeverage: 2.7, maxLeverage: 3.3, minHealthFactor: 1.15, stopLossPrice: 1950 });
const takeProfitAt2100 = () =>
  keeperWorld({ targetLeverage: 3, minLeverage: 2.7, maxLeverage: 3.3, minHealthFactor: 1.15, takeProfitPrice: 2100, takeProfitLeverage: 2 });
const trail5pct = () => keeperWorld({ targetLeverage: 3, minLeverage: 2.7, maxLeverage: 3.3, minHealthFactor: 1.15, trailBps: 500 });

describe("keeper triggers: each fires exactly at its threshold, not one tick before", () => {
  it("band deleverage: fires once leverage exceeds the band's maximum", async () => {
    const { vault, market, keeper } = await loadFixture(keeper3x);
    const maxLeverage = (await vault.leverageConfig()).maxLeverage;
    const answer = await findTriggerBoundary(vault, market, Action.DeleverBand, 1850n * E8, 2000n * E8, (p) => p.leverage > maxLeverage);
    await setFeed(market, 1990n * E8);
    await expect(vault.connect(keeper).rebalance()).to.be.revertedWithCustomError(vault, "KeeperNothingToDo");

    await setMarketPrice(market, Number(answer) / 1e8);
    await recordGas("keeper.deleverBand 3x", vault.connect(keeper).rebalance());
    expect((await vault.position()).leverage).to.be.closeTo(3n * WAD, WAD / 100n);
  });

  it("band re-lever: fires once leverage falls below the band's minimum (price rose)", async () => {
    const { vault, market, keeper } = await loadFixture(keeper3x);
    const minLeverage = (await vault.leverageConfig()).minLeverage;
    const answer = await findTriggerBoundary(vault, market, Action.ReleverBand, 2300n * E8, 2000n * E8, (p) => p.leverage < minLeverage);

    // Execute one basis point past the threshold: interest accrued since keeps nudging leverage up.
    await setMarketPrice(market, (Number(answer) / 1e8) * 1.0001);
    const debtBefore = (await vault.position()).debt;
    await recordGas("keeper.releverBand 3x", vault.connect(keeper).rebalance());
    const after = await vault.position();
    expect(after.debt).to.be.gt(debtBefore);
    expect(after.leverage).to.be.closeTo(3n * WAD, WAD / 100n);
  });

  it("health-factor floor: fires once HF is below the floor, inside the band", async () => {
    const { vault, market, keeper } = await loadFixture(wideBand3x);
    const { minHealthFactor: floor, maxLeverage } = await vault.leverageConfig();
    const answer = await findTriggerBoundary(
      vault, market, Action.DeleverHealth, 1800n * E8, 2000n * E8, (p) => p.healthFactor < floor,
    );
    expect((await vault.position()).leverage).to.be.lt(maxLeverage);

    await setMarketPrice(market, Number(answer) / 1e8);
    await recordGas("keeper.deleverHealth 3x", vault.connect(keeper).rebalance());
    expect((await vault.position()).healthFactor).to.be.gt(floor);
  });

  it("stop-loss: fires at the stop price, latches and unwinds to 1x", async () => {
    const { vault, market, keeper } = await loadFixture(stopAt1950);
    await setFeed(market, 1950n * E8 + TICK);
    expect((await vault.trigger()).needed).to.equal(false);
    await setFeed(market, 1950n * E8);
    expect((await vault.trigger()).action).to.equal(Action.StopLoss);

    await setMarketPrice(market, 1950);
    await vault.connect(keeper).rebalance();
    expect((await vault.automationState()).mode).to.equal(Mode.StoppedOut);
    // Latched: the unwind continues even after the price recovers above the stop.
    await setMarketPrice(market, 2000);
    expect((await vault.trigger()).action).to.equal(Action.StopLoss);
    await vault.connect(keeper).rebalance();
    const position = await vault.position();
    expect(position.debt).to.equal(0n);
    expect(position.leverage).to.equal(WAD);
    // Stays unlevered: a rise does not re-lever until the manager re-arms.
    await advanceTime(7200, market);
    await setMarketPrice(market, 2400);
    expect((await vault.trigger()).needed).to.equal(false);
    await expect(vault.connect(keeper).rebalance()).to.be.revertedWithCustomError(vault, "KeeperNothingToDo");
    // Re-arming re-levers: it waits out the timelock, then anyone accepts it.
    await expect(vault.rearm()).to.emit(vault, "ChangeSubmitted");
    expect((await vault.automationState()).mode).to.equal(Mode.StoppedOut);
    await acceptPending(vault, market);
    expect((await vault.automationState()).mode).to.equal(Mode.Active);
    expect((await vault.trigger()).action).to.equal(Action.ReleverBand);
  });

  it("stop-loss into the debt asset: sells the collateral after the debt is repaid", async () => {
    const { vault, market, keeper, alice } = await loadFixture(stopAt1950);
    await (await vault.setExitConfig({ ...plain(await vault.exitConfig()), stopToDebtAsset: true })).wait();
    await acceptPending(vault, market);
    await setMarketPrice(market, 1950);
    let calls = 0;
    while ((await vault.trigger()).needed && calls++ < 10) {
      await vault.connect(keeper).rebalance();
      await setMarketPrice(market, 1950); // arbitrage brings the pool back to the oracle between chunks
    }
    const position = await vault.position();
    expect(position.debt).to.equal(0n);
    expect(position.collateral + position.idleCollateral).to.equal(0n);
    expect(position.idleDebtAsset).to.be.gt(0n);
    // Holders still exit in the collateral asset.
    const shares = await vault.balanceOf(alice.address);
    const wethBefore = await market.weth.balanceOf(alice.address);
    await vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address);
    expect((await market.weth.balanceOf(alice.address)) - wethBefore).to.be.gt(0n);
  });

  it("take-profit: fires at the take-profit price and reduces to the configured leverage", async () => {
    const { vault, market, keeper } = await loadFixture(takeProfitAt2100);
    await setFeed(market, 2100n * E8 - TICK);
    expect((await vault.trigger()).needed).to.equal(false);
    await setFeed(market, 2100n * E8);
    expect((await vault.trigger()).action).to.equal(Action.TakeProfit);

    await setMarketPrice(market, 2100);
    await recordGas("keeper.takeProfit 3x->2x", vault.connect(keeper).rebalance());
    expect((await vault.automationState()).mode).to.equal(Mode.ProfitTaken);
    expect((await vault.position()).leverage).to.be.closeTo(2n * WAD, WAD / 100n);
    expect((await vault.trigger()).needed).to.equal(false);
  });

  it("trailing stop: fires at high-water mark x (1 - trail), the mark raised by poke", async () => {
    const { vault, market, keeper, stranger } = await loadFixture(trail5pct);
    await setMarketPrice(market, 2080);
    await expect(vault.connect(stranger).poke()).to.emit(vault, "HighWaterMarkRaised").withArgs(2080n * WAD);
    const stopAnswer = (2080n * E8 * 95n) / 100n; // 1976
    await setFeed(market, stopAnswer + TICK);
    expect((await vault.trigger()).needed).to.equal(false);
    await setFeed(market, stopAnswer);
    expect((await vault.trigger()).action).to.equal(Action.TrailingStop);

    await setMarketPrice(market, stopAnswer);
    await recordGas("keeper.trailingStop chunk 3x", vault.connect(keeper).rebalance());
    expect((await vault.automationState()).mode).to.equal(Mode.StoppedOut);
  });

  it("ripcord: only below the critical health factor, anyone may pull it", async () => {
    const { vault, market, stranger } = await loadFixture(wideBand3x);
    const critical = (await vault.automationConfig()).criticalHealthFactor;
    // Find the first price (whole dollars) where HF < critical.
    let price = 1800;
    await setMarketPrice(market, price);
    while ((await vault.position()).healthFactor >= critical) {
      price -= 5;
      await setMarketPrice(market, price);
    }
    await setMarketPrice(market, price + 5);
    const hfAbove = (await vault.position()).healthFactor;
    await expect(vault.connect(stranger).ripcord())
      .to.be.revertedWithCustomError(vault, "KeeperRipcordNotArmed")
      .withArgs((hf: bigint) => hf >= critical && hfAbove - hf < 10n ** 9n, critical); // a block of interest later
    await setMarketPrice(market, price);
    await expect(vault.connect(stranger).ripcord()).to.emit(vault, "RipcordRewardPaid");
  });
});
