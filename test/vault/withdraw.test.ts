import { expect } from "chai";
import { formatEther, parseEther } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { recordGas } from "../shared/gas";
import { type VaultWorld } from "../shared/vault";
import { TARGETS, funded3x } from "../shared/vault-states";
import {
  BPS,
  WAD,
  deployProbe,
  deposit,
  holdings,
  expectNavMatchesPool,
  near,
  pricePerShare,
  redeem,
  redeemAll,
  withdraw,
} from "../shared/vault-helpers";

const leverageOf = async (w: VaultWorld) => Number(formatEther((await w.vault.position()).leverage));
const within = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual / expected - 1), `${actual} vs ${expected}`).to.be.at.most(tolerance);

/**
 * Worst-case cost of unwinding a slice, in bps of its value: its debt (L - 1 times its equity) is bought back
 * with collateral at up to maxSlippage above the oracle, plus the 5 bps flash premium (the vault's own bound).
 */
async function exitCostBps(w: VaultWorld): Promise<bigint> {
  const { leverage } = await w.vault.position();
  const { maxSlippageBps } = await w.vault.executionConfig();
  return ((leverage - WAD) * (maxSlippageBps + 5n + 1n) + WAD - 1n) / WAD;
}

describe("vault: withdraw / redeem", () => {
  for (const t of TARGETS) {
    describe(`${t.name} target`, () => {
      it("redeeming half returns the slice's value within the slippage bound and keeps the leverage", async () => {
        const w = await loadFixture(t.funded);
        const { vault, alice } = w;
        const shares = (await vault.balanceOf(alice.address)) / 2n;
        const supply = await vault.totalSupply();
        const before = await holdings(w);
        const fair = await vault.convertToAssets(shares);
        const preview = await vault.previewRedeem(shares);
        const floor = (fair * (BPS - (await exitCostBps(w)))) / BPS;

        const out = await redeem(w, alice, shares, (tx) => recordGas(`vault.redeem partial ${t.name}`, tx));

        expect(out.shares).to.equal(shares);
        expect(await vault.totalSupply()).to.equal(supply - shares);
        expect(out.assets).to.be.gte(preview);
        expect(out.assets).to.be.gte(floor);
        // No more than the slice is worth at the oracle, give or take the DEX being 0.1% off it.
        expect(out.assets).to.be.lte((fair * 1001n) / 1000n);
        // Half the debt repaid (rounded up against the leaver) and half the collateral released.
        const after = await holdings(w);
        expect(after.debt).to.satisfy(near(before.debt - (before.debt * shares + supply - 1n) / supply, 2n));
        expect(after.collateral).to.satisfy(near(before.collateral - (before.collateral * shares) / supply, 2n));
        expect(after.idleWeth).to.equal(0n);
        within(await leverageOf(w), t.leverage, 0.005);
      });

      it("withdrawing 4 WETH pays exactly 4 WETH, burns at most previewWithdraw shares and refunds the surplus", async () => {
        const w = await loadFixture(t.funded);
        const { vault, alice } = w;
        const assets = parseEther("4");
        const preview = await vault.previewWithdraw(assets);
        const ppsBefore = await pricePerShare(w);

        // One second of interest, as on any machine: a slow (e.g. instrumented) run would otherwise accrue more
        // between the read and the withdrawal and move the share price by that interest, not by the withdrawal.
        await time.setNextBlockTimestamp((await time.latest()) + 1);
        const out = await withdraw(w, alice, assets, (tx) => recordGas(`vault.withdraw partial ${t.name}`, tx));

        expect(out.assets).to.equal(assets);
        expect(out.shares).to.be.lte(preview);
        // What the unwind freed beyond 4 WETH stays idle in the vault and goes back to alice as shares: the
        // share price of the holders does not move (rounding aside).
        const { idleWeth } = await holdings(w);
        if (t.leverage === 1) {
          // Nothing to unwind at 1x: only the previews' rounding allowance (four raw USDC units' worth) is refunded.
          expect(idleWeth).to.be.lte(parseEther("0.000000003"));
          expect(out.shares).to.satisfy(near(preview, preview / 10n ** 8n));
        } else {
          expect(idleWeth).to.be.gt(0n);
          expect(out.shares).to.be.lt(preview);
        }
        expect(await pricePerShare(w)).to.be.gte(ppsBefore - 2n);
        await expectNavMatchesPool(w);
      });

      it("the last holder's full redeem repays all debt and withdraws all collateral", async () => {
        const w = await loadFixture(t.funded);
        const { vault, alice, market } = w;
        const shares = await vault.balanceOf(alice.address);
        const fair = await vault.totalAssets();
        const preview = await vault.previewRedeem(shares);
        const floor = (fair * (BPS - (await exitCostBps(w)))) / BPS;

        const out = await redeemAll(w, alice, (tx) => recordGas(`vault.redeem full ${t.name}`, tx));

        expect(out.shares).to.equal(shares);
        expect(out.assets).to.be.gte(preview);
        expect(out.assets).to.be.gte(floor);
        expect(out.assets).to.be.lte(fair);
        expect(await holdings(w)).to.deep.equal({ collateral: 0n, debt: 0n, idleWeth: 0n, idleUsdc: 0n });
        const account = await market.pool.getUserAccountData(vault.target);
        expect(account.totalCollateralBase).to.equal(0n);
        expect(account.totalDebtBase).to.equal(0n);
        expect(await vault.totalSupply()).to.equal(0n);
        expect(await vault.totalAssets()).to.equal(0n);
      });

      it("previewRedeem <= assets received and previewWithdraw >= shares burned, in the same transaction", async () => {
        const w = await loadFixture(t.funded);
        const probe = await deployProbe(w, parseEther("20"));
        await (await probe.deposit(parseEther("20"))).wait();
        const shares = await w.vault.balanceOf(probe.target);

        await (await probe.redeem(shares / 3n)).wait();
        const [previewAssets, receivedAssets] = [await probe.previewed(), await probe.actual()];
        expect(previewAssets).to.be.lte(receivedAssets);

        await (await probe.withdraw(parseEther("5"))).wait();
        const [previewShares, burnedShares] = [await probe.previewed(), await probe.actual()];
        expect(previewShares).to.be.gte(burnedShares);
        expect(await w.market.weth.balanceOf(probe.target)).to.equal(receivedAssets + parseEther("5"));
      });
    });
  }

  it("withdraw(maxWithdraw) goes through and leaves the holder only the refunded surplus; maxRedeem is the balance", async () => {
    const w = await loadFixture(funded3x);
    const { vault, alice, bob } = w;
    await deposit(w, bob, parseEther("5"));
    const balance = await vault.balanceOf(alice.address);
    expect(await vault.maxRedeem(alice.address)).to.equal(balance);
    const max = await vault.maxWithdraw(alice.address);
    expect(max).to.be.lte(await vault.previewRedeem(balance));

    const out = await withdraw(w, alice, max);

    expect(out.assets).to.equal(max);
    // maxWithdraw priced the exit at max slippage; what it did not cost comes back as shares: at 3x at most
    // (L - 1) x (1% + 5 bps) of the position, and it is withdrawable in turn.
    const left = await vault.balanceOf(alice.address);
    expect(left).to.be.gt(0n);
    expect(left).to.be.lte((balance * 211n) / 10_000n);
    const rest = await vault.maxWithdraw(alice.address);
    expect(rest).to.be.gt(0n);
    await withdraw(w, alice, rest);
  });

  it("a spender with allowance redeems and withdraws for the holder, to another receiver", async () => {
    const w = await loadFixture(funded3x);
    const { vault, market, alice, bob, carol } = w;
    const shares = (await vault.balanceOf(alice.address)) / 4n;
    const allowance = shares * 3n;
    await (await vault.connect(alice).approve(bob.address, allowance)).wait();
    const carolBefore: bigint = await market.weth.balanceOf(carol.address);
    const bobBefore: bigint = await market.weth.balanceOf(bob.address);
    const aliceBefore = await vault.balanceOf(alice.address);

    const preview = await vault.previewRedeem(shares);
    await (await vault.connect(bob)["redeem(uint256,address,address)"](shares, carol.address, alice.address)).wait();
    const redeemed = (await market.weth.balanceOf(carol.address)) - carolBefore;
    expect(redeemed).to.be.gte(preview);

    const assets = parseEther("1");
    const burnt = await vault.previewWithdraw(assets);
    const receipt = await (await vault.connect(bob)["withdraw(uint256,address,address)"](assets, carol.address, alice.address)).wait();
    // Shares net of the refunded surplus: at most the preview, at least 97% of it at 3x.
    let net = 0n;
    await expect(receipt)
      .to.emit(vault, "Withdraw")
      .withArgs(bob.address, carol.address, alice.address, assets, (s: bigint) => {
        net = s;
        return s <= burnt && s >= (burnt * 97n) / 100n;
      });

    // carol received both payouts, bob nothing; alice's shares and bob's allowance went down by the same amount.
    expect((await market.weth.balanceOf(carol.address)) - carolBefore).to.equal(redeemed + assets);
    expect(await market.weth.balanceOf(bob.address)).to.equal(bobBefore);
    const spent = aliceBefore - (await vault.balanceOf(alice.address));
    expect(spent).to.equal(shares + net);
    // The allowance is spent for exactly the shares finally burned (net of the refund).
    expect(await vault.allowance(alice.address, bob.address)).to.equal(allowance - shares - net);
  });
});
