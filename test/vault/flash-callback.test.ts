import { expect } from "chai";
import hre from "hardhat";
import { AbiCoder, MaxUint256, ZeroAddress, parseEther, parseUnits } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { funded3x } from "../shared/vault-states";
import { deploySpoofer, deposit, holdings, redeem } from "../shared/vault-helpers";
import { initParams, type VaultWorld } from "../shared/vault";

const SIMPLE = "executeOperation(address,uint256,uint256,address,bytes)";
const MULTI = "executeOperation(address[],uint256[],uint256[],address,bytes)";

/** What a hostile caller would like the vault to run: an Exit that repays debt and withdraws all collateral. */
const HOSTILE_PARAMS = AbiCoder.defaultAbiCoder().encode(["uint8", "uint256", "uint256"], [2, MaxUint256, MaxUint256]);

/** The position is untouched and the vault still works normally (no flash-loan flag left behind). */
async function expectUntouchedAndWorking(w: VaultWorld, before: Awaited<ReturnType<typeof holdings>>) {
  expect(await holdings(w)).to.deep.equal(before);
  const d = await deposit(w, w.bob, parseEther("1"));
  expect(d.shares).to.be.gt(0n);
  const r = await redeem(w, w.alice, (await w.vault.balanceOf(w.alice.address)) / 2n);
  expect(r.assets).to.be.gt(0n);
}

