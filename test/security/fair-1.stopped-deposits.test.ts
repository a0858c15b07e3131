/**
 * FAIR-1 (second review, finding 9): a deposit into a vault stopped out would be supplied and then sold into the
 * stop at the pool, paid by every holder. Deposits are refused while stopped out (`maxDeposit` and `maxMint` 0,
 * `deposit` and `mint` revert `VaultStoppedOut`) until the vault is re-armed; exits stay open.
 */
import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Mode, keeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { acceptPending } from "../shared/timelock";

const stoppedIntoUsdc = async () => {
  const w = await keeperWorld({ ...PRESET_3X_FIXED, stopToDebtAsset: true }, parseEther("100"));
  await (await w.vault.stop()).wait();
  return w;
};

describe("security: FAIR-1, no deposits into a stopped-out vault", () => {
  it("maxDeposit and maxMint are 0, deposit and mint revert VaultStoppedOut, and nothing moves", async () => {
    const { vault, bob } = await loadFixture(stoppedIntoUsdc);
    expect((await vault.automationState()).mode).to.equal(Mode.StoppedOut);
    expect(await vault.maxDeposit(bob.address)).to.equal(0n);
    expect(await vault.maxMint(bob.address)).to.equal(0n);
    const { market } = await loadFixture(stoppedIntoUsdc);
    const held: bigint = await market.weth.balanceOf(bob.address);
    await expect(vault.connect(bob)["deposit(uint256,address)"](parseEther("1"), bob.address)).to.be.revertedWithCustomError(vault, "VaultStoppedOut");
    await expect(vault.connect(bob)["mint(uint256,address)"](parseEther("1"), bob.address)).to.be.revertedWithCustomError(vault, "VaultStoppedOut");
    expect(await market.weth.balanceOf(bob.address)).to.equal(held);
    expect(await vault.balanceOf(bob.address)).to.equal(0n);
  });

  it("exits stay open while stopped, and deposits reopen once re-armed", async () => {
    const { vault, market, alice, bob } = await loadFixture(stoppedIntoUsdc);
    const shares = (await vault.balanceOf(alice.address)) / 10n;
    await expect(vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address)).to.emit(vault, "Withdraw");
    await (await vault.rearm()).wait();
    await acceptPending(vault, market);
    expect((await vault.automationState()).mode).to.equal(Mode.Active);
    expect(await vault.maxDeposit(bob.address)).to.be.gt(0n);
    await expect(vault.connect(bob)["deposit(uint256,address)"](parseEther("1"), bob.address)).to.emit(vault, "Deposit");
  });

  it("previewWithdraw(0) is 0, like every other preview of 0", async () => {
    const { vault } = await loadFixture(stoppedIntoUsdc);
    expect(await vault.previewWithdraw(0n)).to.equal(0n);
    expect(await vault.previewRedeem(0n)).to.equal(0n);
    expect(await vault.previewDeposit(0n)).to.equal(0n);
  });
});
