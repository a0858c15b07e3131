import { expect } from "chai";
import { acceptPending } from "../shared/timelock";
import { connectAs } from "../shared/market-helpers";
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
        () => vault.connect(alice)["deposit(uint256,address)"](0n, alice.address),
        () => vault.connect(alice)["mint(uint256,address)"](0n, alice.address),
        () => vault.connect(alice)["withdraw(uint256,address,address)"](0n, alice.address, alice.address),
        () => vault.connect(alice)["redeem(uint256,address,address)"](0n, alice.address, alice.address),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(vault, "VaultZeroAmount").withArgs();
      }
      expect(await vault.balanceOf(alice.address)).to.equal(shares);
      expect((await holdings(w)).collateral).to.equal(before.collateral);
    });

    it("a deposit worth less than one share after a pre-deposit donation reverts VaultZeroShares", async () => {
      // Before any share exists, 1 WETH donated makes one share unit cost ~1e-6 WETH: 1e11 wei buys none.
      const w = await loadFixture(vault3x);
      const { vault, market, alice, bob } = w;
      await (await connectAs(market.weth, bob).transfer(vault.target, parseEther("1"))).wait();
      await expect(vault.connect(alice)["deposit(uint256,address)"](10n ** 11n, alice.address)).to.be.revertedWithCustomError(vault, "VaultZeroShares");
      expect(await vault.totalSupply()).to.equal(0n);
    });

    it("after a price rise a small deposit still mints its fair shares: the holders pay to re-lever their drift", async () => {
      const w = await loadFixture(funded3x);
      const { vault, bob } = w;
      await setMarketPrice(w.market, 2200);
      const small = parseEther("0.001");
      const preview = await vault.previewDeposit(small);
      expect(preview).to.be.gt(0n);
      const out = await deposit(w, bob, small);
      expect(out.shares).to.be.gte(preview);
      // Worth the deposit less at most its own levering cost: (L - 1) x 1% max slippage.
      expect(await vault.convertToAssets(out.shares)).to.be.gte((small * 98n) / 100n);
    });
  });

  describe("health-factor post-condition", () => {
    it("a floor within 2% of the HF at target is refused: deposits land a hair above target", async () => {
      const w = await loadFixture(vault3x);
      const { vault } = w;
      const config = { ...(await vaultConfig(w)), minHealthFactor: parseEther("1.2449") };
      await expect(vault.setLeverageConfig(config)).to.be.revertedWithCustomError(vault, "VaultInvalidLeverageConfig");
    });

    it("a deposit that leaves the health factor under the floor reverts VaultHealthFactorTooLow(hf, floor)", async () => {
      // Aave governance lowers WETH's liquidation threshold to 76%: at 3x the HF would be 0.76 / 0.667 = 1.14,
      // under the vault's 1.15 floor, so levering a deposit to target is refused.
      const w = await loadFixture(vault3x);
      const { vault, alice, market } = w;
      await (await market.configurator.configureReserveAsCollateral(market.weth.target, 7500, 7600, 10500)).wait();
      const floor = (await vault.leverageConfig()).minHealthFactor;

      await expect(vault.connect(alice)["deposit(uint256,address)"](parseEther("10"), alice.address))
        .to.be.revertedWithCustomError(vault, "VaultHealthFactorTooLow")
        .withArgs((hf: bigint) => hf < floor && hf > (floor * 98n) / 100n, floor);
      expect(await vault.totalSupply()).to.equal(0n);
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
      await expect(vault.connect(bob)["deposit(uint256,address)"](tooMuch, bob.address))
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
      await expect(vault.connect(bob)["deposit(uint256,address)"](parseEther("3"), bob.address))
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
      await acceptPending(vault, market); // a new guardian waits out the timelock (ROLE-2)

      await expect(vault.connect(guardian).setDepositsPaused(true))
        .to.emit(vault, "DepositsPausedSet")
        .withArgs(guardian.address, true);
      expect(await vault.depositsPaused()).to.equal(true);
      await expect(vault.connect(bob)["deposit(uint256,address)"](parseEther("1"), bob.address)).to.be.revertedWithCustomError(
        vault,
        "VaultDepositsPaused",
      );
      await expect(vault.connect(bob)["mint(uint256,address)"](parseEther("1"), bob.address)).to.be.revertedWithCustomError(
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
      await expect(vault.connect(alice)["redeem(uint256,address,address)"](balance + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(core, "ERC4626ExceededMaxRedeem")
        .withArgs(alice.address, balance + 1n, balance);
      await expect(vault.connect(bob)["redeem(uint256,address,address)"](1n, bob.address, bob.address))
        .to.be.revertedWithCustomError(core, "ERC4626ExceededMaxRedeem")
        .withArgs(bob.address, 1n, 0n);
      expect(await vault.balanceOf(alice.address)).to.equal(balance);
    });

    it("withdraw above maxWithdraw reverts ERC4626ExceededMaxWithdraw(holder, assets, max)", async () => {
      const w = await loadFixture(funded3x);
      const { vault, core, alice, bob } = w;
      const max = await vault.maxWithdraw(alice.address);
      const tooMuch = max + parseEther("0.1");
      await expect(vault.connect(alice)["withdraw(uint256,address,address)"](tooMuch, alice.address, alice.address))
        .to.be.revertedWithCustomError(core, "ERC4626ExceededMaxWithdraw")
        .withArgs(alice.address, tooMuch, near(max, max / 10n ** 9n));
      await expect(vault.connect(bob)["withdraw(uint256,address,address)"](1n, bob.address, bob.address))
        .to.be.revertedWithCustomError(core, "ERC4626ExceededMaxWithdraw")
        .withArgs(bob.address, 1n, 0n);
    });

    it("redeem for someone else without allowance reverts ERC20InsufficientAllowance", async () => {
      const w = await loadFixture(funded3x);
      const { vault, core, alice, bob } = w;
      const shares = (await vault.balanceOf(alice.address)) / 2n;
      await expect(vault.connect(bob)["redeem(uint256,address,address)"](shares, bob.address, alice.address))
        .to.be.revertedWithCustomError(core, "ERC20InsufficientAllowance")
        .withArgs(bob.address, 0n, shares);
    });
  });
});