describe("vault: spoofed flash-loan callbacks", () => {
  it("an EOA calling either executeOperation reverts LendingUnexpectedFlashLoan(caller, initiator)", async () => {
    const w = await loadFixture(funded3x);
    const { core, stranger, market } = w;
    const before = await holdings(w);
    const vault = core.connect(stranger);
    const usdc = market.usdc.target;
    const amount = parseUnits("1000", 6);

    // Claiming to be the initiator itself, or claiming the vault started the loan: both refused.
    for (const initiator of [stranger.address, core.target as string]) {
      await expect(vault[SIMPLE](usdc, amount, 0n, initiator, HOSTILE_PARAMS))
        .to.be.revertedWithCustomError(core, "LendingUnexpectedFlashLoan")
        .withArgs(stranger.address, initiator);
      await expect(vault[MULTI]([usdc], [amount], [0n], initiator, HOSTILE_PARAMS))
        .to.be.revertedWithCustomError(core, "LendingUnexpectedFlashLoan")
        .withArgs(stranger.address, initiator);
    }
    await expectUntouchedAndWorking(w, before);
  });

  it("a contract calling either executeOperation reverts LendingUnexpectedFlashLoan(contract, initiator)", async () => {
    const w = await loadFixture(funded3x);
    const { core, market } = w;
    const spoofer = await deploySpoofer();
    const before = await holdings(w);
    const amount = parseUnits("1000", 6);

    await expect(spoofer.callSimple(core.target, market.usdc.target, amount, 0n, core.target, HOSTILE_PARAMS))
      .to.be.revertedWithCustomError(core, "LendingUnexpectedFlashLoan")
      .withArgs(spoofer.target, core.target);
    await expect(spoofer.callMulti(core.target, market.usdc.target, amount, 0n, core.target, HOSTILE_PARAMS))
      .to.be.revertedWithCustomError(core, "LendingUnexpectedFlashLoan")
      .withArgs(spoofer.target, core.target);
    await expectUntouchedAndWorking(w, before);
  });

  it("a flash loan someone else starts on the real Pool with the vault as receiver is refused: LendingUnexpectedFlashLoan(pool, starter)", async () => {
    const w = await loadFixture(funded3x);
    const { core, market } = w;
    const spoofer = await deploySpoofer();
    const before = await holdings(w);
    const pool = market.pool.target;
    const amount = parseUnits("1000", 6);

    // msg.sender is the genuine Pool here; the initiator gives the spoofer away.
    await expect(spoofer.flashLoanSimpleTo(pool, core.target, market.usdc.target, amount, HOSTILE_PARAMS))
      .to.be.revertedWithCustomError(core, "LendingUnexpectedFlashLoan")
      .withArgs(pool, spoofer.target);
    await expect(spoofer.flashLoanTo(pool, core.target, market.usdc.target, amount, 0n, spoofer.target, HOSTILE_PARAMS))
      .to.be.revertedWithCustomError(core, "LendingUnexpectedFlashLoan")
      .withArgs(pool, spoofer.target);
    // Even a debt-opening loan charged to the vault (mode 2) stops at the callback, before any credit check.
    await expect(spoofer.flashLoanTo(pool, core.target, market.usdc.target, amount, 2n, core.target, HOSTILE_PARAMS))
      .to.be.revertedWithCustomError(core, "LendingUnexpectedFlashLoan")
      .withArgs(pool, spoofer.target);
    await expectUntouchedAndWorking(w, before);
  });

  it("the module called directly, not through a vault, reverts KeeperNotDelegated()", async () => {
    const w = await loadFixture(funded3x);
    const { module, keeper, stranger, vault } = w;
    const owner = await vault.owner();
    const init = initParams(w.settings, { owner, manager: owner, guardian: owner });

    // Management selectors go through the module's fallback, which is guarded the same way.
    const asVault = await hre.ethers.getContractAt("ILeveredVault", module.target);
    await expect(asVault.initialize(init)).to.be.revertedWithCustomError(module, "KeeperNotDelegated").withArgs();
    await expect(module.connect(keeper).rebalance()).to.be.revertedWithCustomError(module, "KeeperNotDelegated").withArgs();
    await expect(module.connect(keeper).performUpkeep("0x")).to.be.revertedWithCustomError(module, "KeeperNotDelegated").withArgs();
    await expect(asVault.connect(stranger).ripcord()).to.be.revertedWithCustomError(module, "KeeperNotDelegated").withArgs();
    await expect(asVault.connect(stranger).outageDelever()).to.be.revertedWithCustomError(module, "KeeperNotDelegated").withArgs();
    // The emergency module (ripcord, outage path) called directly refuses the same way.
    const emergency = await hre.ethers.getContractAt("ILeveredVault", await module.EMERGENCY_MODULE());
    await expect(emergency.connect(stranger).ripcord()).to.be.revertedWithCustomError(module, "KeeperNotDelegated");
    await expect(emergency.connect(stranger).outageDelever()).to.be.revertedWithCustomError(module, "KeeperNotDelegated");
    // So does the settings module, which holds the outage configuration and its timelocked change.
    const managementModule = await hre.ethers.getContractAt("AaveUniswapManagementModule", await module.MANAGEMENT_MODULE());
    const settings = await hre.ethers.getContractAt("ILeveredVault", await managementModule.SETTINGS_MODULE());
    await expect(settings.setOutageConfig({ gracePeriod: 0, twapWindow: 0, maxTwapDeviationBps: 0, maxActionBps: 0, maxHourlyBps: 0 }))
      .to.be.revertedWithCustomError(module, "KeeperNotDelegated");
    await expect(asVault.acceptChange(10)).to.be.revertedWithCustomError(module, "KeeperNotDelegated");
    await expect(module.connect(stranger).poke()).to.be.revertedWithCustomError(module, "KeeperNotDelegated").withArgs();
    // It has no flash-loan callbacks (only the vault receives them): the selector falls to the guarded fallback.
    const asReceiver = await hre.ethers.getContractAt("AaveUniswapLeverageVault", module.target);
    await expect(asReceiver.connect(stranger)[SIMPLE](w.market.usdc.target, 1n, 0n, module.target, HOSTILE_PARAMS))
      .to.be.revertedWithCustomError(module, "KeeperNotDelegated");
    // The module has no state of its own, and its fallback serves nobody directly.
    await expect(asVault.owner()).to.be.revertedWithCustomError(module, "KeeperNotDelegated");
    const management = await hre.ethers.getContractAt("ILeveredVault", await module.MANAGEMENT_MODULE());
    await expect(management.initialize(init)).to.be.revertedWithCustomError(module, "KeeperNotDelegated");
    // Its views are the settings module's, behind the same guarded fallback.
    await expect(management.owner()).to.be.revertedWithCustomError(module, "KeeperNotDelegated");
  });
});
