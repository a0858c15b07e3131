/**
 * Issue 8, finding 4 (ROLE-1): the manager must not be able to take depositors' funds. Every change that loosens
 * risk is a pending change behind a timelock (MetaMorpho-style): event + view so holders can exit, accepted by
 * anyone after `timelock()`, within 7 days, revocable by the guardian; what applies at once is judged by its effect
 * (ROLE-2, test/security/role-2.immediate-powers.test.ts).
 */
import { expect } from "chai";
import { parseEther, parseUnits } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { keeperWorld, Action, Mode, type KeeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED, wad } from "../shared/vault";
import { fund, oraclePriceE8, poolPriceE8 } from "../shared/market-helpers";
import { plain } from "../shared/structs";
import { acceptPending } from "../shared/timelock";
import {
  ChangeKind, DAY, MAX_TIMELOCK, MIN_TIMELOCK, PENDING_VALIDITY, encodeChange, jumpTo, minedAt, pushPoolTo,
  rebalanceOutcome, timelocked, depositInSlices,
} from "./helpers";

const WAD = 10n ** 18n;
const UINT96_MAX = (1n << 96n) - 1n;

/** The review's vault: 994 WETH at the 3x preset, with a stop, a take-profit and a trailing stop to loosen. */
const managedVault = async () => {
  const world = await keeperWorld(
    { ...PRESET_3X_FIXED, stopLossPrice: 1500, takeProfitPrice: 2400, takeProfitLeverage: 2, trailBps: 1000 },
    parseEther("244"),
  );
  await depositInSlices(world, world.alice, parseEther("750"), parseEther("250")); // 994 WETH in all
  const manager = world.market.deployer; // owner = manager = guardian at deployment
  const guardian = world.market.users[5];
  await (await world.vault.setRoles(manager.address, guardian.address)).wait();
  await acceptPending(world.vault, world.market); // a new guardian waits out the timelock (ROLE-2)
  await fund(world.market, manager.address, { weth: parseEther("10000"), usdc: parseUnits("30000000", 6) });
  return { ...world, manager, guardian };
};
type World = Awaited<ReturnType<typeof managedVault>>;

async function wealthUsd(w: KeeperWorld, who: string): Promise<bigint> {
  const [weth, usdc] = await Promise.all([w.market.weth.balanceOf(who) as Promise<bigint>, w.market.usdc.balanceOf(who) as Promise<bigint>]);
  const price = await oraclePriceE8(w.market); // 8 decimals
  return (weth * price) / 10n ** 8n + usdc * 10n ** 12n; // wad USD
}

/**
 * The review's attack, as consecutive transactions from the manager: keeper role, slippage 500 bps, deviation
 * 1000 bps, loss bound 1000 bps, cooldown 0, unlimited trade size, the band moved so a rebalance is due, then a
 * sandwich of its own rebalance on the 0.05% pool. Returns the holder's and the manager's oracle-value change.
 */
