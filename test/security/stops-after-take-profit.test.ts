/**
 * Issue 8, finding 6: a take-profit must not disarm the stops. After a take-profit at $2,200 (3x -> 2x) the
 * price falls through the stop-loss (or the trailing stop): the stop fires and the keeper unwinds to 1x.
 */
import { expect } from "chai";
import { AbiCoder } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld, runKeeper, Action, Mode } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { advanceTime, setMarketPrice } from "../shared/market-helpers";
import { ACTION_NAMES } from "./helpers";
import { near } from "../shared/vault-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";

const WAD = 10n ** 18n;

const takeProfitThenStop = () =>
  keeperWorld({ ...PRESET_3X_FIXED, stopLossPrice: 1500, takeProfitPrice: 2200, takeProfitLeverage: 2 });
const takeProfitThenTrail = () =>
  keeperWorld({ ...PRESET_3X_FIXED, trailBps: 1000, takeProfitPrice: 2200, takeProfitLeverage: 2 });

/** Price up to $2,200: the take-profit runs, the vault is latched in ProfitTaken at ~2x. */
async function takeProfit(fixture: typeof takeProfitThenStop) {
  const w = await loadFixture(fixture);
  await setMarketPrice(w.market, 2200);
  expect((await w.vault.trigger()).action).to.equal(Action.TakeProfit);
  await runKeeper(w.vault, w.keeper);
  expect((await w.vault.automationState()).mode).to.equal(Mode.ProfitTaken);
  expect((await w.vault.position()).leverage).to.be.closeTo(2n * WAD, WAD / 100n);
  return w;
}

async function expectStopFires(w: Awaited<ReturnType<typeof takeProfit>>, stop: bigint) {
  const { vault, keeper } = w;
  const [needed, action] = await vault.trigger();
  expect(ACTION_NAMES[Number(action)], "trigger() in ProfitTaken mode below the stop").to.equal(ACTION_NAMES[Number(stop)]);
  expect(needed).to.equal(true);
  const [upkeepNeeded, performData] = await vault.checkUpkeep("0x");
  expect(upkeepNeeded).to.equal(true);
  expect(AbiCoder.defaultAbiCoder().decode(["uint8"], performData)[0]).to.equal(stop);

  const leverageBefore = (await vault.position()).leverage;
  await expect(vault.connect(keeper).rebalance())
    .to.emit(vault, "ActionExecuted")
    .withArgs(stop, keeper.address, near(leverageBefore, 10n ** 12n), (after: bigint) => after < leverageBefore, anyValue, anyValue);
  expect((await vault.automationState()).mode).to.equal(Mode.StoppedOut);
  const rest = await runKeeper(vault, keeper);
  expect(rest.every((a) => a === Action.StopLoss), `the latched stop finishes the unwind (${rest})`).to.equal(true);
  const position = await vault.position();
  expect(position.debt).to.equal(0n);
  expect(position.leverage).to.equal(WAD);
  expect((await vault.trigger()).needed).to.equal(false);
}

describe("security: stops hold after a take-profit (finding 6)", () => {
  it("take-profit at $2,200 (3x -> 2x), then $1,400 through a $1,500 stop: the stop-loss fires and unwinds to 1x", async () => {
    const w = await takeProfit(takeProfitThenStop);
    // The fall, an hour at a time, the keeper acting as it goes (above the stop it keeps the 2x of ProfitTaken).
    for (const price of [2000, 1800, 1600]) {
      await advanceTime(3600, w.market);
      await setMarketPrice(w.market, price);
      await runKeeper(w.vault, w.keeper);
      expect((await w.vault.automationState()).mode).to.equal(Mode.ProfitTaken);
    }
    await advanceTime(3600, w.market);
    await setMarketPrice(w.market, 1400);
    await expectStopFires(w, Action.StopLoss);
  });

  it("the same when the price gaps straight from $2,200 to $1,400", async () => {
    const w = await takeProfit(takeProfitThenStop);
    await advanceTime(3600, w.market);
    await setMarketPrice(w.market, 1400);
    await expectStopFires(w, Action.StopLoss);
  });

  it("take-profit at $2,200, then 10% below the high-water mark: the trailing stop fires and unwinds to 1x", async () => {
    const w = await takeProfit(takeProfitThenTrail);
    expect((await w.vault.automationState()).highWaterMark).to.equal(2200n * WAD);
    await advanceTime(3600, w.market);
    await setMarketPrice(w.market, 2050); // above 2200 * 0.9 = 1980: nothing but keeping 2x
    await runKeeper(w.vault, w.keeper);
    expect((await w.vault.automationState()).mode).to.equal(Mode.ProfitTaken);
    await advanceTime(3600, w.market);
    await setMarketPrice(w.market, 1950);
    await expectStopFires(w, Action.TrailingStop);
  });
});
