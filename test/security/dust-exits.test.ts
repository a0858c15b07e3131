import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture, takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import type { VaultWorld } from "../shared/vault";
import { attempt, describeDust, nextBlock, sendDust, soleHolder3x, type Dust } from "./fixtures";

/**
 * Issue 8, finding 2 (class): no amount of the collateral, the debt asset, the aToken, or debt repaid on the
 * vault's behalf, sent by anyone, may block a deposit or an exit. Today 100 raw USDC units make the exits of
 * holders with 1-99% of the shares revert `SwapSlippageExceeded` (the leaver's slice of idle USDC is swapped with
 * an oracle min-out that Uniswap's fee rounding cannot meet on a few units).
 *
 * For each donation: the holder of 1%, 99% and 100% of the shares can redeem all of them, and withdraw its
 * maxWithdraw; a newcomer can deposit; maxDeposit answers. Every failure is collected, so the message lists all.
 */
const FRACTIONS = [1n, 99n, 100n]; // % of the supply held by the leaver

const SINGLE: Dust[] = [
  { kind: "usdc", amount: 1n },
  { kind: "usdc", amount: 100n },
  { kind: "usdc", amount: 10_000n },
  { kind: "usdc", amount: 1_000_000n }, // 1 USDC
  { kind: "weth", amount: 1n },
  { kind: "weth", amount: 10n ** 9n },
  { kind: "aweth", amount: 1n },
  { kind: "aweth", amount: 10n ** 9n },
  { kind: "repay", amount: 1n },
  { kind: "repay", amount: 100n },
  { kind: "repay", amount: 1_000_000n },
];
const COMBINED: Dust[][] = [
  [
    { kind: "usdc", amount: 1n },
    { kind: "weth", amount: 1n },
    { kind: "aweth", amount: 1n },
    { kind: "repay", amount: 1n },
  ],
  [
    { kind: "usdc", amount: 100n },
    { kind: "weth", amount: 1n },
    { kind: "aweth", amount: 10n ** 9n },
    { kind: "repay", amount: 100n },
  ],
];

/** Tries every exit and a deposit after the donations; returns the failures, labelled. */
async function blockedActions(w: VaultWorld): Promise<string[]> {
  const { vault, alice, carol, stranger } = w;
  const failures: string[] = [];
  const supply = await vault.totalSupply();
  for (const pct of FRACTIONS) {
    for (const op of ["redeem(all)", "withdraw(maxWithdraw)"] as const) {
      const snapshot = await takeSnapshot();
      // carol holds pct% of the shares (alice transfers them); at 100% alice herself leaves.
      const leaver = pct === 100n ? alice : carol;
      if (pct !== 100n) await (await vault.connect(alice).transfer(carol.address, (supply * pct) / 100n)).wait();
      const shares = await vault.balanceOf(leaver.address);
      const max = await vault.maxWithdraw(leaver.address, await nextBlock()).catch(() => -1n);
      const failure =
        op === "redeem(all)"
          ? await attempt(async () => (await vault.connect(leaver)["redeem(uint256,address,address)"](shares, leaver.address, leaver.address)).wait())
          : max <= 0n
            ? `maxWithdraw = ${max} for a holder of ${shares} shares`
            : await attempt(async () => (await vault.connect(leaver)["withdraw(uint256,address,address)"](max, leaver.address, leaver.address)).wait());
      if (failure) failures.push(`${pct}% holder ${op}: ${failure}`);
      await snapshot.restore();
    }
  }
  // A newcomer (stranger, funded here) can still come in, and maxDeposit answers with room left.
  const snapshot = await takeSnapshot();
  await (await w.market.weth.connect(stranger).getFunction("approve")(vault.target, parseEther("1"))).wait();
  await (await w.market.weth["mint(address,uint256)"](stranger.address, parseEther("1"))).wait();
  const depositFailure = await attempt(async () => (await vault.connect(stranger)["deposit(uint256,address)"](parseEther("1"), stranger.address)).wait());
  if (depositFailure) failures.push(`deposit(1 WETH): ${depositFailure}`);
  const maxDeposit = await vault.maxDeposit(stranger.address).catch((e: unknown) => e);
  if (typeof maxDeposit !== "bigint" || maxDeposit === 0n) failures.push(`maxDeposit: ${String(maxDeposit)}`);
  await snapshot.restore();
  return failures;
}

describe("security: dust sent to the vault never blocks a deposit or an exit (issue 8 #2)", () => {
  it("control: without a donation every exit and a deposit go through", async () => {
    const w = await loadFixture(soleHolder3x);
    expect(await blockedActions(w)).to.deep.equal([]);
  });

  for (const dust of SINGLE) {
    it(`after ${describeDust(dust)} every holder can still leave and a newcomer enter`, async () => {
      const w = await loadFixture(soleHolder3x);
      await sendDust(w, w.stranger, dust);
      expect(await blockedActions(w)).to.deep.equal([]);
    });
  }

  for (const dusts of COMBINED) {
    it(`after ${dusts.map(describeDust).join(" + ")} every holder can still leave and a newcomer enter`, async () => {
      const w = await loadFixture(soleHolder3x);
      for (const dust of dusts) await sendDust(w, w.stranger, dust);
      expect(await blockedActions(w)).to.deep.equal([]);
    });
  }
});