async function replayAttack(w: World, band: { target: number; min: number; max: number; floor: number }, pushBps: bigint) {
  const { vault, market, manager, alice } = w;
  const aliceShares = await vault.balanceOf(alice.address);
  const aliceBefore = await vault.convertToAssets(aliceShares);
  const managerBefore = await wealthUsd(w, manager.address);

  // The attacker tries every step; a step the vault refuses outright (a bound checked against the config in
  // force) is skipped, as an attacker would.
  const attempt = async (send: () => Promise<{ wait: () => Promise<unknown> }>) => {
    try {
      await (await send()).wait();
    } catch {
      /* refused: go on with the rest of the attack */
    }
  };
  await (await vault.setKeeper(manager.address, true)).wait();
  await attempt(async () =>
    vault.setAutomationConfig({
      ...plain(await vault.automationConfig()),
      maxDexDeviationBps: 1000, maxEquityLossBps: 1000, cooldown: 0, maxTradeSize: UINT96_MAX,
    }),
  );
  await attempt(async () => vault.setExecutionConfig({ ...plain(await vault.executionConfig()), maxSlippageBps: 500 }));
  // Exits first: the take-profit leverage must stay <= target when the band comes down.
  await attempt(async () => vault.setExitConfig({ ...plain(await vault.exitConfig()), takeProfitLeverage: WAD }));
  await attempt(async () =>
    vault.setLeverageConfig({
      targetLeverage: wad(band.target), minLeverage: wad(band.min), maxLeverage: wad(band.max), minHealthFactor: wad(band.floor),
    }),
  );

  // Front-run in the direction the vault will trade, rebalance, back-run.
  const oracle = await oraclePriceE8(market);
  const front = await pushPoolTo(market, manager, (oracle * (10_000n + pushBps)) / 10_000n);
  const refused = await rebalanceOutcome(vault, manager);
  if (refused === null) await (await vault.connect(manager).rebalance()).wait();
  // Back-run: sell back exactly what the front-run bought.
  const tokenBack = front.wethIn ? market.usdc : market.weth;
  await (await tokenBack.connect(manager).getFunction("approve")(market.swapRouter.target, front.amountOut)).wait();
  await (
    await market.swapRouter.connect(manager).getFunction("exactInputSingle")({
      tokenIn: tokenBack.target, tokenOut: front.wethIn ? market.weth.target : market.usdc.target, fee: 500,
      recipient: manager.address, deadline: 2n ** 64n, amountIn: front.amountOut, amountOutMinimum: 0n, sqrtPriceLimitX96: 0n,
    })
  ).wait();

  const holderLoss = aliceBefore - (await vault.convertToAssets(aliceShares)); // WETH wei
  const managerGainUsd = (await wealthUsd(w, manager.address)) - managerBefore; // wad USD
  const managerGain = (managerGainUsd * 10n ** 8n) / (await oraclePriceE8(market)); // WETH wei
  return { holderLoss, managerGain, refused };
}

