/**
 * Action.Poke: with the trailing stop armed, trigger() asks a keeper to raise the recorded high-water mark once the
 * oracle price is more than a tenth of the trail above it (price * 1e4 > mark * (1e4 + trailBps / 10)); rebalance()
 * then raises the mark and returns Poke without trading, and the trailing stop is measured from the raised mark.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { Action, Mode, keeperWorld, setFeed } from "../shared/keeper";
import { setMarketPrice } from "../shared/market-helpers";
import { plain } from "../shared/structs";
import { PRESET_3X_FIXED } from "../shared/vault";
import { acceptPending } from "../shared/timelock";

const E8 = 10n ** 8n;
const WAD = 10n ** 18n;
const TICK = 1n; // one feed unit: 1e-8 USD
const TRAIL_BPS = 1000n; // 10%: a poke is due 1% above the mark

const trail10pct = () => keeperWorld({ ...PRESET_3X_FIXED, trailBps: Number(TRAIL_BPS) });

/** The price (feed answer, 8 decimals) at and below which a poke is not due for `mark` (wad). */
const pokeThresholdE8 = (mark: bigint) => (mark * (10_000n + TRAIL_BPS / 10n)) / 10_000n / 10n ** 10n;

describe("trailing stop: the keeper pokes the high-water mark up (Action.Poke)", () => {
  it("is due only once the price is more than trail / 10 above the mark", async () => {
    const { vault, market } = await loadFixture(trail10pct);
    const mark = (await vault.automationState()).highWaterMark;
    expect(mark).to.equal(2000n * WAD); // recorded by the deposit
    expect(pokeThresholdE8(mark)).to.equal(2020n * E8); // 2000 * (1 + 1000 / 10 / 1e4)

    await setFeed(market, 2019n * E8);
    expect((await vault.trigger()).needed).to.equal(false);
    await setFeed(market, 2020n * E8); // exactly at the threshold: not "more than"
    const quiet = await vault.trigger();
    expect([quiet.needed, quiet.action, quiet.callData]).to.deep.equal([false, Action.None, "0x"]);
    expect((await vault.checkUpkeep("0x"))[0]).to.equal(false);

    await setFeed(market, 2020n * E8 + TICK);
    expect((await vault.trigger()).action).to.equal(Action.Poke);
    await setFeed(market, 2021n * E8);
    const due = await vault.trigger();
    expect([due.needed, due.action]).to.deep.equal([true, Action.Poke]);
    expect(due.callData).to.equal(vault.interface.encodeFunctionData("rebalance"));
    const [canExec, payload] = await vault.checker();
    expect([canExec, payload]).to.deep.equal([true, due.callData]);
    // Nothing else is due at 2021: leverage is still inside the band.
    const { leverage } = await vault.position();
    expect(leverage).to.be.gt((27n * WAD) / 10n).and.lt((33n * WAD) / 10n);
  });

  it("is never due with the trailing stop off", async () => {
    const world = await loadFixture(trail10pct);
    await (await world.vault.setExitConfig({ ...plain(await world.vault.exitConfig()), trailBps: 0 })).wait();
    await acceptPending(world.vault, world.market);
    await setFeed(world.market, 2100n * E8);
    expect((await world.vault.trigger()).needed).to.equal(false);
    await expect(world.vault.connect(world.keeper).rebalance()).to.be.revertedWithCustomError(world.vault, "KeeperNothingToDo");
  });

  it("rebalance() raises the mark, trades nothing and returns Poke; a second call has nothing to do", async () => {
    const { vault, market, keeper, stranger } = await loadFixture(trail10pct);
    await setMarketPrice(market, 2021);
    expect((await vault.trigger()).action).to.equal(Action.Poke);

    await expect(vault.connect(stranger).rebalance())
      .to.be.revertedWithCustomError(vault, "VaultUnauthorized")
      .withArgs(stranger.address);

    const before = await vault.position();
    const stateBefore = await vault.automationState();
    expect(await vault.connect(keeper).rebalance.staticCall()).to.equal(Action.Poke);
    const tx = vault.connect(keeper).rebalance();
    await expect(tx).to.emit(vault, "HighWaterMarkRaised").withArgs(2021n * WAD);
    await expect(tx)
      .to.emit(vault, "ActionExecuted")
      .withArgs(Action.Poke, keeper.address, anyValue, anyValue, anyValue, anyValue);
    const receipt = (await (await tx).wait())!;
    const executed = receipt.logs
      .map((log) => vault.interface.parseLog(log))
      .find((parsed) => parsed?.name === "ActionExecuted")!;
    expect(executed.args.leverageAfter).to.equal(executed.args.leverageBefore);
    expect(executed.args.healthFactorAfter).to.equal(executed.args.healthFactorBefore);

    // The position is untouched (no swap, no borrow or repay) and no band cooldown was started.
    const after = await vault.position();
    expect([after.collateral, after.idleCollateral, after.idleDebtAsset]).to.deep.equal([
      before.collateral,
      before.idleCollateral,
      before.idleDebtAsset,
    ]);
    expect(after.debt - before.debt).to.be.lt(10n ** 6n); // interest of a couple of blocks only, < 1 USDC
    const state = await vault.automationState();
    expect(state.highWaterMark).to.equal(2021n * WAD);
    expect(state.lastRebalanceAt).to.equal(stateBefore.lastRebalanceAt);
    expect(state.mode).to.equal(Mode.Active);

    expect((await vault.trigger()).needed).to.equal(false);
    await expect(vault.connect(keeper).rebalance()).to.be.revertedWithCustomError(vault, "KeeperNothingToDo");
  });

  it("the trailing stop then fires relative to the raised mark", async () => {
    const { vault, market, keeper } = await loadFixture(trail10pct);
    await setMarketPrice(market, 2021);
    await (await vault.connect(keeper).rebalance()).wait();
    const mark = (await vault.automationState()).highWaterMark;
    expect(mark).to.equal(2021n * WAD);

    // Stop at mark * (1 - 10%) = 1818.9, above the 1800 the original mark of 2000 would have given.
    const stopAnswer = (mark * (10_000n - TRAIL_BPS)) / 10_000n / 10n ** 10n;
    expect(stopAnswer).to.equal(18189n * E8 / 10n);
    await setFeed(market, stopAnswer + TICK);
    expect((await vault.trigger()).action).to.not.equal(Action.TrailingStop);
    await setFeed(market, stopAnswer);
    expect((await vault.trigger()).action).to.equal(Action.TrailingStop);

    await setMarketPrice(market, stopAnswer);
    await expect(vault.connect(keeper).rebalance())
      .to.emit(vault, "ActionExecuted")
      .withArgs(Action.TrailingStop, keeper.address, anyValue, anyValue, anyValue, anyValue);
    expect((await vault.automationState()).mode).to.equal(Mode.StoppedOut);
  });
});
