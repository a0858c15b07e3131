import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { setMarketPrice } from "../shared/market-helpers";
import { vault3x, type VaultWorld } from "../shared/vault";
import { funded1x, funded3x } from "../shared/vault-states";
import { deposit, holdings, near, redeem, withdraw } from "../shared/vault-helpers";

async function vaultConfig(w: VaultWorld) {
  const c = await w.vault.leverageConfig();
  return { targetLeverage: c.targetLeverage, minLeverage: c.minLeverage, maxLeverage: c.maxLeverage, minHealthFactor: c.minHealthFactor };
}

describe("vault reverts: amounts, cap, pause, health, limits", () => {
  describe("zero amounts", () => {
    it("deposit, mint, withdraw and redeem of zero revert VaultZeroAmount", async () => {
      const w = await loadFixture(funded3x);
      const { vault, alice } = w;
      const before = await holdings(w);
      const shares = await vault.balanceOf(alice.address);
      for (const call of [
        () => vault.connect(alice).deposit(0n, alice.address),
        () => vault.connect(alice).mint(0n, alice.address),
        () => vault.connect(alice).withdraw(0n, alice.address, alice.address),
        () => vault.connect(alice).redeem(0n, alice.address, alice.address),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(vault, "VaultZeroAmount").withArgs();
      }
      expect(await vault.balanceOf(alice.address)).to.equal(shares);
      expect((await holdings(w)).collateral).to.equal(before.collateral);
    });

    it("a deposit too small to pay for re-levering the position reverts VaultZeroShares", async () => {
      // After +10% the 3x position sits at ~2.5x: a deposit re-levers all of it and pays that swap itself.
      const w = await loadFixture(funded3x);
      const { vault, bob } = w;
      await setMarketPrice(w.market, 2200);
      const dust = parseEther("0.001");
      expect(await vault.previewDeposit(dust)).to.equal(0n);
      await expect(vault.connect(bob).deposit(dust, bob.address)).to.be.revertedWithCustomError(vault, "VaultZeroShares");
      // A deposit large enough to carry the cost goes through and mints shares.
      const out = await deposit(w, bob, parseEther("10"));
      expect(out.shares).to.be.gt(0n);
    });
  });

  describe("health-factor post-condition", () => {
    it("a deposit that leaves the health factor under the floor reverts VaultHealthFactorTooLow(hf, floor)", async () => {
      // The floor may sit right at the HF of the 3x target (83% / 66.67% = 1.2449); levering pays its swap out
      // of equity, so the position lands a hair above 3x and its HF a hair below that floor.
      const w = await loadFixture(vault3x);
      const { vault, alice } = w;
      const floor = parseEther("1.2449");
      const config = { ...(await vaultConfig(w)), minHealthFactor: floor };
      await (await vault.setLeverageConfig(config)).wait();

      await expect(vault.connect(alice).deposit(parseEther("10"), alice.address))
        .to.be.revertedWithCustomError(vault, "VaultHealthFactorTooLow")
        .withArgs((hf: bigint) => hf < floor && hf > (floor * 99n) / 100n, floor);
      expect(await vault.totalSupply()).to.equal(0n);

      // With the fixture's floor (1.15) the same deposit goes through at HF ~1.244.
      await (await vault.setLeverageConfig({ ...config, minHealthFactor: parseEther("1.15") })).wait();
      const out = await deposit(w, alice, parseEther("10"));
      expect(out.shares).to.be.gt(0n);
      expect((await vault.position()).healthFactor).to.be.lt(floor);
    });
  });

  describe("deposit cap", () => {
    it("reverts VaultDepositCapExceeded(assets, room left) and accepts what fits", async () => {
      const w = await loadFixture(funded3x);
      const { vault, bob } = w;
      const cap = parseEther("30");
      await (await vault.setExecutionConfig({ maxSlippageBps: 100, swapFee: 500, depositCap: cap })).wait();
      const room = cap - (await vault.totalAssets());
      const tooMuch = parseEther("25");

      // The room shrinks by the debt interest of one block: a wei-level tolerance.
      await expect(vault.connect(bob).deposit(tooMuch, bob.address))
        .to.be.revertedWithCustomError(vault, "VaultDepositCapExceeded")
        .withArgs(tooMuch, near(room, 10n ** 9n));

      const out = await deposit(w, bob, parseEther("19"));
      expect(out.shares).to.be.gt(0n);
      expect(await vault.totalAssets()).to.be.lte(cap);
    });

    it("at 1x the room is exact: cap - totalAssets", async () => {
      const w = await loadFixture(funded1x);
      const { vault, bob } = w;
      const cap = parseEther("12");
      await (await vault.setExecutionConfig({ maxSlippageBps: 100, swapFee: 500, depositCap: cap })).wait();
      await expect(vault.connect(bob).deposit(parseEther("3"), bob.address))
        .to.be.revertedWithCustomError(vault, "VaultDepositCapExceeded")
        .withArgs(parseEther("3"), parseEther("2"));
      await deposit(w, bob, parseEther("2"));
      expect(await vault.totalAssets()).to.equal(cap);
    });
  });

  describe("pause", () => {
    it("the guardian pauses deposits (VaultDepositsPaused), exits keep working, only the manager unpauses", async () => {
      const w = await loadFixture(funded3x);
      const { vault, alice, bob, market } = w;
      const guardian = market.users[5];
      await (await vault.setRoles(market.deployer.address, guardian.address)).wait();

      await expect(vault.connect(guardian).setDepositsPaused(true))
        .to.emit(vault, "DepositsPausedSet")
        .withArgs(guardian.address, true);
      expect(await vault.depositsPaused()).to.equal(true);
      await expect(vault.connect(bob).deposit(parseEther("1"), bob.address)).to.be.revertedWithCustomError(
        vault,
        "VaultDepositsPaused",
      );
      await expect(vault.connect(bob).mint(parseEther("1"), bob.address)).to.be.revertedWithCustomError(
        vault,
        "VaultDepositsPaused",
      );
      expect(await vault.maxDeposit(bob.address)).to.equal(0n);

      // Exits are never paused: alice withdraws and redeems, and really receives WETH.
      const w1 = await withdraw(w, alice, parseEther("1"));
      expect(w1.assets).to.equal(parseEther("1"));
      const r1 = await redeem(w, alice, (await vault.balanceOf(alice.address)) / 2n);
      expect(r1.assets).to.be.gt(0n);

      await expect(vault.connect(guardian).setDepositsPaused(false))
        .to.be.revertedWithCustomError(vault, "VaultUnauthorized")
        .withArgs(guardian.address);
      await (await vault.connect(market.deployer).setDepositsPaused(false)).wait();
      const d = await deposit(w, bob, parseEther("1"));
      expect(d.shares).to.be.gt(0n);
    });
  });

  describe("ERC-4626 limits", () => {
    it("redeem above the balance reverts ERC4626ExceededMaxRedeem(holder, shares, max)", async () => {
      const w = await loadFixture(funded3x);
      const { vault, core, alice, bob } = w;
      const balance = await vault.balanceOf(alice.address);
      await expect(vault.connect(alice).redeem(balance + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(core, "ERC4626ExceededMaxRedeem")
        .withArgs(alice.address, balance + 1n, balance);
      await expect(vault.connect(bob).redeem(1n, bob.address, bob.address))
        .to.be.revertedWithCustomError(core, "ERC4626ExceededMaxRedeem")
        .withArgs(bob.address, 1n, 0n);
      expect(await vault.balanceOf(alice.address)).to.equal(balance);
    });

    it("withdraw above maxWithdraw reverts ERC4626ExceededMaxWithdraw(holder, assets, max)", async () => {
      const w = await loadFixture(funded3x);
      const { vault, core, alice, bob } = w;
      const max = await vault.maxWithdraw(alice.address);
      const tooMuch = max + parseEther("0.1");
      await expect(vault.connect(alice).withdraw(tooMuch, alice.address, alice.address))
        .to.be.revertedWithCustomError(core, "ERC4626ExceededMaxWithdraw")
        .withArgs(alice.address, tooMuch, near(max, max / 10n ** 9n));
      await expect(vault.connect(bob).withdraw(1n, bob.address, bob.address))
        .to.be.revertedWithCustomError(core, "ERC4626ExceededMaxWithdraw")
        .withArgs(bob.address, 1n, 0n);
    });

    it("redeem for someone else without allowance reverts ERC20InsufficientAllowance", async () => {
      const w = await loadFixture(funded3x);
      const { vault, core, alice, bob } = w;
      const shares = (await vault.balanceOf(alice.address)) / 2n;
      await expect(vault.connect(bob).redeem(shares, bob.address, alice.address))
        .to.be.revertedWithCustomError(core, "ERC20InsufficientAllowance")
        .withArgs(bob.address, 0n, shares);
    });
  });
});