describe("security: the manager cannot take depositors' funds (finding 4, ROLE-1)", () => {
  describe("the review's attack, replayed", () => {
    for (const [label, band, push] of [
      // Band up: a re-lever is due; the vault buys WETH, the manager buys first and sells back.
      ["band raised (re-lever), pool pushed up 4%", { target: 3.5, min: 3.3, max: 3.7, floor: 1.12 }, 400n],
      // Band down: a deleverage is due; the vault sells WETH, the manager sells first and buys back.
      ["band lowered (deleverage), pool pushed down 4%", { target: 2, min: 1.8, max: 2.2, floor: 1.15 }, -400n],
    ] as const) {
      it(`${label}: holders lose nothing and the manager gains nothing`, async () => {
        const w = await loadFixture(managedVault);
        const { holderLoss, managerGain } = await replayAttack(w, band, push);
        // Interest for a few seconds and rounding only.
        expect(holderLoss, `holder lost ${Number(holderLoss) / 1e18} WETH`).to.be.lte(parseEther("0.001"));
        expect(managerGain, `manager gained ${Number(managerGain) / 1e18} WETH`).to.be.lte(0n);
      });
    }
  });

  describe("each loosening is only a pending change", () => {
    type Case = [string, number, (w: World) => Promise<{ send: () => Promise<unknown>; view: () => Promise<unknown>; data: string }>];
    const lev = (f: (c: Record<string, bigint>) => Record<string, bigint>) => async (w: World) => {
      const next = f(plain(await w.vault.leverageConfig()) as unknown as Record<string, bigint>);
      return {
        send: () => w.vault.setLeverageConfig(next as never),
        view: async () => plain(await w.vault.leverageConfig()),
        data: encodeChange.leverage(next as never),
      };
    };
    const exe = (f: (c: Record<string, bigint>) => Record<string, bigint>) => async (w: World) => {
      const next = f(plain(await w.vault.executionConfig()) as unknown as Record<string, bigint>);
      return {
        send: () => w.vault.setExecutionConfig(next as never),
        view: async () => plain(await w.vault.executionConfig()),
        data: encodeChange.execution(next as never),
      };
    };
    const aut = (f: (c: Record<string, bigint>) => Record<string, bigint>) => async (w: World) => {
      const next = f(plain(await w.vault.automationConfig()) as unknown as Record<string, bigint>);
      return {
        send: () => w.vault.setAutomationConfig(next as never),
        view: async () => plain(await w.vault.automationConfig()),
        data: encodeChange.automation(next as never),
      };
    };
    const ext = (f: (c: Record<string, unknown>) => Record<string, unknown>) => async (w: World) => {
      const next = f(plain(await w.vault.exitConfig()) as unknown as Record<string, unknown>);
      return {
        send: () => w.vault.setExitConfig(next as never),
        view: async () => plain(await w.vault.exitConfig()),
        data: encodeChange.exit(next as never),
      };
    };
    const cases: Case[] = [
      ["leverage target up 3x -> 3.1x", ChangeKind.Leverage, lev((c) => ({ ...c, targetLeverage: wad(3.1) }))],
      ["band maximum up 3.3x -> 3.5x", ChangeKind.Leverage, lev((c) => ({ ...c, maxLeverage: wad(3.5) }))],
      ["band minimum up 2.7x -> 2.9x", ChangeKind.Leverage, lev((c) => ({ ...c, minLeverage: wad(2.9) }))],
      ["health-factor floor down 1.15 -> 1.12", ChangeKind.Leverage, lev((c) => ({ ...c, minHealthFactor: wad(1.12) }))],
      ["slippage up 100 -> 140 bps", ChangeKind.Execution, exe((c) => ({ ...c, maxSlippageBps: 140n }))],
      ["swap fee tier changed 500 -> 3000", ChangeKind.Execution, exe((c) => ({ ...c, swapFee: 3000n }))],
      ["DEX deviation up 100 -> 200 bps", ChangeKind.Automation, aut((c) => ({ ...c, maxDexDeviationBps: 200n }))],
      ["equity-loss bound up 150 -> 300 bps", ChangeKind.Automation, aut((c) => ({ ...c, maxEquityLossBps: 300n }))],
      ["cooldown down 3600 -> 0 s", ChangeKind.Automation, aut((c) => ({ ...c, cooldown: 0n }))],
      ["trade size up 250k -> max", ChangeKind.Automation, aut((c) => ({ ...c, maxTradeSize: UINT96_MAX }))],
      ["ripcord reward up 10 -> 50 bps", ChangeKind.Automation, aut((c) => ({ ...c, ripcordRewardBps: 50n }))],
      ["ripcord reward cap up 1 -> 5 WETH", ChangeKind.Automation, aut((c) => ({ ...c, ripcordRewardCap: parseEther("5") }))],
      ["critical HF down 1.08 -> 1.05", ChangeKind.Automation, aut((c) => ({ ...c, criticalHealthFactor: wad(1.05) }))],
      ["stop-loss removed", ChangeKind.Exit, ext((c) => ({ ...c, stopLossPrice: 0n }))],
      ["stop-loss lowered 1500 -> 1400", ChangeKind.Exit, ext((c) => ({ ...c, stopLossPrice: wad(1400) }))],
      ["trailing stop removed", ChangeKind.Exit, ext((c) => ({ ...c, trailBps: 0n }))],
      ["trailing stop widened 10% -> 20%", ChangeKind.Exit, ext((c) => ({ ...c, trailBps: 2000n }))],
      ["take-profit raised 2400 -> 2600", ChangeKind.Exit, ext((c) => ({ ...c, takeProfitPrice: wad(2600) }))],
      ["take-profit removed", ChangeKind.Exit, ext((c) => ({ ...c, takeProfitPrice: 0n }))],
      ["take-profit leverage up 2x -> 2.5x", ChangeKind.Exit, ext((c) => ({ ...c, takeProfitLeverage: wad(2.5) }))],
      ["stop-to-debt-asset flag changed", ChangeKind.Exit, ext((c) => ({ ...c, stopToDebtAsset: true }))],
      // Former "tightenings" that can arm the urgent bounds, switch the backstop off or freeze exits (ROLE-2).
      ["health-factor floor up 1.15 -> 1.2", ChangeKind.Leverage, lev((c) => ({ ...c, minHealthFactor: wad(1.2) }))],
      ["slippage down 100 -> 50 bps", ChangeKind.Execution, exe((c) => ({ ...c, maxSlippageBps: 50n }))],
      ["DEX deviation down 100 -> 50 bps", ChangeKind.Automation, aut((c) => ({ ...c, maxDexDeviationBps: 50n }))],
      ["equity-loss bound down 150 -> 120 bps", ChangeKind.Automation, aut((c) => ({ ...c, maxEquityLossBps: 120n }))],
      ["trade size down 250k -> 100k", ChangeKind.Automation, aut((c) => ({ ...c, maxTradeSize: parseUnits("100000", 6) }))],
      ["ripcord reward down 10 -> 5 bps", ChangeKind.Automation, aut((c) => ({ ...c, ripcordRewardBps: 5n }))],
      ["critical HF up 1.08 -> 1.1", ChangeKind.Automation, aut((c) => ({ ...c, criticalHealthFactor: wad(1.1) }))],
    ];
    for (const [label, kind, make] of cases) {
      it(`${label}: config unchanged, ChangeSubmitted + pendingChange until now + timelock`, async () => {
        const w = await loadFixture(managedVault);
        const v = timelocked(w.vault);
        const change = await make(w);
        const before = await change.view();
        const t = (await time.latest()) + 10;
        await time.setNextBlockTimestamp(t);
        const tx = (await change.send()) as { wait: () => Promise<unknown> };
        await tx.wait();
        expect(await change.view(), "the config the vault acts on did not change").to.deep.equal(before);
        const validAt = BigInt(t + MIN_TIMELOCK);
        await expect(tx).to.emit(w.vault, "ChangeSubmitted").withArgs(kind, change.data, validAt);
        const [data, pendingValidAt] = await v.pendingChange(kind);
        expect(data).to.equal(change.data);
        expect(pendingValidAt).to.equal(validAt);
      });
    }

    it("rearm() after a stop is a pending Rearm: the vault stays stopped until accepted", async () => {
      const w = await loadFixture(managedVault);
      const v = timelocked(w.vault);
      await (await w.vault.connect(w.guardian).stop()).wait(); // latching the stop is immediate
      expect((await w.vault.automationState()).mode).to.equal(Mode.StoppedOut);
      const tx = await w.vault.rearm();
      const validAt = (await minedAt(tx)) + BigInt(MIN_TIMELOCK);
      expect((await w.vault.automationState()).mode, "still stopped out").to.equal(Mode.StoppedOut);
      await expect(tx).to.emit(w.vault, "ChangeSubmitted").withArgs(ChangeKind.Rearm, "0x", validAt);
      expect((await v.pendingChange(ChangeKind.Rearm))[1]).to.equal(validAt);

      await jumpTo(w.market, validAt);
      await expect(timelocked(w.vault.connect(w.stranger)).acceptChange(ChangeKind.Rearm))
        .to.emit(w.vault, "ModeChanged")
        .withArgs(Mode.Active, anyValue);
      expect((await w.vault.automationState()).mode).to.equal(Mode.Active);
    });
  });

  describe("what applies at once, by effect (ROLE-2)", () => {
    it("the deposit cap, a longer cooldown alone, a lower band with the same floor, stops and trails added: immediate", async () => {
      const w = await loadFixture(managedVault);
      const { vault } = w;
      const v = timelocked(vault);
      // Deposit-cap changes apply at once in both directions.
      for (const cap of [parseEther("20000"), parseEther("5000")]) {
        const exec = { ...plain(await vault.executionConfig()), depositCap: cap };
        await expect(vault.setExecutionConfig(exec)).to.emit(vault, "ExecutionConfigSet").and.not.to.emit(vault, "ChangeSubmitted");
        expect(plain(await vault.executionConfig())).to.deep.equal(exec);
      }
      const auto = { ...plain(await vault.automationConfig()), cooldown: 7200n };
      await expect(vault.setAutomationConfig(auto)).to.emit(vault, "AutomationConfigSet").and.not.to.emit(vault, "ChangeSubmitted");
      expect(plain(await vault.automationConfig())).to.deep.equal(auto);

      const lev = { ...plain(await vault.leverageConfig()), targetLeverage: wad(2.5), minLeverage: wad(2.3), maxLeverage: wad(2.7) };
      await expect(vault.setLeverageConfig(lev)).to.emit(vault, "LeverageConfigSet").and.not.to.emit(vault, "ChangeSubmitted");
      expect(plain(await vault.leverageConfig())).to.deep.equal(lev);
      expect((await vault.trigger()).action, "the lower band makes a deleverage due at once").to.equal(Action.DeleverBand);

      const exits = { ...plain(await vault.exitConfig()), stopLossPrice: wad(1700), trailBps: 500n };
      await expect(vault.setExitConfig(exits)).to.emit(vault, "ExitConfigSet").and.not.to.emit(vault, "ChangeSubmitted");
      expect(plain(await vault.exitConfig())).to.deep.equal(exits);
      for (const kind of [ChangeKind.Leverage, ChangeKind.Execution, ChangeKind.Automation, ChangeKind.Exit]) {
        expect((await v.pendingChange(kind))[1], `nothing pending of kind ${kind}`).to.equal(0n);
      }
    });

    it("a value applied at once clears the pending change of the same kind", async () => {
      const w = await loadFixture(managedVault);
      const v = timelocked(w.vault);
      const exec = plain(await w.vault.executionConfig());
      await (await w.vault.setExecutionConfig({ ...exec, maxSlippageBps: 140n })).wait();
      expect((await v.pendingChange(ChangeKind.Execution))[1]).to.be.gt(0n);
      await (await w.vault.setExecutionConfig({ ...exec, depositCap: parseEther("5000") })).wait();
      expect((await w.vault.executionConfig()).maxSlippageBps).to.equal(exec.maxSlippageBps);
      expect((await v.pendingChange(ChangeKind.Execution))[1]).to.equal(0n);
      await expect(v.acceptChange(ChangeKind.Execution))
        .to.be.revertedWithCustomError(w.vault, "VaultNoPendingChange")
        .withArgs(ChangeKind.Execution);
    });

    it("the loss bound cannot be set below slippage + flash premium, even as a pending change", async () => {
      const w = await loadFixture(managedVault);
      // Slippage 100 bps + 5 bps flash premium: a 100 bps loss bound would refuse every deleverage.
      const config = { ...plain(await w.vault.automationConfig()), maxEquityLossBps: 100n };
      await expect(w.vault.setAutomationConfig(config)).to.be.revertedWithCustomError(w.vault, "KeeperInvalidAutomationConfig");
      const ok = { ...config, maxEquityLossBps: 105n };
      await expect(w.vault.setAutomationConfig(ok)).to.emit(w.vault, "ChangeSubmitted");
    });
  });

  describe("accept, revoke, expiry", () => {
    const loosenAutomation = async (w: World) => {
      const next = {
        ...plain(await w.vault.automationConfig()),
        maxDexDeviationBps: 1000n, maxEquityLossBps: 1000n, cooldown: 0n, maxTradeSize: UINT96_MAX,
      };
      const tx = await w.vault.setAutomationConfig(next);
      return { next, validAt: (await minedAt(tx)) + BigInt(MIN_TIMELOCK) };
    };

    it("not before validAt (VaultTimelockNotElapsed), then anyone applies it and it is gone", async () => {
      const w = await loadFixture(managedVault);
      const v = timelocked(w.vault);
      const before = plain(await w.vault.automationConfig());
      const { next, validAt } = await loosenAutomation(w);
      await expect(timelocked(w.vault.connect(w.stranger)).acceptChange(ChangeKind.Automation))
        .to.be.revertedWithCustomError(w.vault, "VaultTimelockNotElapsed")
        .withArgs(validAt);
      await jumpTo(w.market, validAt - 100n);
      await expect(timelocked(w.vault.connect(w.stranger)).acceptChange(ChangeKind.Automation))
        .to.be.revertedWithCustomError(w.vault, "VaultTimelockNotElapsed")
        .withArgs(validAt);
      expect(plain(await w.vault.automationConfig())).to.deep.equal(before);

      await time.setNextBlockTimestamp(validAt); // exactly validAt: accepted
      await expect(timelocked(w.vault.connect(w.stranger)).acceptChange(ChangeKind.Automation, { gasLimit: 1_000_000 }))
        .to.emit(w.vault, "AutomationConfigSet");
      expect(plain(await w.vault.automationConfig())).to.deep.equal(next);
      expect((await v.pendingChange(ChangeKind.Automation))[1]).to.equal(0n);
      await expect(v.acceptChange(ChangeKind.Automation))
        .to.be.revertedWithCustomError(w.vault, "VaultNoPendingChange")
        .withArgs(ChangeKind.Automation);
    });

    it("the guardian revokes a pending change (ChangeRevoked); a stranger may not", async () => {
      const w = await loadFixture(managedVault);
      const v = timelocked(w.vault);
      const before = plain(await w.vault.automationConfig());
      const { validAt } = await loosenAutomation(w);
      await expect(timelocked(w.vault.connect(w.stranger)).revokeChange(ChangeKind.Automation))
        .to.be.revertedWithCustomError(w.vault, "VaultUnauthorized")
        .withArgs(w.stranger.address);
      await expect(timelocked(w.vault.connect(w.guardian)).revokeChange(ChangeKind.Automation))
        .to.emit(w.vault, "ChangeRevoked")
        .withArgs(ChangeKind.Automation, w.guardian.address);
      expect((await v.pendingChange(ChangeKind.Automation))[1], "validAt == 0: nothing pending").to.equal(0n);
      await jumpTo(w.market, validAt + 1n);
      await expect(v.acceptChange(ChangeKind.Automation))
        .to.be.revertedWithCustomError(w.vault, "VaultNoPendingChange")
        .withArgs(ChangeKind.Automation);
      expect(plain(await w.vault.automationConfig())).to.deep.equal(before);
      // The manager (and the owner) may revoke too.
      await loosenAutomation(w);
      await expect(v.revokeChange(ChangeKind.Automation))
        .to.emit(w.vault, "ChangeRevoked")
        .withArgs(ChangeKind.Automation, w.manager.address);
    });

    it("a pending change expires 7 days after validAt (VaultPendingChangeExpired)", async () => {
      const w = await loadFixture(managedVault);
      const v = timelocked(w.vault);
      const before = plain(await w.vault.automationConfig());
      const { validAt } = await loosenAutomation(w);
      await jumpTo(w.market, validAt + BigInt(PENDING_VALIDITY) + 1n);
      await expect(timelocked(w.vault.connect(w.stranger)).acceptChange(ChangeKind.Automation))
        .to.be.revertedWithCustomError(w.vault, "VaultPendingChangeExpired")
        .withArgs(validAt + BigInt(PENDING_VALIDITY));
      expect(plain(await w.vault.automationConfig())).to.deep.equal(before);
    });

    it("an accepted change is re-validated: a leverage change invalid by then is refused", async () => {
      const w = await loadFixture(managedVault);
      const v = timelocked(w.vault);
      // Pending: floor down to 1.12. Meanwhile (submitted later, accepted first) the critical HF goes up to 1.14.
      const lev = { ...plain(await w.vault.leverageConfig()), minHealthFactor: wad(1.12) };
      const validAt = (await minedAt(await w.vault.setLeverageConfig(lev))) + BigInt(MIN_TIMELOCK);
      await (await w.vault.setAutomationConfig({ ...plain(await w.vault.automationConfig()), criticalHealthFactor: wad(1.14) })).wait();
      await jumpTo(w.market, validAt + 60n);
      await (await v.acceptChange(ChangeKind.Automation)).wait();
      await expect(v.acceptChange(ChangeKind.Leverage)).to.be.revertedWithCustomError(w.vault, "VaultInvalidLeverageConfig");
      expect((await w.vault.leverageConfig()).minHealthFactor).to.equal(wad(1.15));
    });
  });

  describe("the timelock itself", () => {
    it("starts at 1 day; a raise is immediate, a cut is pending; bounds [1 day, 14 days]; owner only", async () => {
      const w = await loadFixture(managedVault);
      const v = timelocked(w.vault);
      expect(await v.timelock()).to.equal(BigInt(MIN_TIMELOCK));

      await (await v.setTimelock(3 * DAY)).wait();
      expect(await v.timelock(), "a raise applies at once").to.equal(BigInt(3 * DAY));

      const tx = await v.setTimelock(2 * DAY);
      const validAt = (await minedAt(tx)) + BigInt(3 * DAY);
      await expect(tx).to.emit(w.vault, "ChangeSubmitted").withArgs(ChangeKind.Timelock, encodeChange.timelock(2 * DAY), validAt);
      expect(await v.timelock(), "a cut waits for the current timelock").to.equal(BigInt(3 * DAY));
      // Loosenings submitted meanwhile wait the longer timelock.
      const exec = plain(await w.vault.executionConfig());
      const slip = await w.vault.setExecutionConfig({ ...exec, maxSlippageBps: 140n });
      expect((await v.pendingChange(ChangeKind.Execution))[1]).to.equal((await minedAt(slip)) + BigInt(3 * DAY));

      await jumpTo(w.market, validAt);
      await (await timelocked(w.vault.connect(w.stranger)).acceptChange(ChangeKind.Timelock)).wait();
      expect(await v.timelock()).to.equal(BigInt(2 * DAY));

      for (const bad of [MIN_TIMELOCK - 1, MAX_TIMELOCK + 1, 0]) {
        await expect(v.setTimelock(bad)).to.be.revertedWithCustomError(w.vault, "VaultInvalidTimelock").withArgs(bad);
      }
      await (await v.setTimelock(MAX_TIMELOCK)).wait();
      expect(await v.timelock()).to.equal(BigInt(MAX_TIMELOCK));
      for (const who of [w.stranger, w.guardian]) {
        await expect(timelocked(w.vault.connect(who)).setTimelock(MAX_TIMELOCK)).to.be.revertedWithCustomError(w.vault, "VaultUnauthorized").withArgs(who.address);
      }
    });

    it("strangers cannot submit, revoke or rearm (VaultUnauthorized)", async () => {
      const w = await loadFixture(managedVault);
      const v = timelocked(w.vault);
      const s = w.stranger;
      // Something to revoke, so only the caller can be the reason for a refusal.
      await (await w.vault.setExecutionConfig({ ...plain(await w.vault.executionConfig()), maxSlippageBps: 140n })).wait();
      const calls: [string, () => Promise<unknown>][] = [
        ["setExecutionConfig", async () => w.vault.connect(s).setExecutionConfig({ ...plain(await w.vault.executionConfig()), maxSlippageBps: 500n })],
        ["setAutomationConfig", async () => w.vault.connect(s).setAutomationConfig({ ...plain(await w.vault.automationConfig()), cooldown: 0n })],
        ["rearm", async () => w.vault.connect(s).rearm()],
        ["setTimelock", async () => timelocked(w.vault.connect(s)).setTimelock(2 * DAY)],
        ["revokeChange", async () => timelocked(w.vault.connect(s)).revokeChange(ChangeKind.Execution)],
      ];
      for (const [name, call] of calls) {
        await expect(call(), name).to.be.revertedWithCustomError(w.vault, "VaultUnauthorized").withArgs(s.address);
      }
    });
  });

  it("adding a keeper stays immediate, and the new keeper cannot use a pending loosening", async () => {
    const w = await loadFixture(managedVault);
    await expect(w.vault.setKeeper(w.manager.address, true)).to.emit(w.vault, "KeeperSet").withArgs(w.manager.address, true);
    expect(await w.vault.isKeeper(w.manager.address)).to.equal(true);
    await (await w.vault.setAutomationConfig({ ...plain(await w.vault.automationConfig()), maxDexDeviationBps: 1000n })).wait();
    // The pool held 3% off the oracle: the deviation bound in force (100 bps) still refuses the keeper.
    await (await w.vault.setLeverageConfig({ ...plain(await w.vault.leverageConfig()), targetLeverage: wad(2.5), minLeverage: wad(2.3), maxLeverage: wad(2.7) })).wait();
    const oracle = await oraclePriceE8(w.market);
    await pushPoolTo(w.market, w.manager, (oracle * 97n) / 100n);
    expect(await poolPriceE8(w.market)).to.be.lt(oracle);
    await expect(w.vault.connect(w.manager).rebalance())
      .to.be.revertedWithCustomError(w.vault, "KeeperDexDeviation")
      .withArgs(anyValue, (oracle * WAD) / 10n ** 8n);
  });
});
