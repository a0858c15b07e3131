/**
 * Governance promises on every kind of vault (each preset on each venue), where the existing suites check them on
 * the 3x WETH/USDC Aave vault (test/security/manager-timelock.test.ts, role-2.immediate-powers.test.ts,
 * test/vault/reverts-admin.test.ts):
 * - TIMELOCK-1 / ROLE-1 (docs/PROPERTIES.md, IVaultManagement): a change ROLE-2 does not let apply at once is only a
 *   pending change (ChangeSubmitted, pendingChange), accepted by anyone from validAt for PENDING_VALIDITY, re-validated
 *   then, revocable by the guardian;
 * - ROLE-2: a lower target and band with the same floor, the deposit cap, a longer cooldown alone apply at once and
 *   never arm the urgent bounds (healthActionBounds); a raised floor or critical HF, a smaller trade size or
 *   deviation bound, a shorter cooldown wait;
 * - bad input: every setter refuses out-of-bounds values with its custom error and changes nothing;
 * - IVaultFees: raising a fee or the keeper pay waits, lowering applies at once; no fee without a recipient.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, type ContractTransactionResponse } from "ethers";
import { plain } from "../shared/structs";
import { ChangeKind, pendingChanges } from "../shared/timelock";
import { KINDS, acceptAllPending, jumpTo, type PromiseWorld } from "./worlds";

const DAY = 86_400;
const PENDING_VALIDITY = 7 * DAY;
const MILLI = 10n ** 15n; // 0.001 in wad

/** Every configuration, role and pending change the vault reports: equal before and after a refused call. */
async function governanceState(w: PromiseWorld) {
  const v = w.vault;
  return {
    leverage: plain(await v.leverageConfig()),
    execution: plain(await v.executionConfig()),
    automation: plain(await v.automationConfig()),
    exits: plain(await v.exitConfig()),
    volatility: plain(await v.volatilityConfig()),
    fees: plain(await v.feeConfig()),
    keeperPay: plain(await v.keeperPayConfig()),
    outage: plain(await v.outageConfig()),
    timelock: await v.timelock(),
    roles: [await v.owner(), await v.manager(), await v.guardian(), await v.pendingOwner()],
    mode: (await v.automationState()).mode,
    pending: await pendingChanges(v),
    bounds: [...(await v.healthActionBounds())],
  };
}

async function minedAt(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  return BigInt((await receipt!.getBlock()).timestamp);
}

const scaled = (x: bigint, num: bigint, den: bigint) => (x * num) / den;

