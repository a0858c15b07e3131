import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { plain } from "../shared/structs";
import { fund } from "../shared/market-helpers";
import { nextBlock, previewChecks, probeWorld, reason as attemptReason, twoHolders3x } from "./fixtures";

/**
 * Issue 8, finding 9: EIP-4626 limits and previews at the edges. `max*` must not exceed what would be accepted (in
 * the same block), previews must be honest bounds at every size, an approved spender's allowance is spent for the
 * shares finally burned, and `max*` return 0 rather than revert when the oracle is stale.
 */
const SIZES: Array<[string, bigint]> = [
  ["1 wei", 1n],
  ["1 gwei", 10n ** 9n],
  ["1e-6 WETH", 10n ** 12n],
  ["1 WETH", parseEther("1")],
  ["100 WETH", parseEther("100")],
];

describe("security: ERC-4626 limits and previews at the edges (issue 8 #9)", () => {
  describe("max* are accepted", () => {
    it("mint(maxMint) succeeds when the deposit cap binds (5 WETH of room)", async () => {
      const w = await loadFixture(twoHolders3x);
      const { vault, carol } = w;
      const cap = (await vault.totalAssets()) + parseEther("5");
      await (await vault.setExecutionConfig({ ...plain(await vault.executionConfig()), depositCap: cap })).wait();
      const max = await vault.maxMint(carol.address, await nextBlock());
      expect(max).to.be.gt(0n);
      await expect(vault.connect(carol)["mint(uint256,address)"](max, carol.address)).to.emit(vault, "Deposit");
      expect(await vault.balanceOf(carol.address)).to.equal(max);
    });

    it("mint(maxMint) succeeds at the default cap (10,000 WETH)", async () => {
      const w = await loadFixture(twoHolders3x);
      const { vault, market, carol } = w;
      await fund(market, carol.address, { weth: parseEther("20000") });
      const max = await vault.maxMint(carol.address, await nextBlock());
      expect(max).to.be.gt(0n);
      await expect(vault.connect(carol)["mint(uint256,address)"](max, carol.address)).to.emit(vault, "Deposit");
    });

    it("deposit(maxDeposit) succeeds (maxDeposit is what the cap and the pool can take)", async () => {
      const w = await loadFixture(twoHolders3x);
      const { vault, market, carol } = w;
      await fund(market, carol.address, { weth: parseEther("20000") });
      const max = await vault.maxDeposit(carol.address, await nextBlock());
      expect(max).to.be.gt(0n);
      await expect(vault.connect(carol)["deposit(uint256,address)"](max, carol.address)).to.emit(vault, "Deposit");
    });
  });

  describe("1 gwei exits", () => {
    it("a 1 gwei redeem pays at least its preview (same transaction)", async () => {
      const w = await loadFixture(probeWorld);
      const shares = await w.vault.convertToShares(10n ** 9n);
      await (await w.probe.redeem(shares)).wait();
      const [previewed, actual] = [await w.probe.previewed(), await w.probe.actual()];
      expect(actual, `previewRedeem ${previewed}, paid ${actual}`).to.be.gte(previewed);
    });

    it("a 1 gwei withdraw succeeds and burns at most its preview (same transaction)", async () => {
      const w = await loadFixture(probeWorld);
      await (await w.probe.withdraw(10n ** 9n)).wait();
      expect(await w.probe.actual()).to.be.lte(await w.probe.previewed());
    });
  });

  describe("previews are honest bounds at every size", () => {
    for (const [label, size] of SIZES) {
      it(`${label}: previewDeposit <= shares, previewMint >= assets, previewRedeem <= assets, previewWithdraw >= shares`, async () => {
        const w = await loadFixture(probeWorld);
        const { vault, probe } = w;
        const { failures, check } = previewChecks(probe);
        // A deposit / mint the preview gives nothing for may revert; one it promised shares for may not.
        const depositPreview = await vault.previewDeposit(size);
        await check(`deposit(${label})`, depositPreview === 0n, () => probe.deposit(size), (p, a) => p <= a);
        const shares = depositPreview > 0n ? depositPreview : await vault.convertToShares(size);
        if (shares > 0n) await check(`mint(${shares})`, false, () => probe.mint(shares), (p, a) => p >= a);
        // Exits always work (EXIT-1) and pay / burn no worse than previewed.
        const redeemShares = await vault.convertToShares(size);
        if (redeemShares > 0n) await check(`redeem(${redeemShares})`, false, () => probe.redeem(redeemShares), (p, a) => p <= a);
        await check(`withdraw(${label})`, false, () => probe.withdraw(size), (p, a) => p >= a);
        expect(failures).to.deep.equal([]);
      });
    }
  });

  it("an approved third party's withdraw spends exactly the allowance of the shares finally burned", async () => {
    const w = await loadFixture(twoHolders3x);
    const { vault, alice, bob, carol } = w;
    const allowance = await vault.balanceOf(alice.address);
    await (await vault.connect(alice).approve(bob.address, allowance)).wait();
    const before = await vault.balanceOf(alice.address);

    await (await vault.connect(bob)["withdraw(uint256,address,address)"](parseEther("10"), carol.address, alice.address)).wait();

    const burned = before - (await vault.balanceOf(alice.address));
    const spent = allowance - (await vault.allowance(alice.address, bob.address));
    expect(spent, `allowance spent ${spent}, shares burned ${burned}`).to.equal(burned);
  });

  it("all max* return 0, not revert, when the oracle is stale", async () => {
    const w = await loadFixture(twoHolders3x);
    const { vault, alice, carol } = w;
    await time.increase(3601); // past the ETH/USD heartbeat; feeds not refreshed
    const calls = {
      maxDeposit: () => vault.maxDeposit(carol.address),
      maxMint: () => vault.maxMint(carol.address),
      maxWithdraw: () => vault.maxWithdraw(alice.address),
      maxRedeem: () => vault.maxRedeem(alice.address),
    };
    const values: Record<string, string> = {};
    for (const [name, call] of Object.entries(calls)) {
      values[name] = await call().then(String, (e: unknown) => `reverted: ${attemptReason(e)}`);
    }
    expect(values).to.deep.equal({ maxDeposit: "0", maxMint: "0", maxWithdraw: "0", maxRedeem: "0" });
  });
});
