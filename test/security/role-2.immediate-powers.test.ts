/**
 * ROLE-2 (second review, findings 1, 2, 3, 4 and the guardian): what applies at once is judged by its effect. No
 * change that applies at once may (a) let any action trade at wider bounds, (b) stop the keeper or the ripcord
 * from delevering a position at or below the floor, (c) make a 10 % exit fail with the pool at the oracle, or
 * (d) cost holders more than the loss bound. Everything else waits out the timelock, in either direction.
 */
import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { Action, Mode, keeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED, wad } from "../shared/vault";
import { setMarketPrice, movePoolOnly, oraclePriceE8, swapPoolTo } from "../shared/market-helpers";
import { plain } from "../shared/structs";
import { ChangeKind, acceptPending } from "../shared/timelock";

const WAD = 10n ** 18n;

/** The review's vault: fixed 3x preset, alice and bob holding, the deployer as owner = manager = guardian. */
const reviewVault = async () => {
  const w = await keeperWorld({ ...PRESET_3X_FIXED, stopLossPrice: 1000, takeProfitPrice: 2400, takeProfitLeverage: 2 }, parseEther("100"));
  await (await w.vault.connect(w.bob)["deposit(uint256,address)"](parseEther("50"), w.bob.address)).wait();
  const oracle = await oraclePriceE8(w.market);
  for (const pool of [w.market.uniPool500, w.market.uniPool3000]) await swapPoolTo(w.market, pool, oracle);
  return { ...w, manager: w.market.deployer };
};
type World = Awaited<ReturnType<typeof reviewVault>>;

/** A stop at $1,900 and a take-profit at $2,400 down to 2x. */
const profitVault = () =>
  keeperWorld({ ...PRESET_3X_FIXED, stopLossPrice: 1900, takeProfitPrice: 2400, takeProfitLeverage: 2 }, parseEther("100"));

/** Every configuration as it is in force. */
async function configs(vault: World["vault"]) {
  return {
    leverage: plain(await vault.leverageConfig()),
    execution: plain(await vault.executionConfig()),
    automation: plain(await vault.automationConfig()),
    exits: plain(await vault.exitConfig()),
  };
}

/** A 10 % redeem of `holder`'s shares, simulated: null when it goes through, else the error. */
async function tenthRedeem(w: World, holder: World["alice"]): Promise<string | null> {
  const shares = (await w.vault.balanceOf(holder.address)) / 10n;
  try {
    await w.vault.connect(holder)["redeem(uint256,address,address)"].staticCall(shares, holder.address, holder.address);
    return null;
  } catch (error) {
    return String((error as Error).message).split("\n")[0];
  }
}

