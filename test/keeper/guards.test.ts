import { expect } from "chai";
import { plain } from "../shared/structs";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld, keeper3x, Action, setFeed } from "../shared/keeper";
import { setMarketPrice, advanceTime } from "../shared/market-helpers";
import { localOracleConfig, deployVault } from "../shared/vault";
import { deployMarket } from "../shared/market";
import { fund } from "../shared/market-helpers";
import { MaxUint256, parseEther } from "ethers";
import { acceptPending } from "../shared/timelock";

const E8 = 10n ** 8n;
const WAD = 10n ** 18n;

/** A 3x vault whose leverage drifted above the band: a deleverage is due. */
async function deleverDue() {
  const world = await loadFixture(keeper3x);
  await setMarketPrice(world.market, 1850);
  expect((await world.vault.trigger()).action).to.equal(Action.DeleverBand);
  return world;
}

/** Scaled (interest-free) Aave balances: equal before and after means the position was not touched. */
async function scaledPosition(world: Awaited<ReturnType<typeof deleverDue>>) {
  const vault = world.vault.target;
  return [await world.market.variableDebtUSDC.scaledBalanceOf(vault), await world.market.aWETH.scaledBalanceOf(vault)];
}

describe("keeper guards: each rejects its bad case with its error and leaves the position unchanged", () => {
  it("caller: only allow-listed keepers may rebalance or performUpkeep above the health-factor floor", async () => {
    const world = await deleverDue();
    const { vault, stranger } = world;
    const before = await scaledPosition(world);
    await expect(vault.connect(stranger).rebalance()).to.be.revertedWithCustomError(vault, "VaultUnauthorized").withArgs(stranger.address);
    await expect(vault.connect(stranger).performUpkeep("0x")).to.be.revertedWithCustomError(vault, "VaultUnauthorized").withArgs(stranger.address);
    expect(await scaledPosition(world)).to.deep.equal(before);
  });

  it("oracle: a stale answer is refused", async () => {
    const world = await deleverDue();
    const { vault, keeper, market } = world;
    const before = await scaledPosition(world);
    const updatedAt = (await market.ethUsdFeed.latestRoundData())[3];
    await time.increase(3601);
    await expect(vault.connect(keeper).rebalance())
      .to.be.revertedWithCustomError(vault, "OracleStale")
      .withArgs(market.ethUsdFeed.target, updatedAt, 3600);
    expect(await scaledPosition(world)).to.deep.equal(before);
  });

  it("oracle: a zero or negative answer is refused", async () => {
    const world = await deleverDue();
    const { vault, keeper, market } = world;
    for (const answer of [0n, -1n]) {
      await setFeed(market, answer);
      await expect(vault.connect(keeper).rebalance())
        .to.be.revertedWithCustomError(vault, "OracleInvalidAnswer")
        .withArgs(market.ethUsdFeed.target, answer);
    }
  });

  it("market: the ripcord too refuses when the DEX spot deviates from the oracle beyond its widest (urgent) bound", async () => {
    const world = await loadFixture(keeper3x);
    const { vault, market, stranger } = world;
    await setMarketPrice(market, 1720); // HF < 1.08
    await setFeed(market, 1640n * E8); // the pool now sits 4.9% above the oracle: beyond 75% of the 5% bonus
    await expect(vault.connect(stranger).ripcord()).to.be.revertedWithCustomError(vault, "KeeperDexDeviation");
  });

  it("trade: a slippage bound at or under the pool fee is refused (no fill could meet its min out)", async () => {
    const world = await deleverDue();
    const { vault } = world;
    // The 0.05% pool fee alone is 5 bps.
    await expect(vault.setExecutionConfig({ ...plain(await vault.executionConfig()), maxSlippageBps: 5 }))
      .to.be.revertedWithCustomError(vault, "VaultInvalidExecutionConfig");
  });

  it("trade: a large deleverage proceeds in chunks of the max trade size, each one an improvement", async () => {
    const world = await deleverDue();
    const { vault, keeper } = world;
    const maxTrade = 20_000n * 10n ** 6n;
    await (await vault.setAutomationConfig({ ...plain(await vault.automationConfig()), maxTradeSize: maxTrade, cooldown: 0 })).wait();
    await acceptPending(vault, world.market);
    let previous = await vault.position();
    let chunks = 0;
    while ((await vault.trigger()).needed) {
      await vault.connect(keeper).rebalance();
      const current = await vault.position();
      expect(previous.debt - current.debt).to.be.lte(maxTrade);
      expect(current.leverage).to.be.lt(previous.leverage);
      expect(current.healthFactor).to.be.gt(previous.healthFactor);
      previous = current;
      chunks++;
    }
    expect(chunks).to.be.greaterThan(2);
    expect(previous.leverage).to.be.lte((await vault.leverageConfig()).maxLeverage);
  });

  it("timing: band rebalances wait for the cooldown; trigger() reports nothing meanwhile", async () => {
    const world = await loadFixture(keeper3x);
    const { vault, keeper, market } = world;
    await setMarketPrice(market, 2300);
    await vault.connect(keeper).rebalance();
    const last = (await vault.automationState()).lastRebalanceAt;
    await setMarketPrice(market, 2700);
    expect((await vault.trigger()).needed).to.equal(false);
    const before = await scaledPosition(world);
    await expect(vault.connect(keeper).rebalance())
      .to.be.revertedWithCustomError(vault, "KeeperCooldownActive")
      .withArgs(last + 3600n);
    expect(await scaledPosition(world)).to.deep.equal(before);
    await advanceTime(3600, market);
    expect((await vault.trigger()).action).to.equal(Action.ReleverBand);
    await vault.connect(keeper).rebalance();
  });

  it("timing: the health floor is an emergency and ignores the cooldown", async () => {
    const world = await loadFixture(keeper3x);
    const { vault, keeper, market } = world;
    await setMarketPrice(market, 2300);
    await vault.connect(keeper).rebalance(); // starts a cooldown
    await setMarketPrice(market, 1950); // HF < 1.15 straight after
    expect((await vault.trigger()).action).to.equal(Action.DeleverHealth);
    await vault.connect(keeper).rebalance();
  });

  it("nothing to do: a call without an active trigger reverts", async () => {
    const world = await loadFixture(keeper3x);
    const { vault, keeper } = world;
    expect((await vault.trigger()).needed).to.equal(false);
    await expect(vault.connect(keeper).rebalance()).to.be.revertedWithCustomError(vault, "KeeperNothingToDo");
  });

  it("post-condition: a loss bound below slippage + flash premium is refused, so the bound always fits a valid fill", async () => {
    const world = await deleverDue();
    const { vault } = world;
    // With the loss bound under the slippage, a fill the min out accepts could still fail the post-condition
    // (KeeperEquityLossExceeded is exercised on the pure library in post-conditions.test.ts).
    await expect(vault.setAutomationConfig({ ...plain(await vault.automationConfig()), maxEquityLossBps: 1 }))
      .to.be.revertedWithCustomError(vault, "KeeperInvalidAutomationConfig");
    await expect(vault.setExecutionConfig({ ...plain(await vault.executionConfig()), maxSlippageBps: 200 }))
      .to.be.revertedWithCustomError(vault, "VaultInvalidExecutionConfig");
  });
});

