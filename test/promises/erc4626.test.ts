/**
 * The ERC-4626 surface's promises on every kind of vault (each preset on each venue), where the existing suites check
 * them on the 3x WETH/USDC Aave vault only (test/security/erc4626-edges.test.ts, erc5143.test.ts,
 * test/vault/reverts-entry.test.ts):
 * - ERC4626-1 / PREVIEW-1 (docs/PROPERTIES.md): previews are bounds at every size, 1 raw unit up, in the same
 *   transaction;
 * - MAX-1: every max* is accepted when tried; the deposit cap is "max totalAssets after a deposit"
 *   (ILeverageVault.ExecutionConfig) and a deposit past it is refused VaultDepositCapExceeded;
 * - pause (IVaultSettings.setDepositsPaused: "Exits are never paused"), stop (FAIR-1: VaultStoppedOut, maxDeposit 0),
 *   stale oracle (STALE-1 / ERC4626-1: every max* is 0, never a revert);
 * - ERC-5143 overloads: the preview is an accepted bound, a bound no execution meets is refused with its named error
 *   and nothing moves;
 * - ALLOW-1: an approved third party's allowance is spent exactly by the net shares burned;
 * - zero amounts: VaultZeroAmount.
 */
import { expect } from "chai";
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { plain } from "../shared/structs";
import { movePoolOnly } from "../shared/market-helpers";
import { collateralFor, debtFor, fundLeg, movePairPrice } from "../shared/presets";
import { nextBlock, previewChecks } from "../security/fixtures";
import { KINDS, type PromiseWorld } from "./worlds";

/** What the world's accounts and the vault hold, to assert that a refused call changed nothing. */
async function balances(w: PromiseWorld) {
  const accounts = [w.alice.address, w.bob.address, w.carol.address, await w.probe.getAddress()];
  const p = await w.vault.position();
  return {
    shares: await Promise.all(accounts.map((a) => w.vault.balanceOf(a))),
    assets: await Promise.all(accounts.map((a) => w.collateral.balanceOf(a) as Promise<bigint>)),
    supply: await w.vault.totalSupply(),
    idle: [p.idleCollateral, p.idleDebtAsset],
    // Collateral and debt accrue interest every block: rounded to 1e-6 of themselves.
    position: [p.collateral, p.debt].map((x) => roughly(x)),
  };
}

/** `x` rounded to its leading six digits, so that a block's interest does not show. */
function roughly(x: bigint): bigint {
  const digits = x.toString().length;
  if (digits <= 6) return x;
  const unit = 10n ** BigInt(digits - 6);
  return ((x + unit / 2n) / unit) * unit;
}