for (const kind of KINDS) {
  describe(`promises, governance: ${kind.label}`, function () {
    it("TIMELOCK-1: a slippage change is only pending; not before validAt, not after validAt + 7 days; the guardian revokes; anyone accepts in the window", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, manager, guardian, stranger } = w;
      const exec = plain(await vault.executionConfig());
      const next = { ...exec, maxSlippageBps: exec.maxSlippageBps - 5n };
      const timelock = await vault.timelock();
      const send = () => vault.connect(manager).setExecutionConfig(next);

      const at = await minedAt(send());
      const validAt = at + timelock;
      expect(plain(await vault.executionConfig())).to.deep.equal(exec);
      const [data, pendingAt] = await vault.pendingChange(ChangeKind.Execution);
      expect(pendingAt).to.equal(validAt);
      expect(data).to.not.equal("0x");
      await time.setNextBlockTimestamp(validAt - 1n);
      await expect(vault.connect(stranger).acceptChange(ChangeKind.Execution))
        .to.be.revertedWithCustomError(vault, "VaultTimelockNotElapsed")
        .withArgs(validAt);
      await expect(vault.connect(stranger).revokeChange(ChangeKind.Execution)).to.be.revertedWithCustomError(vault, "VaultUnauthorized");
      await expect(vault.connect(guardian).revokeChange(ChangeKind.Execution)).to.emit(vault, "ChangeRevoked").withArgs(ChangeKind.Execution, guardian.address);
      expect((await vault.pendingChange(ChangeKind.Execution))[1]).to.equal(0n);
      await expect(vault.connect(stranger).acceptChange(ChangeKind.Execution))
        .to.be.revertedWithCustomError(vault, "VaultNoPendingChange")
        .withArgs(ChangeKind.Execution);

      // Expiry.
      const at2 = await minedAt(send());
      await jumpTo(w, at2 + timelock + BigInt(PENDING_VALIDITY) + 1n);
      await expect(vault.connect(stranger).acceptChange(ChangeKind.Execution))
        .to.be.revertedWithCustomError(vault, "VaultPendingChangeExpired")
        .withArgs(at2 + timelock + BigInt(PENDING_VALIDITY));
      expect(plain(await vault.executionConfig())).to.deep.equal(exec);

      // Accepted by a stranger on the window's last second (an execution change reads no price).
      const at3 = await minedAt(send());
      await time.setNextBlockTimestamp(at3 + timelock + BigInt(PENDING_VALIDITY));
      await expect(vault.connect(stranger).acceptChange(ChangeKind.Execution)).to.emit(vault, "ExecutionConfigSet");
      expect(plain(await vault.executionConfig())).to.deep.equal(next);
      expect((await vault.pendingChange(ChangeKind.Execution))[1]).to.equal(0n);

      // And on its first second: back to the original slippage (any slippage change waits).
      const at4 = await minedAt(vault.connect(manager).setExecutionConfig(exec));
      expect(plain(await vault.executionConfig())).to.deep.equal(next);
      await time.setNextBlockTimestamp(at4 + timelock);
      await expect(vault.connect(stranger).acceptChange(ChangeKind.Execution)).to.emit(vault, "ExecutionConfigSet");
      expect(plain(await vault.executionConfig())).to.deep.equal(exec);
    });

    it("ROLE-2: a lower target and band with the same floor, the deposit cap and a longer cooldown apply at once and arm nothing", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, manager } = w;
      const before = await governanceState(w);
      const lev = plain(await vault.leverageConfig());
      const lower = {
        ...lev,
        targetLeverage: scaled(lev.targetLeverage, 95n, 100n),
        minLeverage: scaled(lev.minLeverage, 95n, 100n),
        maxLeverage: scaled(lev.maxLeverage, 95n, 100n),
      };
      await expect(vault.connect(manager).setLeverageConfig(lower)).to.emit(vault, "LeverageConfigSet").and.not.to.emit(vault, "ChangeSubmitted");
      expect(plain(await vault.leverageConfig())).to.deep.equal(lower);
      const exec = plain(await vault.executionConfig());
      await expect(vault.connect(manager).setExecutionConfig({ ...exec, depositCap: exec.depositCap / 2n }))
        .to.emit(vault, "ExecutionConfigSet")
        .and.not.to.emit(vault, "ChangeSubmitted");
      const auto = plain(await vault.automationConfig());
      await expect(vault.connect(manager).setAutomationConfig({ ...auto, cooldown: auto.cooldown + 60n }))
        .to.emit(vault, "AutomationConfigSet")
        .and.not.to.emit(vault, "ChangeSubmitted");
      const after = await governanceState(w);
      expect(after.pending).to.deep.equal([]);
      expect(after.bounds, "healthActionBounds unchanged").to.deep.equal(before.bounds);
      expect(after.leverage.minHealthFactor).to.equal(before.leverage.minHealthFactor);
      expect(after.automation.criticalHealthFactor).to.equal(before.automation.criticalHealthFactor);
    });

    it("ROLE-2: a raised floor (with a lower target), a raised critical HF, a smaller trade size or deviation bound, a shorter cooldown, any outage change and a timelock cut each wait; nothing applies at once", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, manager } = w;
      // A longer timelock applies at once (the cut below then waits it out).
      await expect(vault.connect(w.owner).setTimelock(2 * DAY)).to.emit(vault, "TimelockSet").withArgs(2 * DAY).and.not.to.emit(vault, "ChangeSubmitted");
      const before = await governanceState(w);
      const lev = before.leverage;
      const auto = before.automation;
      const cases: Array<[string, number, () => Promise<ContractTransactionResponse>]> = [
        [
          "lower target, floor +0.001",
          ChangeKind.Leverage,
          () =>
            vault.connect(manager).setLeverageConfig({
              ...lev,
              targetLeverage: scaled(lev.targetLeverage, 95n, 100n),
              minLeverage: scaled(lev.minLeverage, 95n, 100n),
              maxLeverage: scaled(lev.maxLeverage, 95n, 100n),
              minHealthFactor: lev.minHealthFactor + MILLI,
            }),
        ],
        ["critical HF +0.001", ChangeKind.Automation, () => vault.connect(manager).setAutomationConfig({ ...auto, criticalHealthFactor: auto.criticalHealthFactor + MILLI })],
        ["trade size / 2", ChangeKind.Automation, () => vault.connect(manager).setAutomationConfig({ ...auto, maxTradeSize: auto.maxTradeSize / 2n })],
        ["deviation - 1 bp", ChangeKind.Automation, () => vault.connect(manager).setAutomationConfig({ ...auto, maxDexDeviationBps: auto.maxDexDeviationBps - 1n })],
        ["cooldown - 60 s", ChangeKind.Automation, () => vault.connect(manager).setAutomationConfig({ ...auto, cooldown: auto.cooldown - 60n })],
        ["ripcord reward - 1 bp", ChangeKind.Automation, () => vault.connect(manager).setAutomationConfig({ ...auto, ripcordRewardBps: auto.ripcordRewardBps - 1n })],
        [
          "outage: a longer grace and smaller caps (the path waits in both directions)",
          ChangeKind.Outage,
          () => vault.connect(manager).setOutageConfig({ gracePeriod: 1200, twapWindow: 0, maxTwapDeviationBps: 0, maxActionBps: 1000, maxHourlyBps: 2000 }),
        ],
        ["timelock cut to 1 day after a raise", ChangeKind.Timelock, () => vault.connect(w.owner).setTimelock(DAY)],
      ];
      for (const [label, changeKind, send] of cases) {
        await expect(send(), label).to.emit(vault, "ChangeSubmitted").withArgs(changeKind, (d: string) => d.length > 2, (t: bigint) => t > 0n);
        const now = await governanceState(w);
        expect({ ...now, pending: [] }, label).to.deep.equal({ ...before, pending: [] });
      }
    });

    it("bad input: every setter refuses out-of-bounds values with its custom error and changes nothing", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, manager, owner, guardian } = w;
      const before = await governanceState(w);
      const { leverage: lev, execution: exec, automation: auto, exits, volatility: vol } = before;
      const wad = 10n ** 18n;
      const refused: Array<[string, () => Promise<unknown>, string]> = [
        ["target 15x", () => vault.connect(manager).setLeverageConfig({ ...lev, targetLeverage: 15n * wad, maxLeverage: 16n * wad }), "VaultInvalidLeverageConfig"],
        ["min leverage < 1", () => vault.connect(manager).setLeverageConfig({ ...lev, minLeverage: wad - 1n }), "VaultInvalidLeverageConfig"],
        ["floor <= 1", () => vault.connect(manager).setLeverageConfig({ ...lev, minHealthFactor: wad }), "VaultInvalidLeverageConfig"],
        ["floor < critical", () => vault.connect(manager).setLeverageConfig({ ...lev, minHealthFactor: auto.criticalHealthFactor - 1n }), "VaultInvalidLeverageConfig"],
        ["slippage 0", () => vault.connect(manager).setExecutionConfig({ ...exec, maxSlippageBps: 0n }), "VaultInvalidExecutionConfig"],
        ["slippage 501", () => vault.connect(manager).setExecutionConfig({ ...exec, maxSlippageBps: 501n }), "VaultInvalidExecutionConfig"],
        ["critical > floor", () => vault.connect(manager).setAutomationConfig({ ...auto, criticalHealthFactor: lev.minHealthFactor + 1n }), "KeeperInvalidAutomationConfig"],
        ["critical <= 1", () => vault.connect(manager).setAutomationConfig({ ...auto, criticalHealthFactor: wad }), "KeeperInvalidAutomationConfig"],
        ["trade size 0", () => vault.connect(manager).setAutomationConfig({ ...auto, maxTradeSize: 0n }), "KeeperInvalidAutomationConfig"],
        ["deviation 1001", () => vault.connect(manager).setAutomationConfig({ ...auto, maxDexDeviationBps: 1001n }), "KeeperInvalidAutomationConfig"],
        ["reward 101 bps", () => vault.connect(manager).setAutomationConfig({ ...auto, ripcordRewardBps: 101n }), "KeeperInvalidAutomationConfig"],
        ["cooldown 7 d + 1 s", () => vault.connect(manager).setAutomationConfig({ ...auto, cooldown: 7n * 86_400n + 1n }), "KeeperInvalidAutomationConfig"],
        ["take-profit leverage > target", () => vault.connect(manager).setExitConfig({ ...exits, takeProfitLeverage: lev.targetLeverage + 1n }), "KeeperInvalidExitConfig"],
        ["trail 50 %", () => vault.connect(manager).setExitConfig({ ...exits, trailBps: 5000n }), "KeeperInvalidExitConfig"],
        ["stop above take-profit", () => vault.connect(manager).setExitConfig({ ...exits, stopLossPrice: 10n ** 30n, takeProfitPrice: 10n ** 29n }), "KeeperInvalidExitConfig"],
        ["horizon 1 s", () => vault.connect(manager).setVolatilityConfig({ ...vol, horizon: 1n }), "KeeperInvalidVolatilityConfig"],
        ["rounds 49", () => vault.connect(manager).setVolatilityConfig({ ...vol, rounds: 49n }), "KeeperInvalidVolatilityConfig"],
        ["vol floor > target", () => vault.connect(manager).setVolatilityConfig({ ...vol, floorLeverage: lev.targetLeverage + 1n }), "KeeperInvalidVolatilityConfig"],
        ["timelock < 1 day", () => vault.connect(owner).setTimelock(DAY - 1), "VaultInvalidTimelock"],
        ["timelock > 14 days", () => vault.connect(owner).setTimelock(14 * DAY + 1), "VaultInvalidTimelock"],
        ["management fee 201", () => vault.connect(owner).setFees(201, 0), "VaultFeeAboveCap"],
        ["performance fee 2001", () => vault.connect(owner).setFees(0, 2001), "VaultFeeAboveCap"],
        ["a fee without a recipient", () => vault.connect(owner).setFees(10, 0), "VaultZeroFeeRecipient"],
        [
          "keeper pay 1.2x + 1 bp",
          () => vault.connect(manager).setKeeperPayConfig({ multiplierBps: 12_001, gasTokenIsDebt: false, maxGasPrice: 1n, maxPerAction: 1n, maxPerDay: 1n }),
          "KeeperInvalidPayConfig",
        ],
        [
          "keeper pay on without a gas-price cap",
          () => vault.connect(manager).setKeeperPayConfig({ multiplierBps: 10_000, gasTokenIsDebt: false, maxGasPrice: 0n, maxPerAction: 1n, maxPerDay: 1n }),
          "KeeperInvalidPayConfig",
        ],
        [
          "TWAP window 1 s",
          () => vault.connect(manager).setOutageConfig({ gracePeriod: 0, twapWindow: 1, maxTwapDeviationBps: 0, maxActionBps: 0, maxHourlyBps: 0 }),
          "OutageInvalidConfig",
        ],
        [
          "outage call cap above the hour's",
          () => vault.connect(manager).setOutageConfig({ gracePeriod: 0, twapWindow: 0, maxTwapDeviationBps: 0, maxActionBps: 6000, maxHourlyBps: 5000 }),
          "OutageInvalidConfig",
        ],
        ["zero manager", () => vault.connect(owner).setRoles(ZeroAddress, guardian.address), "VaultInvalidRole"],
        ["zero guardian", () => vault.connect(owner).setRoles(manager.address, ZeroAddress), "VaultInvalidRole"],
        ["re-arm while active", () => vault.connect(manager).rearm(), "VaultNotStopped"],
        ["accept with nothing pending", () => vault.acceptChange(ChangeKind.Leverage), "VaultNoPendingChange"],
        ["revoke with nothing pending", () => vault.connect(guardian).revokeChange(ChangeKind.Fees), "VaultNoPendingChange"],
        ["a venue move on a plain vault", () => vault.connect(owner).proposeVenue(manager.address), "VaultNotRefinanceable"],
        ["a fee tier without a pool", () => vault.connect(manager).setExecutionConfig({ ...exec, swapFee: 10_000n }), "SwapRouteMissing"],
      ];
      for (const [label, send, error] of refused) {
        await expect(send(), label).to.be.revertedWithCustomError(vault, error);
      }
      expect(await governanceState(w)).to.deep.equal(before);
    });

    it("roles: a stranger can set nothing (VaultUnauthorized(caller)); the guardian may pause and stop but not set parameters", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, stranger, guardian } = w;
      const before = await governanceState(w);
      const { leverage, execution, automation, exits, volatility } = before;
      for (const who of [stranger, guardian]) {
        for (const send of [
          () => vault.connect(who).setLeverageConfig(leverage),
          () => vault.connect(who).setExecutionConfig(execution),
          () => vault.connect(who).setAutomationConfig(automation),
          () => vault.connect(who).setExitConfig(exits),
          () => vault.connect(who).setVolatilityConfig(volatility),
          () => vault.connect(who).setTimelock(2 * DAY),
          () => vault.connect(who).setFees(0, 0),
          () => vault.connect(who).setFeeRecipient(who.address),
          () => vault.connect(who).setRoles(who.address, who.address),
          () => vault.connect(who).setKeeper(who.address, true),
          () => vault.connect(who).rearm(),
          () => vault.connect(who).transferOwnership(who.address),
          () => vault.connect(who).proposeVenue(who.address),
          () => vault.connect(who).rebalance(),
          () => vault.connect(who).performUpkeep("0x"),
        ]) {
          await expect(send()).to.be.revertedWithCustomError(vault, "VaultUnauthorized").withArgs(who.address);
        }
      }
      await expect(vault.connect(stranger).stop()).to.be.revertedWithCustomError(vault, "VaultUnauthorized").withArgs(stranger.address);
      await expect(vault.connect(stranger).setDepositsPaused(true)).to.be.revertedWithCustomError(vault, "VaultUnauthorized").withArgs(stranger.address);
      expect(await governanceState(w)).to.deep.equal(before);
    });

    it("fees and keeper pay: a raise waits out the timelock (either rate), a cut applies at once; the recipient cannot be zeroed while a fee is set", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, owner, manager, carol, stranger } = w;
      await expect(vault.connect(owner).setFeeRecipient(carol.address)).to.emit(vault, "FeeRecipientSet").withArgs(carol.address);
      const at = await minedAt(vault.connect(owner).setFees(100, 1000));
      expect(plain(await vault.feeConfig())).to.deep.equal({ recipient: carol.address, managementFeeBps: 0n, performanceFeeBps: 0n });
      const validAt = at + (await vault.timelock());
      expect((await vault.pendingChange(ChangeKind.Fees))[1]).to.equal(validAt);
      await jumpTo(w, validAt - 1n);
      await expect(vault.connect(stranger).acceptChange(ChangeKind.Fees)).to.emit(vault, "FeesSet").withArgs(100n, 1000n);
      await expect(vault.connect(owner).setFees(50, 1000)).to.emit(vault, "FeesSet").withArgs(50n, 1000n).and.not.to.emit(vault, "ChangeSubmitted");
      await expect(vault.connect(owner).setFees(40, 1100)).to.emit(vault, "ChangeSubmitted").and.not.to.emit(vault, "FeesSet");
      expect(plain(await vault.feeConfig())).to.deep.equal({ recipient: carol.address, managementFeeBps: 50n, performanceFeeBps: 1000n });
      await expect(vault.connect(owner).setFeeRecipient(ZeroAddress)).to.be.revertedWithCustomError(vault, "VaultZeroFeeRecipient");
      expect((await vault.feeConfig()).recipient).to.equal(carol.address);

      const pay = { multiplierBps: 10_000n, gasTokenIsDebt: false, maxGasPrice: 10n ** 11n, maxPerAction: 1000n, maxPerDay: 10_000n };
      await expect(vault.connect(manager).setKeeperPayConfig(pay)).to.emit(vault, "ChangeSubmitted");
      expect(plain(await vault.keeperPayConfig()).multiplierBps).to.equal(0n);
      await acceptAllPending(w);
      expect(plain(await vault.keeperPayConfig())).to.deep.equal(pay);
      const lower = { ...pay, maxPerDay: 5_000n };
      await expect(vault.connect(manager).setKeeperPayConfig(lower)).to.emit(vault, "KeeperPayConfigSet").and.not.to.emit(vault, "ChangeSubmitted");
      await expect(vault.connect(manager).setKeeperPayConfig({ ...lower, gasTokenIsDebt: true })).to.emit(vault, "ChangeSubmitted");
      expect(plain(await vault.keeperPayConfig())).to.deep.equal(lower);
    });

    it("TIMELOCK-1: a pending change is re-validated when accepted: a take-profit leverage or volatility floor above a target lowered since is refused", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, manager, stranger } = w;
      const lev = plain(await vault.leverageConfig());
      const exits = plain(await vault.exitConfig());
      const vol = plain(await vault.volatilityConfig());
      // Loosenings: more leverage kept after a take-profit, a higher volatility floor.
      await expect(vault.connect(manager).setExitConfig({ ...exits, takeProfitLeverage: lev.targetLeverage })).to.emit(vault, "ChangeSubmitted");
      await expect(vault.connect(manager).setVolatilityConfig({ ...vol, floorLeverage: lev.targetLeverage })).to.emit(vault, "ChangeSubmitted");
      // A lower target applies at once.
      const lower = {
        ...lev,
        targetLeverage: scaled(lev.targetLeverage, 95n, 100n),
        minLeverage: scaled(lev.minLeverage, 95n, 100n),
        maxLeverage: scaled(lev.maxLeverage, 95n, 100n),
      };
      await expect(vault.connect(manager).setLeverageConfig(lower)).to.emit(vault, "LeverageConfigSet");
      const [, validAt] = await vault.pendingChange(ChangeKind.Exit);
      await jumpTo(w, validAt);
      await expect(vault.connect(stranger).acceptChange(ChangeKind.Exit)).to.be.revertedWithCustomError(vault, "KeeperInvalidExitConfig");
      await expect(vault.connect(stranger).acceptChange(ChangeKind.Volatility)).to.be.revertedWithCustomError(vault, "KeeperInvalidVolatilityConfig");
      expect(plain(await vault.exitConfig())).to.deep.equal(exits);
      expect(plain(await vault.volatilityConfig())).to.deep.equal(vol);
    });

    it("rearm: only while latched, waits out the timelock, a stop drops it; accepted, it re-activates and resets the high-water mark to the oracle price", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, manager, guardian, stranger } = w;
      await expect(vault.connect(guardian).stop()).to.emit(vault, "ModeChanged").withArgs(1n, guardian.address);
      await expect(vault.connect(manager).rearm()).to.emit(vault, "ChangeSubmitted").withArgs(ChangeKind.Rearm, "0x", (t: bigint) => t > 0n);
      expect((await vault.automationState()).mode).to.equal(1n);
      await expect(vault.connect(guardian).stop()).to.emit(vault, "ChangeRevoked").withArgs(ChangeKind.Rearm, guardian.address);
      expect((await vault.pendingChange(ChangeKind.Rearm))[1]).to.equal(0n);
      await expect(vault.connect(manager).rearm()).to.emit(vault, "ChangeSubmitted");
      await acceptAllPending(w);
      expect((await vault.automationState()).mode).to.equal(0n);
      const [collateralPrice, debtPrice] = await vault.oraclePrices();
      expect((await vault.automationState()).highWaterMark).to.equal((collateralPrice * 10n ** 18n) / debtPrice);
      await expect(vault.connect(stranger).acceptChange(ChangeKind.Rearm)).to.be.revertedWithCustomError(vault, "VaultNoPendingChange");
    });
  });
}