describe("keeper guards: L2 sequencer uptime", () => {
  async function sequencerWorld() {
    const market = await deployMarket();
    const Feed = await hre.ethers.getContractFactory("contracts/test/MockAggregator.sol:MockAggregator");
    const sequencer = await Feed.deploy(0, "sequencer uptime", 0); // 0 = up, since now
    await time.increase(7200); // past the grace period
    await (await market.ethUsdFeed.setAnswer(2000n * E8)).wait();
    await (await market.usdcUsdFeed.setAnswer(E8)).wait();
    const oracle = { ...localOracleConfig(market), sequencerFeed: sequencer.target };
    const [alice, keeper] = market.users;
    const { vault } = await deployVault(hre.ethers, market, { settings: { targetLeverage: 2 }, keepers: [keeper.address], oracle });
    await fund(market, alice.address, { weth: parseEther("10") });
    await (await market.weth.connect(alice).getFunction("approve")(vault.target, MaxUint256)).wait();
    return { market, vault, sequencer, alice, keeper };
  }

  it("refuses prices while the sequencer is down and during the grace period after it is back", async () => {
    const { vault, sequencer, alice, market } = await loadFixture(sequencerWorld);
    await expect(vault.connect(alice)["deposit(uint256,address)"](parseEther("1"), alice.address)).to.emit(vault, "Deposit");

    await (await sequencer.getFunction("setAnswer")(1)).wait();
    await expect(vault.connect(alice)["deposit(uint256,address)"](parseEther("1"), alice.address)).to.be.revertedWithCustomError(vault, "OracleSequencerDown");
    await expect(vault.trigger()).to.be.revertedWithCustomError(vault, "OracleSequencerDown");

    await (await sequencer.getFunction("setAnswer")(0)).wait();
    const upSince = (await sequencer.getFunction("latestRoundData")())[2];
    await expect(vault.connect(alice)["deposit(uint256,address)"](parseEther("1"), alice.address))
      .to.be.revertedWithCustomError(vault, "OracleSequencerGracePeriod")
      .withArgs(upSince, 3600);

    await advanceTime(3601, market); // past the grace period, feeds re-stamped
    await expect(vault.connect(alice)["deposit(uint256,address)"](parseEther("1"), alice.address)).to.emit(vault, "Deposit");
  });

  it("an answer with startedAt == 0 (round not started) is treated as down: OracleSequencerDown", async () => {
    const { vault, sequencer, alice } = await loadFixture(sequencerWorld);
    await expect(vault.connect(alice)["deposit(uint256,address)"](parseEther("1"), alice.address)).to.emit(vault, "Deposit");
    await (await sequencer.getFunction("setAnswerAt")(0, 0)).wait(); // "up", startedAt 0
    const [, answer, startedAt] = await sequencer.getFunction("latestRoundData")();
    expect([answer, startedAt]).to.deep.equal([0n, 0n]);
    await expect(vault.connect(alice)["deposit(uint256,address)"](parseEther("1"), alice.address)).to.be.revertedWithCustomError(vault, "OracleSequencerDown");
    await expect(vault.trigger()).to.be.revertedWithCustomError(vault, "OracleSequencerDown");
    await expect(vault.totalAssets()).to.be.revertedWithCustomError(vault, "OracleSequencerDown");
  });
});
