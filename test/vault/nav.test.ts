import { expect } from "chai";
import { formatEther, parseEther, parseUnits } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { connectAs, fund, movePoolOnly, setMarketPrice } from "../shared/market-helpers";
import { FIRST_DEPOSIT, TARGETS, funded3x } from "../shared/vault-states";
import {
  WAD,
  deposit,
  expectNavMatchesPool,
  holdings,
  navUsd,
  pricePerShare,
  ratio,
  redeemAll,
  withdraw,
} from "../shared/vault-helpers";

/** Equity after the collateral price moves by `move` (0.85 = -15%), for a position at leverage `l` (wad). */
const expectedEquityRatio = (l: bigint, move: number) => (Number(l) / 1e18) * move - (Number(l) / 1e18 - 1);

describe("vault: NAV", () => {
  it("totalAssets equals the Pool's account data at the oracle price, idle WETH and idle USDC included", async () => {
    const w = await loadFixture(funded3x);
    const { vault, market, alice, carol } = w;
    await expectNavMatchesPool(w);

    // A withdraw leaves its surplus idle in the vault: counted.
    await withdraw(w, alice, parseEther("2"));
    const { idleWeth } = await holdings(w);
    expect(idleWeth).to.be.gt(0n);
    await expectNavMatchesPool(w);

    // Idle debt asset (USDC sent to the vault) is valued at the oracle.
    const before = await vault.totalAssets();
    await fund(market, carol, { usdc: parseUnits("2000", 6) });
    await (await connectAs(market.usdc, carol).transfer(vault.target, parseUnits("2000", 6))).wait();
    expect((await holdings(w)).idleUsdc).to.equal(parseUnits("2000", 6));
    // $2000 = 1 WETH at $2000, give or take the debt interest of the block.
    expect((await vault.totalAssets()) - before).to.be.closeTo(parseEther("1"), parseEther("0.000001"));
    await expectNavMatchesPool(w);
  });

  it("a pool-only move (a sandwich) changes neither NAV nor the share price", async () => {
    const w = await loadFixture(funded3x);
    const nav = await w.vault.totalAssets();
    const pps = await pricePerShare(w);
    await movePoolOnly(w.market, -500);
    expect(await w.vault.totalAssets()).to.be.closeTo(nav, nav / 10n ** 9n);
    expect(await pricePerShare(w)).to.be.closeTo(pps, pps / 10n ** 9n);
    await expectNavMatchesPool(w);
  });

  for (const t of TARGETS) {
    for (const [label, price, move] of [
      ["ETH -15%", 1700, 0.85],
      ["ETH +10%", 2200, 1.1],
    ] as const) {
      it(`${t.name}: ${label} moves the USD NAV by the leverage and totalAssets follows the Pool`, async () => {
        const w = await loadFixture(t.funded);
        const { vault, alice } = w;
        const { leverage } = await vault.position();
        const usd0 = await navUsd(w);
        const eth0 = await vault.totalAssets();
        const shares = await vault.balanceOf(alice.address);
        const aliceAssets0 = await vault.convertToAssets(shares);

        await setMarketPrice(w.market, price);

        // Collateral and debt amounts did not change: equity moved exactly as L x (price move) - (L - 1).
        const usd1 = await navUsd(w);
        const usdRatio = ratio(usd1, usd0);
        expect(usdRatio).to.be.closeTo(expectedEquityRatio(leverage, move), 1e-6);
        // In WETH, the NAV moves by that over the price move.
        expect(ratio(await vault.totalAssets(), eth0)).to.be.closeTo(expectedEquityRatio(leverage, move) / move, 1e-6);
        await expectNavMatchesPool(w);
        // Shares did not change; their value follows NAV.
        expect(await vault.balanceOf(alice.address)).to.equal(shares);
        expect(ratio(await vault.convertToAssets(shares), aliceAssets0)).to.be.closeTo(ratio(await vault.totalAssets(), eth0), 1e-9);

        if (t.name === "3x" && move === 0.85) {
          expect(1 - usdRatio, "3x, ETH -15%: USD NAV down ~45%").to.be.closeTo(0.45, 0.005);
        } else if (t.name === "3x") {
          expect(usdRatio - 1, "3x, ETH +10%: USD NAV up ~30%").to.be.closeTo(0.3, 0.005);
        } else if (t.name === "1x") {
          expect(await vault.totalAssets()).to.equal(FIRST_DEPOSIT);
        }
        // The leverage drifts the way a levered position does: up when the price falls, down when it rises.
        const after = await vault.position();
        if (t.name === "1x") expect(after.leverage).to.equal(WAD);
        else if (move < 1) expect(after.leverage).to.be.gt(leverage);
        else expect(after.leverage).to.be.lt(leverage);
      });
    }
  }

  it("3x after a 15% drop: the last holder's full redeem pays about NAV and leaves nothing on Aave", async () => {
    const w = await loadFixture(funded3x);
    const { vault, market, alice } = w;
    await setMarketPrice(market, 1700);
    const nav = await expectNavMatchesPool(w);
    const { leverage } = await vault.position();
    const preview = await vault.previewRedeem(await vault.balanceOf(alice.address));

    const out = await redeemAll(w, alice);

    expect(out.assets).to.be.gte(preview);
    // At ~3.5x after the drop the unwind costs (L - 1) x (fee + impact + premium), well under 1%.
    expect(out.assets).to.be.lte(nav);
    expect(out.assets, `paid ${formatEther(out.assets)} of ${formatEther(nav)} at ${formatEther(leverage)}x`).to.be.gte(
      (nav * 99n) / 100n,
    );
    expect(await holdings(w)).to.deep.equal({ collateral: 0n, debt: 0n, idleWeth: 0n, idleUsdc: 0n });
    const account = await market.pool.getUserAccountData(vault.target);
    expect(account.totalCollateralBase + account.totalDebtBase).to.equal(0n);
    expect(await vault.totalSupply()).to.equal(0n);
  });

  it("a depositor after a price rise levers only its own assets, at the vault's leverage; NAV stays consistent", async () => {
    const w = await loadFixture(funded3x);
    const { vault, bob } = w;
    await setMarketPrice(w.market, 2200);
    const leverageBefore = (await vault.position()).leverage;
    expect(leverageBefore).to.be.lt(parseEther("2.7")); // below the band after +10%

    await deposit(w, bob, parseEther("10"));

    // The holders' drift is the keeper's to re-lever, under its guards: the deposit leaves the leverage alone.
    expect((await vault.position()).leverage).to.be.closeTo(leverageBefore, parseEther("0.002"));
    await expectNavMatchesPool(w);
  });
});
