import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { funded3x } from "../shared/vault-states";
import { ZeroAddress } from "ethers";
import { initParams } from "../shared/vault";
import { localMarketAddresses, localOracleConfig } from "../../scripts/lib/deploy/vault";
import { plain } from "../shared/structs";

// The management and settings modules hold no state of their own: every state-changing entry point must refuse a call
// made to it directly (outside a vault's delegatecall), whoever makes it, before any role check. ROLE-1 rests on this.
describe("security: the management and settings modules refuse every direct call (KeeperNotDelegated)", () => {
  it("initialize, roles, pause, keepers, stop / rearm, every config setter, timelock, accept / revoke, venue", async () => {
    const w = await loadFixture(funded3x);
    const { vault, module, stranger } = w;
    const management = await hre.ethers.getContractAt("AaveUniswapManagementModule", await module.MANAGEMENT_MODULE());
    const settings = await hre.ethers.getContractAt("SettingsModule", await management.SETTINGS_MODULE());
    const owner = await vault.owner();
    // Called by the vault's own owner too: the role is right, the context is not.
    const caller = await hre.ethers.getSigner(owner);
    const calls: Record<string, (as: typeof stranger) => Promise<unknown>> = {
      initialize: (as) => management.connect(as).initialize(initParams(w.settings, { owner, manager: owner, guardian: owner })),
      transferOwnership: (as) => settings.connect(as).transferOwnership(stranger.address),
      acceptOwnership: (as) => settings.connect(as).acceptOwnership(),
      setRoles: (as) => management.connect(as).setRoles(stranger.address, stranger.address),
      setDepositsPaused: (as) => settings.connect(as).setDepositsPaused(true),
      setKeeper: (as) => settings.connect(as).setKeeper(stranger.address, true),
      stop: (as) => management.connect(as).stop(),
      rearm: (as) => management.connect(as).rearm(),
      setLeverageConfig: async (as) => management.connect(as).setLeverageConfig(plain(await vault.leverageConfig())),
      setExecutionConfig: async (as) => management.connect(as).setExecutionConfig(plain(await vault.executionConfig())),
      setAutomationConfig: async (as) => management.connect(as).setAutomationConfig(plain(await vault.automationConfig())),
      setExitConfig: async (as) => management.connect(as).setExitConfig(plain(await vault.exitConfig())),
      setVolatilityConfig: async (as) => management.connect(as).setVolatilityConfig(plain(await vault.volatilityConfig())),
      setTimelock: (as) => management.connect(as).setTimelock(2n * 86_400n),
      acceptChange: (as) => management.connect(as).acceptChange(0),
      revokeChange: (as) => management.connect(as).revokeChange(0),
      proposeVenue: (as) => settings.connect(as).proposeVenue(stranger.address),
      initializeProxy: async (as) => {
        const mover = await hre.ethers.getContractAt("AaveUniswapVenueMover", await settings.VENUE_MOVER());
        return mover.connect(as).initializeProxy("x", "x", initParams(w.settings, { owner, manager: owner, guardian: owner }));
      },
    };
    for (const [name, call] of Object.entries(calls)) {
      for (const as of [caller, stranger]) {
        await expect(call(as), `${name} by ${as.address}`).to.be.revertedWithCustomError(management, "KeeperNotDelegated");
      }
    }
    // Nothing changed on the vault either.
    expect(await vault.owner()).to.equal(owner);
    expect(await vault.isKeeper(stranger.address)).to.equal(false);
    expect(await vault.depositsPaused()).to.equal(false);
  });

  it("performUpkeep through the vault is for allow-listed keepers only (VaultUnauthorized), like rebalance", async () => {
    const { vault, stranger } = await loadFixture(funded3x);
    await expect(vault.connect(stranger).performUpkeep("0x"))
      .to.be.revertedWithCustomError(vault, "VaultUnauthorized")
      .withArgs(stranger.address);
  });
});

describe("modules: construction refuses what could never price or trade", () => {
  it("a missing collateral or debt feed reverts OracleFeedMissing()", async () => {
    const { market } = await loadFixture(funded3x);
    const factory = await hre.ethers.getContractFactory("AaveUniswapManagementModule");
    const markets = localMarketAddresses(market);
    for (const missing of ["collateralFeed", "debtFeed"] as const) {
      const oracle = { ...localOracleConfig(market), [missing]: ZeroAddress };
      await expect(factory.deploy(markets, oracle, ZeroAddress), missing).to.be.revertedWithCustomError(factory, "OracleFeedMissing");
    }
  });

  it("a swap fee tier with no pool is refused by the execution setter: SwapRouteMissing(fee)", async () => {
    const { vault } = await loadFixture(funded3x);
    const execution = plain(await vault.executionConfig());
    await expect(vault.setExecutionConfig({ ...execution, swapFee: 100 }))
      .to.be.revertedWithCustomError(vault, "SwapRouteMissing")
      .withArgs(100);
  });
});
