/**
 * ERR-1 (docs/PROPERTIES.md): "No call reverts with a panic or with data the vault's ABI does not decode (custom
 * errors, Aave's string codes)", checked on every kind of vault with the out-of-range amounts an integrator may send
 * ("all": type(uint256).max) to every entry point; the adversarial suite checks it only on the amounts its commands
 * draw.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256 } from "ethers";
import { KINDS } from "./worlds";

const HUGE = [MaxUint256, MaxUint256 / 2n, 2n ** 128n];

for (const kind of KINDS) {
  describe(`promises, ERR-1: ${kind.label}`, function () {
    it("deposit, mint and redeem of huge amounts revert with the vault's own custom errors, never a panic", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, carol, alice } = w;
      for (const x of HUGE) {
        await expect(vault.connect(carol)["deposit(uint256,address)"](x, carol.address)).to.be.revertedWithCustomError(vault, "VaultDepositCapExceeded");
        await expect(vault.connect(carol)["mint(uint256,address)"](x, carol.address)).to.be.revertedWithCustomError(vault, "VaultDepositCapExceeded");
        await expect(vault.connect(alice)["redeem(uint256,address,address)"](x, alice.address, alice.address)).to.be.revertedWithCustomError(
          vault,
          "ERC4626ExceededMaxRedeem",
        );
      }
      await expect(vault.connect(alice)["withdraw(uint256,address,address)"](2n ** 128n, alice.address, alice.address)).to.be.revertedWithCustomError(
        vault,
        "ERC4626ExceededMaxWithdraw",
      );
    });

    it("a deposit cap cut below totalAssets (at once): maxDeposit and maxMint 0, a deposit refused VaultDepositCapExceeded(assets, 0), exits unaffected", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, manager, carol, alice } = w;
      const exec = await vault.executionConfig();
      await (await vault.connect(manager).setExecutionConfig({ maxSlippageBps: exec.maxSlippageBps, swapFee: exec.swapFee, depositCap: 1n })).wait();
      expect(await vault.maxDeposit(carol.address)).to.equal(0n);
      expect(await vault.maxMint(carol.address)).to.equal(0n);
      await expect(vault.connect(carol)["deposit(uint256,address)"](10n ** 6n, carol.address))
        .to.be.revertedWithCustomError(vault, "VaultDepositCapExceeded")
        .withArgs(10n ** 6n, 0n);
      await expect(vault.connect(carol)["mint(uint256,address)"](10n ** 12n, carol.address)).to.be.revertedWithCustomError(vault, "VaultDepositCapExceeded");
      const shares = (await vault.balanceOf(alice.address)) / 3n;
      await expect(vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address)).to.emit(vault, "Withdraw");
    });
  });

  // Once a defect (withdraw(max) panicked 0x11 in previewWithdraw's conversion): an amount no vault holds is refused
  // with a custom error by the entry point and by the previews and conversions.
  describe(`promises, ERR-1: ${kind.label}: amounts no vault holds`, function () {
    it("withdraw(type(uint256).max) is ERC4626ExceededMaxWithdraw; previews and conversions VaultAmountOutOfRange", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, alice } = w;
      for (const x of [MaxUint256, MaxUint256 / 2n]) {
        await expect(vault.connect(alice)["withdraw(uint256,address,address)"](x, alice.address, alice.address)).to.be.revertedWithCustomError(
          vault,
          "ERC4626ExceededMaxWithdraw",
        );
        await expect(vault.connect(alice)["withdraw(uint256,address,address,uint256)"](x, alice.address, alice.address, MaxUint256)).to.be.revertedWithCustomError(
          vault,
          "ERC4626ExceededMaxWithdraw",
        );
        for (const view of [vault.previewWithdraw, vault.previewDeposit, vault.convertToShares]) {
          await expect(view(x)).to.be.revertedWithCustomError(vault, "VaultAmountOutOfRange").withArgs(x);
        }
      }
    });
  });
}
