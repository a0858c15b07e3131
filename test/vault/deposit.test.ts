import { expect } from "chai";
import { setMarketPrice } from "../shared/market-helpers";
import { formatEther, parseEther, parseUnits } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { recordGas } from "../shared/gas";
import { connectAs } from "../shared/market-helpers";
import { vault1x, vault3x, type VaultWorld } from "../shared/vault";
import { FIRST_DEPOSIT, TARGETS, funded1x, funded3x } from "../shared/vault-states";
import {
  SHARE_OFFSET,
  WAD,
  deployProbe,
  deposit,
  holdings,
  near,
  poolLeverage,
  pricePerShare,
  redeemAll,
} from "../shared/vault-helpers";
import { driftReleverBound } from "../shared/vault-helpers";

const leverageOf = async (w: VaultWorld) => Number(formatEther((await w.vault.position()).leverage));
const within = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual / expected - 1), `${actual} vs ${expected}`).to.be.at.most(tolerance);

describe("vault: deposit", () => {
  for (const t of TARGETS) {
    describe(`${t.name} target`, () => {
      it(`one deposit levers the position to ${t.name} within ±0.5%`, async () => {
        const w = await loadFixture(t.empty);
        const { vault, alice, market } = w;
        const wethBefore: bigint = await market.weth.balanceOf(alice.address);

        const tx = vault.connect(alice)["deposit(uint256,address)"](FIRST_DEPOSIT, alice.address);
        const receipt = await recordGas(`vault.deposit first ${t.name}`, tx);

        // One transaction: alice paid 10 WETH and holds every share; the vault holds nothing idle.
        expect(wethBefore - (await market.weth.balanceOf(alice.address))).to.equal(FIRST_DEPOSIT);
        const shares = await vault.balanceOf(alice.address);
        expect(shares).to.be.gt(0n);
        expect(await vault.totalSupply()).to.equal(shares);
        const h = await holdings(w);
        expect(h.idleWeth).to.equal(0n);
        expect(h.idleUsdc).to.equal(0n);

        // Leverage per the vault and per the Pool's own account data.
        within(await leverageOf(w), t.leverage, 0.005);
        within(await poolLeverage(w), t.leverage, 0.005);
        // 10 WETH at $2000 levered L times: L * 10 WETH supplied, (L - 1) * $20k borrowed.
        within(Number(formatEther(h.collateral)), 10 * t.leverage, 0.005);
        if (t.leverage === 1) {
          expect(h.collateral).to.equal(FIRST_DEPOSIT);
          expect(h.debt).to.equal(0n);
          await expect(receipt).not.to.emit(vault, "PositionRebalanced");
        } else {
          within(Number(h.debt) / 1e6, (t.leverage - 1) * 20_000, 0.005);
          await expect(receipt).to.emit(vault, "PositionRebalanced").withArgs(WAD, (await vault.position()).leverage, near(h.debt, 2n));
          const { healthFactor } = await market.pool.getUserAccountData(vault.target);
          expect(healthFactor).to.be.gte((await vault.leverageConfig()).minHealthFactor);
        }
        await expect(receipt).to.emit(vault, "Deposit").withArgs(alice.address, alice.address, FIRST_DEPOSIT, shares);
      });

      it("a later deposit re-levers the whole position to the target and keeps the share price", async () => {
        const w = await loadFixture(t.funded);
        const { vault, bob } = w;
        const debtBefore = (await holdings(w)).debt;
        const ppsBefore = await pricePerShare(w);
        const amount = parseEther("25");

        const action = await deposit(w, bob, amount, (tx) => recordGas(`vault.deposit ${t.name}`, tx));

        expect(action.assets).to.equal(amount);
        expect(action.shares).to.equal(await vault.balanceOf(bob.address));
        within(await leverageOf(w), t.leverage, 0.005);
        const debtAdded = (await holdings(w)).debt - debtBefore;
        if (t.leverage === 1) expect(debtAdded).to.equal(0n);
        else within(Number(debtAdded) / 1e6, (t.leverage - 1) * 50_000, 0.005);
        // bob's shares are worth what he added net of his own levering cost: never more than he paid.
        expect(await vault.convertToAssets(action.shares)).to.be.lte(amount);
        expect(await pricePerShare(w)).to.be.gte(ppsBefore);
      });

      it("previewDeposit <= shares minted and previewMint >= assets pulled, in the same transaction", async () => {
        const w = await loadFixture(t.funded);
        const probe = await deployProbe(w, parseEther("100"));

        await (await probe.deposit(parseEther("10"))).wait();
        const [previewShares, mintedShares] = [await probe.previewed(), await probe.actual()];
        expect(mintedShares).to.be.gt(0n);
        expect(previewShares).to.be.lte(mintedShares);
        // The preview assumes the full max slippage on the debt swapped: (L - 1) * 1% at most below the actual.
        expect(previewShares).to.be.gte((mintedShares * (10_000n - BigInt((t.leverage - 1) * 100) - 10n)) / 10_000n);

        const shares = parseUnits("5", 24);
        await (await probe.mint(shares)).wait();
        expect(await probe.previewed()).to.be.gte(await probe.actual());
        expect(await w.vault.balanceOf(probe.target)).to.equal(mintedShares + shares);
      });
    });
  }

  it("is an ERC-4626 vault of WETH with 6 extra share decimals", async () => {
    const w = await loadFixture(vault3x);
    expect(await w.vault.asset()).to.equal(w.market.weth.target);
    expect(await w.vault.decimals()).to.equal(24n);
    expect(await w.vault.debtAsset()).to.equal(w.market.usdc.target);
  });

  it("mint delivers exactly the shares asked for, pulls previewMint and reports them in Deposit", async () => {
    const w = await loadFixture(funded3x);
    const { vault, bob, market } = w;
    const shares = parseUnits("7", 24);
    const assetsPreview = await vault.previewMint(shares);
    const wethBefore: bigint = await market.weth.balanceOf(bob.address);

    const receipt = await recordGas("vault.mint 3x", vault.connect(bob)["mint(uint256,address)"](shares, bob.address));

    const pulled = wethBefore - (await market.weth.balanceOf(bob.address));
    expect(await vault.balanceOf(bob.address)).to.equal(shares);
    expect(pulled).to.satisfy(near(assetsPreview, assetsPreview / 10n ** 9n));
    within(await leverageOf(w), 3, 0.005);
    await expect(receipt).to.emit(vault, "Deposit").withArgs(bob.address, bob.address, pulled, shares);
  });

  describe("maxDeposit / maxMint", () => {
    it("is the room under the cap, exactly usable, then 0", async () => {
      const w = await loadFixture(funded1x);
      const { vault, alice, bob } = w;
      const cap = parseEther("50");
      await (await vault.setExecutionConfig({ maxSlippageBps: 100, swapFee: 500, depositCap: cap })).wait();

      // 1x holds no debt, so totalAssets does not drift between blocks: exact figures.
      const room = cap - FIRST_DEPOSIT;
      expect(await vault.maxDeposit(bob.address)).to.equal(room);
      // maxMint keeps a few wei of maxDeposit back so that previewMint(maxMint) fits under it.
      expect(await vault.maxMint(bob.address)).to.equal(await vault.previewDeposit(room - 16n));
      expect(await vault.previewMint(await vault.maxMint(bob.address))).to.be.lte(room);
      await expect(vault.connect(bob)["deposit(uint256,address)"](room + 1n, bob.address))
        .to.be.revertedWithCustomError(vault, "VaultDepositCapExceeded")
        .withArgs(room + 1n, room);

      await deposit(w, bob, room);
      expect(await vault.totalAssets()).to.equal(cap);
      expect(await vault.maxDeposit(alice.address)).to.equal(0n);
      expect(await vault.maxMint(alice.address)).to.equal(0n);
      await expect(vault.connect(alice)["deposit(uint256,address)"](1n, alice.address))
        .to.be.revertedWithCustomError(vault, "VaultDepositCapExceeded")
        .withArgs(1n, 0n);
    });

    it("at 3x is the cap less totalAssets, and 0 while deposits are paused", async () => {
      const w = await loadFixture(funded3x);
      const { vault, bob } = w;
      const cap = (await vault.executionConfig()).depositCap;
      // Below the cap room here: the deposit's own borrow must fit what the pool absorbs within the slippage.
      const maxDeposit = await vault.maxDeposit(bob.address);
      expect(maxDeposit).to.be.gt(0n).and.lt(cap - (await vault.totalAssets()));
      await deposit(w, bob, maxDeposit);
      // That deposit used the pool's room; arbitrage restores it.
      await setMarketPrice(w.market, 2000);
      expect(await vault.maxDeposit(bob.address)).to.be.gt(0n);

      await (await vault.setDepositsPaused(true)).wait();
      expect(await vault.maxDeposit(bob.address)).to.equal(0n);
      expect(await vault.maxMint(bob.address)).to.equal(0n);

      await (await vault.setDepositsPaused(false)).wait();
      expect(await vault.maxDeposit(bob.address)).to.be.gt(0n);
    });
  });

  describe("first-depositor donation (inflation) attack", () => {
    const donation = parseEther("100");

    for (const [name, fixture] of [
      ["1x", vault1x],
      ["3x", vault3x],
    ] as const) {
      for (const kind of ["WETH", "aWETH"] as const) {
        it(`${name}: a ${kind} donation before the victim's deposit costs the attacker and steals nothing`, async () => {
          const w = await loadFixture(fixture);
          const { vault, market, alice: victim, carol: attacker } = w;
          const attackerStart: bigint = await market.weth.balanceOf(attacker.address);

          // 1 wei deposit for 1e6 virtual-offset shares, then a donation straight to the vault.
          await deposit(w, attacker, 1n);
          expect(await vault.balanceOf(attacker.address)).to.equal(SHARE_OFFSET);
          if (kind === "WETH") {
            await (await connectAs(market.weth, attacker).transfer(vault.target, donation)).wait();
          } else {
            await (await connectAs(market.weth, attacker).approve(market.pool.target, donation)).wait();
            await (await market.pool.connect(attacker).supply(market.weth.target, donation, attacker.address, 0)).wait();
            await (await connectAs(market.aWETH, attacker).transfer(vault.target, donation)).wait();
          }
          expect(await vault.totalAssets()).to.be.closeTo(donation, 2n);

          const preview = await vault.previewDeposit(FIRST_DEPOSIT);
          const victimIn = await deposit(w, victim, FIRST_DEPOSIT);
          expect(victimIn.shares).to.be.gt(0n);
          expect(victimIn.shares).to.be.gte(preview);

          const attackerOut = await redeemAll(w, attacker);
          const victimOut = await redeemAll(w, victim);
          const attackerNet = attackerStart - (await market.weth.balanceOf(attacker.address));
          // The attacker loses a large part of the donation; the victim gets back more than deposited.
          expect(attackerNet, `attacker lost ${formatEther(attackerNet)}`).to.be.gt(donation / 20n);
          expect(attackerOut.assets).to.be.lt(donation);
          expect(victimOut.assets).to.be.gt(FIRST_DEPOSIT);
          expect(await vault.totalSupply()).to.equal(0n);
        });
      }
    }
  });

  it("a deposit pays its own levering cost and nothing of the holders' drift (here a donation): their share price holds", async () => {
    // Also covers the WETH already idle in the vault: it is supplied with the deposit, not left aside.
    const w = await loadFixture(funded3x);
    const { vault, market, alice, bob, carol } = w;
    await deposit(w, bob, parseEther("20"));
    const ppsAtTarget = await pricePerShare(w);
    // Without drift, the holders' share price does not move when someone deposits (a block of interest aside).
    await deposit(w, carol, parseEther("5"));
    expect(await pricePerShare(w)).to.be.gte(ppsAtTarget - ppsAtTarget / 10n ** 9n);

    await (await connectAs(market.weth, carol).transfer(vault.target, parseEther("1"))).wait();
    const ppsBefore = await pricePerShare(w);
    const leverageBefore = await leverageOf(w);
    await deposit(w, alice, parseEther("20"));

    expect((await holdings(w)).idleWeth).to.equal(0n);
    // The holders pay nothing for the deposit's swap, and their drift (the donation lowered the leverage) is left
    // for the keeper: the share price holds within a block of interest.
    expect(await pricePerShare(w)).to.be.gte(ppsBefore - ppsBefore / 10n ** 9n);
    within(await leverageOf(w), leverageBefore, 0.005);
  });
});
