import { expect } from "chai";
import { acceptPending } from "../shared/timelock";
import { plain } from "../shared/structs";
import hre, { ethers } from "hardhat";
import { ZeroAddress, parseEther, parseUnits } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  deployModule,
  deployVault,
  initParams,
  localMarketAddresses,
  localOracleConfig,
  vault3x,
  wad,
  type VaultWorld,
} from "../shared/vault";
import { deposit } from "../shared/vault-helpers";

/** A struct as ethers decodes it in an error's arguments: its fields in declaration order. */
const fields = (config: object) => Object.values(config);

/** Separate manager and guardian (the fixture's deployer holds every role). */
async function withRoles(w: VaultWorld) {
  const [manager, guardian] = [w.market.users[5], w.market.users[6]];
  await (await w.vault.setRoles(manager.address, guardian.address)).wait();
  await acceptPending(w.vault, w.market); // a new guardian waits out the timelock (ROLE-2)
  return { owner: w.market.deployer, manager, guardian };
}

describe("vault reverts: parameters and roles", () => {
  describe("setLeverageConfig", () => {
    // 3x vault on WETH (max LTV 80.5%, liquidation threshold 83%): target LTV <= 75.5%, band top <= 78%.
    const MAX_LTV_BPS = 7550n;
    const base = { targetLeverage: wad(3), minLeverage: wad(2.7), maxLeverage: wad(3.3), minHealthFactor: wad(1.15) };
    const invalid: [string, typeof base][] = [
      ["min leverage below 1x", { ...base, minLeverage: wad(0.9) }],
      ["min above target", { ...base, minLeverage: wad(3.1) }],
      ["target above max", { ...base, maxLeverage: wad(2.9) }],
      ["target LTV above max LTV - buffer (4.2x = 76.2%)", { ...base, targetLeverage: wad(4.2), maxLeverage: wad(4.3), minHealthFactor: wad(1.05) }],
      ["band top LTV above liquidation threshold - buffer (4.6x = 78.3%)", { ...base, maxLeverage: wad(4.6) }],
      ["health-factor floor at 1.0", { ...base, minHealthFactor: wad(1) }],
      ["health-factor floor above the HF at target (1.245)", { ...base, minHealthFactor: wad(1.25) }],
    ];
    for (const [label, config] of invalid) {
      it(`refuses ${label}: VaultInvalidLeverageConfig(config, ${MAX_LTV_BPS})`, async () => {
        const w = await loadFixture(vault3x);
        const current = await w.vault.leverageConfig();
        await expect(w.vault.setLeverageConfig(config))
          .to.be.revertedWithCustomError(w.vault, "VaultInvalidLeverageConfig")
          .withArgs(fields(config), MAX_LTV_BPS);
        expect(await w.vault.leverageConfig()).to.deep.equal(current);
      });
    }

    it("accepts a valid change and emits LeverageConfigSet", async () => {
      const w = await loadFixture(vault3x);
      const config = { ...base, targetLeverage: wad(2.5), minLeverage: wad(2.2), maxLeverage: wad(2.8) };
      await expect(w.vault.setLeverageConfig(config)).to.emit(w.vault, "LeverageConfigSet").withArgs(fields(config));
      expect((await w.vault.leverageConfig()).targetLeverage).to.equal(wad(2.5));
    });
  });

  describe("setExecutionConfig", () => {
    for (const slippage of [0n, 501n]) {
      it(`refuses maxSlippageBps ${slippage}: VaultInvalidExecutionConfig(config)`, async () => {
        const w = await loadFixture(vault3x);
        const config = { maxSlippageBps: slippage, swapFee: 500n, depositCap: parseEther("100") };
        await expect(w.vault.setExecutionConfig(config))
          .to.be.revertedWithCustomError(w.vault, "VaultInvalidExecutionConfig")
          .withArgs(fields(config));
        expect((await w.vault.executionConfig()).maxSlippageBps).to.equal(100n);
      });
    }

    it("refuses a fee tier without a pool: SwapRouteMissing(fee)", async () => {
      const w = await loadFixture(vault3x);
      await expect(w.vault.setExecutionConfig({ maxSlippageBps: 200n, swapFee: 10_000n, depositCap: parseEther("100") }))
        .to.be.revertedWithCustomError(w.vault, "SwapRouteMissing")
        .withArgs(10_000n);
    });

    it("accepts the bounds (500 bps, the 0.3% pool)", async () => {
      const w = await loadFixture(vault3x);
      const config = { maxSlippageBps: 500n, swapFee: 3000n, depositCap: parseEther("100") };
      // 500 bps needs a loss bound of at least 505 first; both loosen, so both wait out the timelock.
      await (await w.vault.setAutomationConfig({ ...plain(await w.vault.automationConfig()), maxEquityLossBps: 505 })).wait();
      await acceptPending(w.vault, w.market);
      await expect(w.vault.setExecutionConfig(config)).to.emit(w.vault, "ChangeSubmitted");
      await acceptPending(w.vault, w.market);
      expect(fields(await w.vault.executionConfig())).to.deep.equal(fields(config));
      // The new route is used: a deposit levers through the 0.3% pool.
      const poolWethBefore: bigint = await w.market.weth.balanceOf(w.market.uniPool3000.target);
      await deposit(w, w.alice, parseEther("1"));
      expect(await w.market.weth.balanceOf(w.market.uniPool3000.target)).to.be.lt(poolWethBefore);
    });
  });

  describe("setAutomationConfig", () => {
    // 3x fixture: health-factor floor 1.15.
    const base = {
      criticalHealthFactor: wad(1.05),
      maxDexDeviationBps: 100n,
      maxEquityLossBps: 100n,
      cooldown: 3600n,
      ripcordRewardBps: 10n,
      maxTradeSize: parseUnits("250000", 6),
      ripcordRewardCap: wad(1),
    };
    const invalid: [string, typeof base][] = [
      ["critical HF at 1.0", { ...base, criticalHealthFactor: wad(1) }],
      ["critical HF above the HF floor", { ...base, criticalHealthFactor: wad(1.2) }],
      ["zero DEX deviation", { ...base, maxDexDeviationBps: 0n }],
      ["DEX deviation above 1000 bps", { ...base, maxDexDeviationBps: 1001n }],
      ["zero equity loss", { ...base, maxEquityLossBps: 0n }],
      ["equity loss above 1000 bps", { ...base, maxEquityLossBps: 1001n }],
      ["ripcord reward above 100 bps", { ...base, ripcordRewardBps: 101n }],
      ["zero max trade size", { ...base, maxTradeSize: 0n }],
      ["cooldown above 7 days", { ...base, cooldown: 7n * 86_400n + 1n }],
    ];
    for (const [label, config] of invalid) {
      it(`refuses ${label}: KeeperInvalidAutomationConfig(config)`, async () => {
        const w = await loadFixture(vault3x);
        const current = await w.vault.automationConfig();
        await expect(w.vault.setAutomationConfig(config))
          .to.be.revertedWithCustomError(w.vault, "KeeperInvalidAutomationConfig")
          .withArgs(fields(config));
        expect(await w.vault.automationConfig()).to.deep.equal(current);
      });
    }
  });

  describe("setExitConfig", () => {
    const base = {
      stopLossPrice: wad(1500),
      takeProfitPrice: wad(3000),
      takeProfitLeverage: wad(1.5),
      trailBps: 1000n,
      stopToDebtAsset: false,
    };
    const invalid: [string, typeof base][] = [
      ["take-profit leverage below 1x", { ...base, takeProfitLeverage: wad(0.9) }],
      ["take-profit leverage above the 3x target", { ...base, takeProfitLeverage: wad(3.1) }],
      ["stop-loss not below take-profit", { ...base, stopLossPrice: wad(3000) }],
      ["trail of 50%", { ...base, trailBps: 5000n }],
    ];
    for (const [label, config] of invalid) {
      it(`refuses ${label}: KeeperInvalidExitConfig(config)`, async () => {
        const w = await loadFixture(vault3x);
        await expect(w.vault.setExitConfig(config))
          .to.be.revertedWithCustomError(w.vault, "KeeperInvalidExitConfig")
          .withArgs(fields(config));
        expect((await w.vault.exitConfig()).stopLossPrice).to.equal(0n);
      });
    }

    it("accepts a consistent exit config", async () => {
      const w = await loadFixture(vault3x);
      // Adding stops is immediate, but a higher take-profit leverage (1x -> 1.5x) loosens: it waits out the timelock.
      await expect(w.vault.setExitConfig(base)).to.emit(w.vault, "ChangeSubmitted");
      expect((await w.vault.exitConfig()).takeProfitPrice).to.equal(0n);
      await acceptPending(w.vault, w.market);
      expect((await w.vault.exitConfig()).takeProfitPrice).to.equal(wad(3000));
    });
  });

  describe("setRoles", () => {
    it("refuses a zero manager or guardian: VaultInvalidRole()", async () => {
      const w = await loadFixture(vault3x);
      const someone = w.market.users[5].address;
      await expect(w.vault.setRoles(ZeroAddress, someone)).to.be.revertedWithCustomError(w.vault, "VaultInvalidRole").withArgs();
      await expect(w.vault.setRoles(someone, ZeroAddress)).to.be.revertedWithCustomError(w.vault, "VaultInvalidRole").withArgs();
      expect(await w.vault.manager()).to.equal(w.market.deployer.address);
    });
  });

  describe("unauthorised callers: VaultUnauthorized(caller)", () => {
    it("a stranger can call no setter, role or automation function", async () => {
      const w = await loadFixture(vault3x);
      const { vault, stranger } = w;
      const as = vault.connect(stranger);
      // The fixture's own (valid) configs: only the caller is wrong.
      const own = initParams(w.settings, { owner: stranger.address, manager: stranger.address, guardian: stranger.address });
      const calls: [string, () => Promise<unknown>][] = [
        ["setLeverageConfig", () => as.setLeverageConfig(own.leverage)],
        ["setExecutionConfig", () => as.setExecutionConfig(own.execution)],
        ["setAutomationConfig", () => as.setAutomationConfig(own.automation)],
        ["setExitConfig", () => as.setExitConfig(own.exits)],
        ["setKeeper", () => as.setKeeper(stranger.address, true)],
        ["setRoles", () => as.setRoles(stranger.address, stranger.address)],
        ["transferOwnership", () => as.transferOwnership(stranger.address)],
        ["acceptOwnership", () => as.acceptOwnership()],
        ["setDepositsPaused", () => as.setDepositsPaused(true)],
        ["stop", () => as.stop()],
        ["rearm", () => as.rearm()],
        ["rebalance", () => as.rebalance()],
        ["performUpkeep", () => as.performUpkeep("0x")],
      ];
      for (const [name, call] of calls) {
        await expect(call(), name).to.be.revertedWithCustomError(vault, "VaultUnauthorized").withArgs(stranger.address);
      }
      expect(await vault.isKeeper(stranger.address)).to.equal(false);
      expect(await vault.owner()).to.equal(w.market.deployer.address);
      expect(await vault.depositsPaused()).to.equal(false);
    });

    it("each role is held to its own functions: keeper, guardian, manager", async () => {
      const w = await loadFixture(vault3x);
      const { vault, keeper } = w;
      const { manager, guardian } = await withRoles(w);

      // The keeper may rebalance but not manage.
      await expect(vault.connect(keeper).setKeeper(keeper.address, false))
        .to.be.revertedWithCustomError(vault, "VaultUnauthorized")
        .withArgs(keeper.address);
      await expect(vault.connect(keeper).stop()).to.be.revertedWithCustomError(vault, "VaultUnauthorized").withArgs(keeper.address);
      // The guardian may pause and stop (risk reduction) but not unpause, re-arm or set parameters.
      await expect(vault.connect(guardian).setLeverageConfig(initParams(w.settings, { owner: guardian.address, manager: guardian.address, guardian: guardian.address }).leverage))
        .to.be.revertedWithCustomError(vault, "VaultUnauthorized")
        .withArgs(guardian.address);
      await expect(vault.connect(guardian).setKeeper(guardian.address, true))
        .to.be.revertedWithCustomError(vault, "VaultUnauthorized")
        .withArgs(guardian.address);
      await expect(vault.connect(guardian).stop()).to.emit(vault, "ModeChanged").withArgs(1n, guardian.address);
      await expect(vault.connect(guardian).rearm()).to.be.revertedWithCustomError(vault, "VaultUnauthorized").withArgs(guardian.address);
      // The manager sets parameters and re-arms but cannot change roles or ownership.
      await expect(vault.connect(manager).rearm()).to.emit(vault, "ChangeSubmitted");
      await expect(vault.connect(manager).setRoles(manager.address, manager.address))
        .to.be.revertedWithCustomError(vault, "VaultUnauthorized")
        .withArgs(manager.address);
      await expect(vault.connect(manager).transferOwnership(manager.address))
        .to.be.revertedWithCustomError(vault, "VaultUnauthorized")
        .withArgs(manager.address);
      await expect(vault.connect(manager).setKeeper(manager.address, true)).to.emit(vault, "KeeperSet").withArgs(manager.address, true);
      expect(await vault.isKeeper(manager.address)).to.equal(true);
    });
  });

  describe("construction and initialisation", () => {
    it("initialize through the vault again reverts VaultAlreadyInitialized(), for the owner and anyone", async () => {
      const w = await loadFixture(vault3x);
      const params = initParams(w.settings, {
        owner: w.stranger.address,
        manager: w.stranger.address,
        guardian: w.stranger.address,
      });
      await expect(w.vault.initialize(params)).to.be.revertedWithCustomError(w.vault, "VaultAlreadyInitialized").withArgs();
      await expect(w.vault.connect(w.stranger).initialize(params))
        .to.be.revertedWithCustomError(w.vault, "VaultAlreadyInitialized")
        .withArgs();
      expect(await w.vault.owner()).to.equal(w.market.deployer.address);
    });

    it("a vault refuses a module built for another oracle config or other markets: VaultModuleMismatch()", async () => {
      const w = await loadFixture(vault3x);
      const { market } = w;
      const markets = localMarketAddresses(market);
      const oracle = localOracleConfig(market);
      const roles = { owner: market.deployer.address, manager: market.deployer.address, guardian: market.deployer.address };
      const factory = await ethers.getContractFactory("AaveUniswapLeverageVault", market.deployer);

      const otherHeartbeat = await deployModule(ethers, markets, { ...oracle, collateralHeartbeat: 7200 });
      await expect(factory.deploy(markets, oracle, "v", "v", otherHeartbeat.target, initParams(w.settings, roles)))
        .to.be.revertedWithCustomError(factory, "VaultModuleMismatch")
        .withArgs();
      const otherRouter = await deployModule(ethers, { ...markets, swapRouter: market.positionManager.target as string }, oracle);
      await expect(factory.deploy(markets, oracle, "v", "v", otherRouter.target, initParams(w.settings, roles)))
        .to.be.revertedWithCustomError(factory, "VaultModuleMismatch")
        .withArgs();

      // The module built for the same markets and feeds serves a second vault.
      const second = await deployVault(hre.ethers, market, { targetLeverage: 2, module: w.module });
      expect(await second.vault.owner()).to.equal(market.deployer.address);
      expect((await second.vault.leverageConfig()).targetLeverage).to.equal(wad(2));
    });
  });
});