describe("security: ROLE-2, immediate powers judged by their effect", () => {
  it("finding 1: a lower target with a raised floor and critical HF waits; the urgent bounds are not armed at once", async () => {
    const w = await loadFixture(reviewVault);
    const { vault, manager } = w;
    const before = await configs(vault);
    const boundsBefore = await vault.healthActionBounds();
    await expect(
      vault.connect(manager).setLeverageConfig({ targetLeverage: wad(2), minLeverage: wad(1.8), maxLeverage: wad(2.2), minHealthFactor: wad(1.6) }),
    ).to.emit(vault, "ChangeSubmitted").withArgs(ChangeKind.Leverage, (d: string) => d.length > 2, (t: bigint) => t > 0n);
    await expect(vault.connect(manager).setAutomationConfig({ ...before.automation, criticalHealthFactor: wad(1.15) }))
      .to.emit(vault, "ChangeSubmitted");
    expect(await configs(vault)).to.deep.equal(before);
    expect(await vault.healthActionBounds()).to.deep.equal(boundsBefore);
    const [needed, action] = await vault.trigger();
    expect([needed, action]).to.deep.equal([false, Action.None]);
    // A stranger's ripcord is not armed either.
    await expect(vault.connect(w.stranger).ripcord()).to.be.revertedWithCustomError(vault, "KeeperRipcordNotArmed");
  });

  it("finding 2: a trade size cut to 101 raw units waits; at HF 1.07 the keeper and the ripcord still delever", async () => {
    const w = await loadFixture(reviewVault);
    const { vault, manager, market, keeper, stranger } = w;
    const automation = plain(await vault.automationConfig());
    await expect(vault.connect(manager).setAutomationConfig({ ...automation, maxTradeSize: 101n })).to.emit(vault, "ChangeSubmitted");
    expect((await vault.automationConfig()).maxTradeSize).to.equal(automation.maxTradeSize);
    await setMarketPrice(market, 1719);
    const hf = (await vault.position()).healthFactor;
    expect(hf).to.be.lt(wad(1.08)); // below the critical HF
    const [needed, action] = await vault.trigger();
    expect([needed, action]).to.deep.equal([true, Action.DeleverHealth]);
    const ripcordOk = await vault.connect(stranger).ripcord.staticCall().then(() => true, () => false);
    expect(ripcordOk, "ripcord goes through").to.equal(true);
    await expect(vault.connect(keeper).rebalance()).to.emit(vault, "ActionExecuted");
    expect((await vault.position()).healthFactor).to.be.gt(hf);
  });

  it("finding 3: a slippage cut to just above the pool fee waits; 10 % and 1 % redeems go through with the pool at the oracle", async () => {
    const w = await loadFixture(reviewVault);
    const { vault, manager, alice } = w;
    const execution = plain(await vault.executionConfig());
    // A loosening submitted first, then the cut in the same block range: neither applies.
    await (await vault.connect(manager).setExecutionConfig({ ...execution, maxSlippageBps: 140 })).wait();
    await expect(vault.connect(manager).setExecutionConfig({ ...execution, maxSlippageBps: 6 })).to.emit(vault, "ChangeSubmitted");
    expect((await vault.executionConfig()).maxSlippageBps).to.equal(execution.maxSlippageBps);
    expect(await tenthRedeem(w, alice)).to.equal(null);
    const shares = (await vault.balanceOf(alice.address)) / 100n;
    await expect(vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address)).to.emit(vault, "Withdraw");
  });

  it("the deposit cap alone, a longer cooldown alone and a lower band with the same floor apply at once", async () => {
    const w = await loadFixture(reviewVault);
    const { vault, manager } = w;
    const before = await configs(vault);
    const boundsBefore = await vault.healthActionBounds();
    await expect(vault.connect(manager).setExecutionConfig({ ...before.execution, depositCap: 1n })).to.emit(vault, "ExecutionConfigSet");
    await expect(vault.connect(manager).setAutomationConfig({ ...before.automation, cooldown: 7200n })).to.emit(vault, "AutomationConfigSet");
    await expect(
      vault.connect(manager).setLeverageConfig({ ...before.leverage, targetLeverage: wad(2.5), minLeverage: wad(2.3), maxLeverage: wad(2.8) }),
    ).to.emit(vault, "LeverageConfigSet");
    // (a) no wider bounds; the band deleverage now due trades at the configured ones.
    expect(await vault.healthActionBounds()).to.deep.equal(boundsBefore);
    const [needed, action] = await vault.trigger();
    expect([needed, action]).to.deep.equal([true, Action.DeleverBand]);
    // (c) exits unaffected.
    expect(await tenthRedeem(w, w.alice)).to.equal(null);
  });

  it("every single-field change to an extreme either waits or keeps (a)-(c) at a crash state between critical and floor", async () => {
    const w = await loadFixture(reviewVault);
    const { vault, manager, market, keeper, stranger } = w;
    const base = await configs(vault);
    const leverageChanges = [
      { ...base.leverage, minHealthFactor: wad(1.2) },
      { ...base.leverage, targetLeverage: wad(2), minLeverage: wad(1.5), maxLeverage: wad(2.2) },
      { ...base.leverage, maxLeverage: wad(3.01) },
    ];
    const executionChanges = [{ ...base.execution, maxSlippageBps: 6 }, { ...base.execution, maxSlippageBps: 300 }, { ...base.execution, depositCap: 0n }];
    const automationChanges = [
      { ...base.automation, maxTradeSize: 101n },
      { ...base.automation, maxDexDeviationBps: 1 },
      { ...base.automation, criticalHealthFactor: base.leverage.minHealthFactor },
      { ...base.automation, ripcordRewardBps: 0 },
      { ...base.automation, cooldown: 7n * 86_400n },
      { ...base.automation, maxEquityLossBps: 1000 },
    ];
    const exitChanges = [
      { ...base.exits, stopLossPrice: wad(1990) },
      { ...base.exits, takeProfitPrice: wad(1800) },
      { ...base.exits, trailBps: 1 },
      { ...base.exits, stopToDebtAsset: true },
    ];
    const sends: [string, () => Promise<unknown>][] = [
      ...leverageChanges.map((c, i) => [`leverage ${i}`, () => vault.connect(manager).setLeverageConfig(c)] as [string, () => Promise<unknown>]),
      ...executionChanges.map((c, i) => [`execution ${i}`, () => vault.connect(manager).setExecutionConfig(c)] as [string, () => Promise<unknown>]),
      ...automationChanges.map((c, i) => [`automation ${i}`, () => vault.connect(manager).setAutomationConfig(c)] as [string, () => Promise<unknown>]),
      ...exitChanges.map((c, i) => [`exit ${i}`, () => vault.connect(manager).setExitConfig(c)] as [string, () => Promise<unknown>]),
    ];
    for (const [label, send] of sends) {
      const snapshot = await hreSnapshot();
      // The crash window: HF between the critical HF and the floor, the pool 90 bps under the oracle.
      await setMarketPrice(market, 1760);
      await movePoolOnly(market, -90);
      await mine(); // the keeper acts in a later block than the move
      const boundsBefore = await vault.healthActionBounds();
      try {
        await (await (send() as Promise<{ wait: () => Promise<unknown> }>)).wait();
      } catch {
        /* refused by its bounds: nothing changed */
      }
      await mine();
      const boundsAfter = await vault.healthActionBounds();
      // (a)
      expect(boundsAfter[0], `${label}: slippage bound`).to.be.lte(boundsBefore[0]);
      expect(boundsAfter[1], `${label}: deviation bound`).to.be.lte(boundsBefore[1]);
      // (b) something delevers: the keeper's due action, or the ripcord.
      const [needed] = await vault.trigger();
      const keeperOk = needed && (await vault.connect(keeper).rebalance.staticCall().then(() => true, () => false));
      const ripcordOk = await vault.connect(stranger).ripcord.staticCall().then(() => true, () => false);
      expect(keeperOk || ripcordOk, `${label}: the keeper or the ripcord delevers`).to.equal(true);
      // (c) with the pool back at the oracle, a 10 % exit goes through.
      await swapPoolTo(market, market.uniPool500, await oraclePriceE8(market));
      await mine();
      expect(await tenthRedeem(w, w.alice), `${label}: 10 % exit`).to.equal(null);
      await snapshot.restore();
    }
  });

  it("finding 4: re-arm only while stopped; a stop drops a pending re-arm, which a stranger can then not accept", async () => {
    const w = await loadFixture(reviewVault);
    const { vault, manager, stranger, market } = w;
    await expect(vault.connect(manager).rearm()).to.be.revertedWithCustomError(vault, "VaultNotStopped");
    await (await vault.connect(manager).stop()).wait();
    await expect(vault.connect(manager).rearm()).to.emit(vault, "ChangeSubmitted");
    // A stop-loss-equivalent latch again (the guardian stops again): the pending re-arm is dropped.
    await expect(vault.connect(manager).stop()).to.emit(vault, "ChangeRevoked").withArgs(ChangeKind.Rearm, manager.address);
    expect((await vault.pendingChange(ChangeKind.Rearm))[1]).to.equal(0n);
    await acceptPending(vault, market);
    await expect(vault.connect(stranger).acceptChange(ChangeKind.Rearm)).to.be.revertedWithCustomError(vault, "VaultNoPendingChange");
    expect((await vault.automationState()).mode).to.equal(Mode.StoppedOut);
  });

  it("finding 4: a stop-loss trigger drops a re-arm submitted while profit was taken", async () => {
    const w = await loadFixture(profitVault);
    const { vault, market, keeper } = w;
    const manager = market.deployer;
    await setMarketPrice(market, 2400);
    await (await vault.connect(keeper).rebalance()).wait(); // TakeProfit: latched ProfitTaken
    expect((await vault.automationState()).mode).to.equal(Mode.ProfitTaken);
    await expect(vault.connect(manager).rearm()).to.emit(vault, "ChangeSubmitted");
    await setMarketPrice(market, 1890);
    await expect(vault.connect(keeper).rebalance()).to.emit(vault, "ChangeRevoked").withArgs(ChangeKind.Rearm, keeper.address);
    expect((await vault.automationState()).mode).to.equal(Mode.StoppedOut);
  });

  it("a stop below the floor trades at the health action's bounds: the stop still delevers in the crash window", async () => {
    const w = await loadFixture(reviewVault);
    const { vault, manager, market, keeper } = w;
    await setMarketPrice(market, 1760); // HF between critical and floor
    await movePoolOnly(market, -150); // beyond the configured 100 bps deviation, inside the widened bound
    await mine();
    const [slip, dev] = await vault.healthActionBounds();
    expect(dev).to.be.gt(150n);
    await (await vault.connect(manager).stop()).wait();
    const [needed, action] = await vault.trigger();
    expect([needed, action]).to.deep.equal([true, Action.StopLoss]);
    await expect(vault.connect(keeper).rebalance()).to.emit(vault, "ActionExecuted");
    expect(slip).to.be.gt(100n);
  });

  it("the owner's new guardian waits out the timelock and the guardian can revoke it; the manager applies at once", async () => {
    const w = await loadFixture(reviewVault);
    const { vault, manager, stranger, carol, market } = w;
    const guardian = await vault.guardian();
    await expect(vault.connect(manager).setRoles(carol.address, stranger.address))
      .to.emit(vault, "ChangeSubmitted").withArgs(ChangeKind.Guardian, (d: string) => d.length > 2, (t: bigint) => t > 0n);
    expect(await vault.manager()).to.equal(carol.address);
    expect(await vault.guardian()).to.equal(guardian);
    await expect(vault.connect(manager).revokeChange(ChangeKind.Guardian)).to.emit(vault, "ChangeRevoked");
    await (await vault.connect(manager).setRoles(carol.address, stranger.address)).wait();
    await acceptPending(vault, market);
    expect(await vault.guardian()).to.equal(stranger.address);
    await expect(vault.connect(manager).setRoles(carol.address, "0x0000000000000000000000000000000000000000"))
      .to.be.revertedWithCustomError(vault, "VaultInvalidRole");
  });
});

async function hreSnapshot() {
  const { takeSnapshot } = await import("@nomicfoundation/hardhat-network-helpers");
  return takeSnapshot();
}