for (const kind of KINDS) {
  describe(`promises, ERC-4626: ${kind.label}`, function () {
    it("ERC4626-1 / PREVIEW-1: at 1 raw unit, 1e-6 token, $100 and $5,000 every preview bounds its action (same tx)", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, probe } = w;
      const unit = 10n ** BigInt(w.decimals.collateral);
      const sizes = [...new Set([1n, unit / 1_000_000n || 1n, await collateralFor(w, 100), await collateralFor(w, 5_000)])];
      const { failures, check } = previewChecks(probe);
      for (const size of sizes) {
        // A deposit the preview gives nothing for may revert (VaultZeroShares); one it promised shares for may not.
        const depositPreview = await vault.previewDeposit(size);
        await check(`deposit(${size})`, depositPreview === 0n, () => probe.deposit(size), (p, a) => p <= a);
        const shares = depositPreview > 0n ? depositPreview : await vault.convertToShares(size);
        if (shares > 0n) await check(`mint(${shares})`, false, () => probe.mint(shares), (p, a) => p >= a);
        const redeemShares = await vault.convertToShares(size);
        if (redeemShares > 0n) await check(`redeem(${redeemShares})`, false, () => probe.redeem(redeemShares), (p, a) => p <= a);
        await check(`withdraw(${size})`, false, () => probe.withdraw(size), (p, a) => p >= a);
      }
      expect(failures).to.deep.equal([]);
    });

    it("PREVIEW-1 with the pool pushed against the caller, just inside the slippage room: each action still goes through and its preview still bounds it", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, probe } = w;
      const { maxSlippageBps, swapFee } = await vault.executionConfig();
      const push = Number(maxSlippageBps) - Number(swapFee) / 100 - 10;
      const size = await collateralFor(w, 1_000);
      // A deposit buys collateral with the debt asset, an exit sells collateral: "against" is the collateral dearer,
      // then cheaper. The pool's base is the volatile asset (WETH, WBTC, wstETH): the short's collateral is its quote.
      const against = { entry: w.preset.direction * push, exit: -w.preset.direction * push };
      const { failures, check } = previewChecks(probe);
      for (const [name, side, run, ok] of [
        ["deposit", "entry", () => probe.deposit(size), (p: bigint, a: bigint) => p <= a],
        ["mint", "entry", async () => probe.mint((await vault.previewDeposit(size)) / 2n), (p: bigint, a: bigint) => p >= a],
        ["redeem", "exit", async () => probe.redeem(await vault.convertToShares(size)), (p: bigint, a: bigint) => p <= a],
        ["withdraw", "exit", () => probe.withdraw(size), (p: bigint, a: bigint) => p >= a],
      ] as const) {
        await check(name, false, run, ok, () => movePoolOnly(w.market, against[side], w.uniPool));
      }
      expect(failures).to.deep.equal([]);
    });

    it("MAX-1: with the deposit cap binding, deposit(maxDeposit) and mint(maxMint) go through and totalAssets stays within the cap; past it VaultDepositCapExceeded", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, manager, carol } = w;
      const cap = (await vault.totalAssets()) + (await collateralFor(w, 5_000));
      // The deposit cap alone applies at once (IVaultManagement.setExecutionConfig).
      await expect(vault.connect(manager).setExecutionConfig({ ...plain(await vault.executionConfig()), depositCap: cap }))
        .to.emit(vault, "ExecutionConfigSet")
        .and.not.to.emit(vault, "ChangeSubmitted");
      expect((await vault.executionConfig()).depositCap).to.equal(cap);

      let snapshot = await takeSnapshot();
      const maxDeposit = await vault.maxDeposit(carol.address, await nextBlock());
      expect(maxDeposit).to.be.gt(0n);
      await expect(vault.connect(carol)["deposit(uint256,address)"](maxDeposit, carol.address)).to.emit(vault, "Deposit");
      expect(await vault.totalAssets(), "totalAssets after the deposit <= depositCap").to.be.lte(cap);
      await snapshot.restore();

      snapshot = await takeSnapshot();
      const maxMint = await vault.maxMint(carol.address, await nextBlock());
      expect(maxMint).to.be.gt(0n);
      await expect(vault.connect(carol)["mint(uint256,address)"](maxMint, carol.address)).to.emit(vault, "Deposit");
      expect(await vault.balanceOf(carol.address)).to.equal(maxMint);
      expect(await vault.totalAssets(), "totalAssets after the mint <= depositCap").to.be.lte(cap);
      await snapshot.restore();

      const before = await balances(w);
      const tooMuch = await collateralFor(w, 6_000);
      await expect(vault.connect(carol)["deposit(uint256,address)"](tooMuch, carol.address)).to.be.revertedWithCustomError(
        vault,
        "VaultDepositCapExceeded",
      );
      expect(await balances(w)).to.deep.equal(before);
    });

    it("MAX-1: at the preset's own deposit cap (the pool and the venue bind), deposit(maxDeposit) and mint(maxMint) go through", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, carol } = w;
      await fundLeg(w, "collateral", carol.address, await collateralFor(w, 500_000_000));
      let snapshot = await takeSnapshot();
      const maxDeposit = await vault.maxDeposit(carol.address, await nextBlock());
      expect(maxDeposit).to.be.gt(0n);
      await expect(vault.connect(carol)["deposit(uint256,address)"](maxDeposit, carol.address)).to.emit(vault, "Deposit");
      await snapshot.restore();
      snapshot = await takeSnapshot();
      const maxMint = await vault.maxMint(carol.address, await nextBlock());
      await expect(vault.connect(carol)["mint(uint256,address)"](maxMint, carol.address)).to.emit(vault, "Deposit");
      await snapshot.restore();
    });

    (kind.venue === "aave" ? it : it.skip)("CAP-1: maxDeposit respects Aave's supply cap and borrow cap (whole tokens of each decimals); deposit(maxDeposit) goes through, beyond it VaultDepositCapExceeded", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, carol, market } = w;
      const [collateralUnit, debtUnit] = [10n ** BigInt(w.decimals.collateral), 10n ** BigInt(w.decimals.debt)];
      const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
      const { targetLeverage } = await vault.leverageConfig();
      for (const which of ["supply", "borrow"] as const) {
        const snapshot = await takeSnapshot();
        let roomValueCollateral: bigint; // the deposit the room allows, in collateral units (approx.)
        if (which === "supply") {
          const supplied: bigint = await w.aCollateral.totalSupply();
          const roomWhole = ceilDiv(await collateralFor(w, 30_000), collateralUnit);
          const cap = ceilDiv(supplied, collateralUnit) + roomWhole;
          await (await market.configurator.setSupplyCap(w.collateral.target, cap)).wait();
          roomValueCollateral = ((cap * collateralUnit - supplied) * 10n ** 18n) / targetLeverage;
        } else {
          const borrowed: bigint = await w.variableDebt.totalSupply();
          const roomWhole = ceilDiv(await debtFor(w, 20_000), debtUnit);
          const cap = ceilDiv(borrowed, debtUnit) + roomWhole;
          await (await market.configurator.setBorrowCap(w.debt.target, cap)).wait();
          const [collateralPrice, debtPrice] = await vault.oraclePrices();
          const roomDebt = cap * debtUnit - borrowed;
          roomValueCollateral = (((roomDebt * debtPrice) / debtUnit) * collateralUnit * 10n ** 18n) / collateralPrice / (targetLeverage - 10n ** 18n);
        }
        const max = await vault.maxDeposit(carol.address, await nextBlock());
        expect(max, `${which}: maxDeposit > 0`).to.be.gt(0n);
        expect(max, `${which}: maxDeposit within the cap's room`).to.be.lte((roomValueCollateral * 101n) / 100n);
        await expect(vault.connect(carol)["deposit(uint256,address)"](max, carol.address), `${which}: deposit(maxDeposit)`).to.emit(vault, "Deposit");
        await expect(vault.connect(carol)["deposit(uint256,address)"](roomValueCollateral, carol.address)).to.be.revertedWithCustomError(
          vault,
          "VaultDepositCapExceeded",
        );
        await snapshot.restore();
      }
    });

    it("VAULT-HF-2: under the floor (HF between critical and floor) deposit(maxDeposit) still goes in and raises the health factor", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, carol } = w;
      const floor = (await vault.leverageConfig()).minHealthFactor;
      const critical = (await vault.automationConfig()).criticalHealthFactor;
      const p0 = await vault.position();
      await movePairPrice(w, Number((((floor + critical) / 2n) * 10n ** 18n) / p0.healthFactor) / 1e18);
      const before = await vault.position();
      expect(before.healthFactor).to.be.lt(floor).and.gt(critical);
      const max = await vault.maxDeposit(carol.address, await nextBlock());
      expect(max).to.be.gt(0n);
      const amount = max < (await collateralFor(w, 5_000)) ? max : await collateralFor(w, 5_000);
      const preview = await vault.previewDeposit(amount);
      const held = await vault.balanceOf(carol.address);
      await expect(vault.connect(carol)["deposit(uint256,address)"](amount, carol.address)).to.emit(vault, "Deposit");
      expect((await vault.balanceOf(carol.address)) - held).to.be.gte(preview);
      expect((await vault.position()).healthFactor, "the deposit raised the HF").to.be.gte(before.healthFactor);
    });

    it("EXIT-1: whatever is sent to the vault (1 raw unit of either token, $50,000 of the debt asset, debt repaid on its behalf), every holder redeems all its shares, paid at least its preview", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, alice, bob } = w;
      const vaultAddress = await vault.getAddress();
      for (const [label, gift] of [
        ["1 raw unit of each", async () => {
          await fundLeg(w, "debt", vaultAddress, 1n);
          await fundLeg(w, "collateral", vaultAddress, 1n);
        }],
        ["$50,000 of the debt asset", async () => fundLeg(w, "debt", vaultAddress, await debtFor(w, 50_000))],
        ["1 raw unit and then half of its debt repaid on its behalf (Aave)", async () => {
          if (w.venue !== "aave") return;
          const { stranger, market } = w;
          const half = (await w.debtOf()) / 2n;
          await fundLeg(w, "debt", stranger.address, half + 1n);
          await (await w.debt.connect(stranger).getFunction("approve")(market.pool.target, half + 1n)).wait();
          await (await market.pool.connect(stranger).getFunction("repay")(w.debt.target, 1n, 2, vaultAddress)).wait();
          await (await market.pool.connect(stranger).getFunction("repay")(w.debt.target, half, 2, vaultAddress)).wait();
        }],
      ] as const) {
        const snapshot = await takeSnapshot();
        await gift();
        for (const user of [alice, bob]) {
          const shares = await vault.balanceOf(user.address);
          const preview = await vault.previewRedeem(shares);
          const held: bigint = await w.collateral.balanceOf(user.address);
          await expect(vault.connect(user)["redeem(uint256,address,address)"](shares, user.address, user.address), `${label}: ${user.address}`).to.emit(vault, "Withdraw");
          expect(((await w.collateral.balanceOf(user.address)) as bigint) - held).to.be.gte(preview);
        }
        await snapshot.restore();
      }
    });

    it("ACCT-2 and FAIR-1's bystander: the holders' maxWithdraw sum to at most totalAssets; others' deposits, mints, withdrawals and redemptions never lower bob's share value", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, alice, bob, carol, probe } = w;
      const holders = [alice.address, bob.address, await probe.getAddress()];
      let sum = 0n;
      for (const h of holders) sum += await vault.maxWithdraw(h);
      expect(sum, "ACCT-2").to.be.lte(await vault.totalAssets());
      const value = async () => vault.convertToAssets(await vault.balanceOf(bob.address));
      let last = await value();
      for (const [label, act] of [
        ["carol deposits $30,000", async () => vault.connect(carol)["deposit(uint256,address)"](await collateralFor(w, 30_000), carol.address)],
        ["carol mints", async () => vault.connect(carol)["mint(uint256,address)"](await vault.previewDeposit(await collateralFor(w, 3_000)), carol.address)],
        ["the probe withdraws $4,000", async () => probe.withdraw(await collateralFor(w, 4_000))],
        ["alice redeems half", async () => vault.connect(alice)["redeem(uint256,address,address)"]((await vault.balanceOf(alice.address)) / 2n, alice.address, alice.address)],
        ["carol redeems all", async () => vault.connect(carol)["redeem(uint256,address,address)"](await vault.balanceOf(carol.address), carol.address, carol.address)],
      ] as const) {
        await (await act()).wait();
        const now = await value();
        // A block's interest and rounding: 1e-6 of the value.
        expect(now, `${label}: bob's value ${last} -> ${now}`).to.be.gte(last - last / 1_000_000n);
        last = now;
      }
    });

    it("MAX-1: redeem(maxRedeem) and withdraw(maxWithdraw) go through for a holder", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, alice } = w;
      const shares = await vault.balanceOf(alice.address);
      const snapshot = await takeSnapshot();
      const maxRedeem = await vault.maxRedeem(alice.address, await nextBlock());
      expect(maxRedeem).to.equal(shares);
      await expect(vault.connect(alice)["redeem(uint256,address,address)"](maxRedeem, alice.address, alice.address)).to.emit(vault, "Withdraw");
      expect(await vault.balanceOf(alice.address)).to.equal(0n);
      await snapshot.restore();
      const maxWithdraw = await vault.maxWithdraw(alice.address, await nextBlock());
      expect(maxWithdraw).to.be.gt(0n);
      const held: bigint = await w.collateral.balanceOf(alice.address);
      await expect(vault.connect(alice)["withdraw(uint256,address,address)"](maxWithdraw, alice.address, alice.address)).to.emit(vault, "Withdraw");
      expect(((await w.collateral.balanceOf(alice.address)) as bigint) - held).to.equal(maxWithdraw);
    });

    it("paused: maxDeposit and maxMint 0, deposit and mint refused VaultDepositsPaused with nothing moved, exits still go; only the manager unpauses", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, guardian, manager, carol, alice } = w;
      await expect(vault.connect(guardian).setDepositsPaused(true)).to.emit(vault, "DepositsPausedSet").withArgs(guardian.address, true);
      expect(await vault.maxDeposit(carol.address)).to.equal(0n);
      expect(await vault.maxMint(carol.address)).to.equal(0n);
      const before = await balances(w);
      const amount = await collateralFor(w, 1_000);
      await expect(vault.connect(carol)["deposit(uint256,address)"](amount, carol.address)).to.be.revertedWithCustomError(vault, "VaultDepositsPaused");
      await expect(vault.connect(carol)["mint(uint256,address)"](10n ** 9n, carol.address)).to.be.revertedWithCustomError(vault, "VaultDepositsPaused");
      expect(await balances(w)).to.deep.equal(before);
      await expect(vault.connect(guardian).setDepositsPaused(false)).to.be.revertedWithCustomError(vault, "VaultUnauthorized").withArgs(guardian.address);
      const shares = (await vault.balanceOf(alice.address)) / 2n;
      await expect(vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address)).to.emit(vault, "Withdraw");
      await expect(vault.connect(manager).setDepositsPaused(false)).to.emit(vault, "DepositsPausedSet").withArgs(manager.address, false);
      await expect(vault.connect(carol)["deposit(uint256,address)"](amount, carol.address)).to.emit(vault, "Deposit");
    });

    it("stopped out (FAIR-1): maxDeposit and maxMint 0, deposit refused VaultStoppedOut with nothing moved, exits still go", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, guardian, carol, alice } = w;
      await expect(vault.connect(guardian).stop()).to.emit(vault, "ModeChanged").withArgs(1n, guardian.address);
      expect(await vault.maxDeposit(carol.address)).to.equal(0n);
      expect(await vault.maxMint(carol.address)).to.equal(0n);
      const before = await balances(w);
      await expect(vault.connect(carol)["deposit(uint256,address)"](await collateralFor(w, 1_000), carol.address)).to.be.revertedWithCustomError(
        vault,
        "VaultStoppedOut",
      );
      expect(await balances(w)).to.deep.equal(before);
      const shares = await vault.balanceOf(alice.address);
      await expect(vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address)).to.emit(vault, "Withdraw");
      expect(await vault.balanceOf(alice.address)).to.equal(0n);
    });

    it("stale oracle (STALE-1): every max* is 0, never a revert; deposits and exits refused OracleStale", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, carol, alice } = w;
      await time.increase(86_401); // past every feed's heartbeat (USDC/USD: 24 h)
      const read = async (f: () => Promise<bigint>) => f().then(String, (e: Error) => `reverted: ${e.message.split("\n")[0]}`);
      expect({
        maxDeposit: await read(() => vault.maxDeposit(carol.address)),
        maxMint: await read(() => vault.maxMint(carol.address)),
        maxWithdraw: await read(() => vault.maxWithdraw(alice.address)),
        maxRedeem: await read(() => vault.maxRedeem(alice.address)),
      }).to.deep.equal({ maxDeposit: "0", maxMint: "0", maxWithdraw: "0", maxRedeem: "0" });
      await expect(vault.connect(carol)["deposit(uint256,address)"](await w.collateral.balanceOf(carol.address) / 1000n, carol.address)).to.be.revertedWithCustomError(
        vault,
        "OracleStale",
      );
      await expect(vault.connect(alice)["redeem(uint256,address,address)"](1000n, alice.address, alice.address)).to.be.revertedWithCustomError(vault, "OracleStale");
    });

    it("ERC-5143: the preview is an accepted bound; one unit past what executes is refused with the named error, nothing moved", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, carol, alice } = w;
      const assets = await collateralFor(w, 1_000);
      const dep = vault.connect(carol)["deposit(uint256,address,uint256)"];
      const shares = await dep.staticCall(assets, carol.address, 0n, await nextBlock());
      const before = await balances(w);
      await expect(dep(assets, carol.address, shares + 1n)).to.be.revertedWithCustomError(vault, "VaultSharesBelowMin").withArgs(shares, shares + 1n);
      expect(await balances(w)).to.deep.equal(before);
      await expect(dep(assets, carol.address, await vault.previewDeposit(assets))).to.emit(vault, "Deposit");

      const mintShares = shares / 2n;
      const mintAssets = await vault.previewMint(mintShares, await nextBlock());
      const mintFn = vault.connect(carol)["mint(uint256,address,uint256)"];
      await expect(mintFn(mintShares, carol.address, mintAssets - 1n))
        .to.be.revertedWithCustomError(vault, "VaultAssetsAboveMax")
        .withArgs(mintAssets, mintAssets - 1n);
      await expect(mintFn(mintShares, carol.address, await vault.previewMint(mintShares))).to.emit(vault, "Deposit");

      const redeemShares = (await vault.balanceOf(alice.address)) / 4n;
      const red = vault.connect(alice)["redeem(uint256,address,address,uint256)"];
      const paid = await red.staticCall(redeemShares, alice.address, alice.address, 0n, await nextBlock());
      const before2 = await balances(w);
      await expect(red(redeemShares, alice.address, alice.address, paid + 1n)).to.be.revertedWithCustomError(vault, "VaultAssetsBelowMin").withArgs(paid, paid + 1n);
      expect(await balances(w)).to.deep.equal(before2);
      await expect(red(redeemShares, alice.address, alice.address, await vault.previewRedeem(redeemShares))).to.emit(vault, "Withdraw");

      const withdrawAssets = await collateralFor(w, 500);
      const wd = vault.connect(alice)["withdraw(uint256,address,address,uint256)"];
      const burned = await wd.staticCall(withdrawAssets, alice.address, alice.address, 2n ** 255n, await nextBlock());
      await expect(wd(withdrawAssets, alice.address, alice.address, burned - 1n))
        .to.be.revertedWithCustomError(vault, "VaultSharesAboveMax")
        .withArgs(burned, burned - 1n);
      await expect(wd(withdrawAssets, alice.address, alice.address, await vault.previewWithdraw(withdrawAssets))).to.emit(vault, "Withdraw");
    });

    it("ALLOW-1: an approved third party's withdraw spends exactly the shares it burned; zero amounts revert VaultZeroAmount", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, alice, bob, carol } = w;
      const allowance = await vault.balanceOf(alice.address);
      await (await vault.connect(alice).approve(bob.address, allowance)).wait();
      const before = await vault.balanceOf(alice.address);
      await (await vault.connect(bob)["withdraw(uint256,address,address)"](await collateralFor(w, 2_000), carol.address, alice.address)).wait();
      const burned = before - (await vault.balanceOf(alice.address));
      expect(allowance - (await vault.allowance(alice.address, bob.address))).to.equal(burned);

      for (const call of [
        () => vault.connect(carol)["deposit(uint256,address)"](0n, carol.address),
        () => vault.connect(carol)["mint(uint256,address)"](0n, carol.address),
        () => vault.connect(alice)["withdraw(uint256,address,address)"](0n, alice.address, alice.address),
        () => vault.connect(alice)["redeem(uint256,address,address)"](0n, alice.address, alice.address),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(vault, "VaultZeroAmount");
      }
    });
  });
}
