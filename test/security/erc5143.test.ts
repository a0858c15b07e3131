import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { oraclePriceE8 } from "../shared/market-helpers";
import { armAttacker, twoHolders3x } from "./fixtures";
import { pushPoolTo } from "./helpers";

/**
 * Issue 8, finding 5: slippage-protected entry points, ERC-5143 style. Each overload reverts with its custom error
 * (and the amount it would have given / taken, and the bound) when the bound is not met, and goes through, doing
 * exactly what the plain call does, when the bound is met exactly. Today none of them exists.
 *
 * Exact amounts are measured on a snapshot at the same block timestamp (no interest in between), then the bound
 * is set just beside them.
 */
describe("security: ERC-5143 slippage-protected overloads (issue 8 #5)", () => {
  async function world() {
    const w = await loadFixture(twoHolders3x);
    const t = (await time.latest()) + 1;
    return { w, at: () => time.setNextBlockTimestamp(t) };
  }

  it("deposit(assets, receiver, minShares): reverts VaultSharesBelowMin below the shares it mints, else mints them", async () => {
    const { w, at } = await world();
    const { vault, carol } = w;
    const assets = parseEther("3");
    const snapshot = await takeSnapshot();
    await at();
    const before = await vault.balanceOf(carol.address);
    await (await vault.connect(carol)["deposit(uint256,address,uint256)"](assets, carol.address, 0n)).wait();
    const shares = (await vault.balanceOf(carol.address)) - before;
    await snapshot.restore();
    expect(shares).to.be.gt(0n);

    await at();
    await expect(vault.connect(carol)["deposit(uint256,address,uint256)"](assets, carol.address, shares + 1n))
      .to.be.revertedWithCustomError(vault, "VaultSharesBelowMin")
      .withArgs(shares, shares + 1n);
    await snapshot.restore();
    await at();
    await expect(vault.connect(carol)["deposit(uint256,address,uint256)"](assets, carol.address, shares))
      .to.emit(vault, "Deposit")
      .withArgs(carol.address, carol.address, assets, shares);
    expect(await vault.balanceOf(carol.address)).to.equal(before + shares);
  });

  it("mint(shares, receiver, maxAssets): reverts VaultAssetsAboveMax above the assets it pulls, else mints", async () => {
    const { w, at } = await world();
    const { vault, market, carol } = w;
    const shares = (await vault.previewDeposit(parseEther("2"))) / 2n;
    const snapshot = await takeSnapshot();
    await at();
    const wethBefore: bigint = await market.weth.balanceOf(carol.address);
    await (await vault.connect(carol)["mint(uint256,address,uint256)"](shares, carol.address, parseEther("1000"))).wait();
    const assets = wethBefore - ((await market.weth.balanceOf(carol.address)) as bigint);
    await snapshot.restore();
    expect(assets).to.be.gt(0n);

    await at();
    await expect(vault.connect(carol)["mint(uint256,address,uint256)"](shares, carol.address, assets - 1n))
      .to.be.revertedWithCustomError(vault, "VaultAssetsAboveMax")
      .withArgs(assets, assets - 1n);
    await snapshot.restore();
    await at();
    await expect(vault.connect(carol)["mint(uint256,address,uint256)"](shares, carol.address, assets))
      .to.emit(vault, "Deposit")
      .withArgs(carol.address, carol.address, assets, shares);
    expect(await vault.balanceOf(carol.address)).to.equal(shares);
  });

  it("withdraw(assets, receiver, owner, maxShares): reverts VaultSharesAboveMax above the shares it burns, else pays", async () => {
    const { w, at } = await world();
    const { vault, market, alice } = w;
    const assets = parseEther("7");
    const snapshot = await takeSnapshot();
    await at();
    const sharesBefore = await vault.balanceOf(alice.address);
    await (
      await vault.connect(alice)["withdraw(uint256,address,address,uint256)"](assets, alice.address, alice.address, sharesBefore)
    ).wait();
    const shares = sharesBefore - (await vault.balanceOf(alice.address));
    await snapshot.restore();
    expect(shares).to.be.gt(0n);

    await at();
    await expect(vault.connect(alice)["withdraw(uint256,address,address,uint256)"](assets, alice.address, alice.address, shares - 1n))
      .to.be.revertedWithCustomError(vault, "VaultSharesAboveMax")
      .withArgs(shares, shares - 1n);
    await snapshot.restore();
    await at();
    const wethBefore: bigint = await market.weth.balanceOf(alice.address);
    await expect(vault.connect(alice)["withdraw(uint256,address,address,uint256)"](assets, alice.address, alice.address, shares))
      .to.emit(vault, "Withdraw")
      .withArgs(alice.address, alice.address, alice.address, assets, shares);
    expect((await market.weth.balanceOf(alice.address)) - wethBefore).to.equal(assets);
  });

  it("redeem(shares, receiver, owner, minAssets): reverts VaultAssetsBelowMin below the assets it pays, else pays", async () => {
    const { w, at } = await world();
    const { vault, market, alice } = w;
    const shares = (await vault.balanceOf(alice.address)) / 3n;
    const snapshot = await takeSnapshot();
    await at();
    const wethBefore: bigint = await market.weth.balanceOf(alice.address);
    await (await vault.connect(alice)["redeem(uint256,address,address,uint256)"](shares, alice.address, alice.address, 0n)).wait();
    const assets = ((await market.weth.balanceOf(alice.address)) as bigint) - wethBefore;
    await snapshot.restore();
    expect(assets).to.be.gt(0n);

    await at();
    await expect(vault.connect(alice)["redeem(uint256,address,address,uint256)"](shares, alice.address, alice.address, assets + 1n))
      .to.be.revertedWithCustomError(vault, "VaultAssetsBelowMin")
      .withArgs(assets, assets + 1n);
    await snapshot.restore();
    await at();
    await expect(vault.connect(alice)["redeem(uint256,address,address,uint256)"](shares, alice.address, alice.address, assets))
      .to.emit(vault, "Withdraw")
      .withArgs(alice.address, alice.address, alice.address, assets, shares);
  });

  it("a third party sandwiching a redeem takes over 0.5% of it through the plain call, and is stopped by minAssets", async () => {
    const w = await loadFixture(twoHolders3x);
    const { vault, market, bob, stranger: mallory } = w;
    await armAttacker(w, mallory);
    const shares = await vault.balanceOf(bob.address);
    const oracle = await oraclePriceE8(market);

    // The quote bob sees with the pool at the oracle; he accepts 0.1% less.
    const snapshot = await takeSnapshot();
    const wethBefore: bigint = await market.weth.balanceOf(bob.address);
    await (await vault.connect(bob)["redeem(uint256,address,address)"](shares, bob.address, bob.address)).wait();
    const quote = ((await market.weth.balanceOf(bob.address)) as bigint) - wethBefore;
    await snapshot.restore();
    const minAssets = quote - quote / 1000n;

    // Mallory front-runs: ETH 0.6% cheaper in the pool (inside the vault's 1% min-out), so the exit sells WETH cheap.
    await pushPoolTo(w.market, mallory, (oracle * 9_940n) / 10_000n);
    const attacked = await takeSnapshot();
    await (await vault.connect(bob)["redeem(uint256,address,address)"](shares, bob.address, bob.address)).wait();
    const got = ((await market.weth.balanceOf(bob.address)) as bigint) - wethBefore;
    expect(got, "the plain redeem goes through and loses more than 0.5%").to.be.lt((quote * 995n) / 1000n);
    await attacked.restore();

    await expect(vault.connect(bob)["redeem(uint256,address,address,uint256)"](shares, bob.address, bob.address, minAssets))
      .to.be.revertedWithCustomError(vault, "VaultAssetsBelowMin")
      .withArgs((a: bigint) => a < minAssets, minAssets);
    expect(await vault.balanceOf(bob.address)).to.equal(shares);
  });
});
