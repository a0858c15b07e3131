/**
 * KEEPER-PAY-1 (docs/PROPERTIES.md) on every kind of vault, where test/fees/keeper-pay.test.ts checks it on the 3x
 * WETH/USDC Aave vault: "A keeper is paid at most its gas cost times the multiplier (<= 1.2x): (gas measured from
 * the entry point + 21,000) x min(tx.gasprice, maxGasPrice) x multiplier, converted at the oracle price". The gas
 * token is ETH on every local market; IVaultAutomation.KeeperPayConfig prices it by the debt feed
 * (`gasTokenIsDebt`) or else by the collateral feed, so each kind is configured with the leg that is WETH, and a kind
 * with no WETH leg (btc-long-2x) with the gas token's own feed (`setGasTokenFeed`: ETH/USD).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { collateralFor, movePairPrice } from "../shared/presets";
import { Action } from "../shared/keeper";
import { plain } from "../shared/structs";
import { nextBlock } from "../security/fixtures";
import { KINDS, acceptAllPending, pushAboveBand, type Kind, type PromiseWorld } from "./worlds";

const WAD = 10n ** 18n;
const GAS_PRICE = 2n * 10n ** 9n; // 2 gwei: the gas cost stays well inside every other bound of the pay

/** Turns keeper pay on (1.2x, caps of `perActionUsd` a chunk), through the timelock, priced by the leg that is WETH if any. */
async function payOn(w: PromiseWorld, perActionUsd = 10_000): Promise<void> {
  const { vault, manager } = w;
  const maxPerAction = await collateralFor(w, perActionUsd);
  if (w.preset.collateral !== "WETH" && w.preset.debt !== "WETH") {
    await (await vault.connect(manager).setGasTokenFeed(w.market.ethUsdFeed.target)).wait();
  }
  await (
    await vault.connect(manager).setKeeperPayConfig({
      multiplierBps: 12_000,
      gasTokenIsDebt: w.preset.debt === "WETH",
      maxGasPrice: 10n ** 12n,
      maxPerAction,
      maxPerDay: maxPerAction * 10n,
    })
  ).wait();
  await acceptAllPending(w);
}

function payTest(kind: Kind) {
  return async function () {
    const w = await loadFixture(kind.fixture);
    const { vault, keeper, market } = w;
    await payOn(w);
    await pushAboveBand(w, 1.02);
    const { needed, action } = await vault.trigger();
    expect(needed, `an action is due (${action})`).to.equal(true);
    const tx = await vault.connect(keeper).rebalance({ gasPrice: GAS_PRICE });
    const receipt = (await tx.wait())!;
    const paid = receipt.logs.map((l) => vault.interface.parseLog(l)).find((e) => e?.name === "KeeperPaid");
    expect(paid, "KeeperPaid emitted").to.not.equal(undefined);
    const [, assets, gasUsed, gasPrice] = paid!.args as unknown as [string, bigint, bigint, bigint];
    expect(gasPrice).to.equal(GAS_PRICE);
    const [collateralPrice] = await vault.oraclePrices();
    const payUsd = (assets * collateralPrice) / 10n ** BigInt(w.decimals.collateral);
    const ethUsd = ((await market.ethUsdFeed.latestAnswer()) as bigint) * 10n ** 10n;
    const gasCostUsd = (gasUsed * gasPrice * ethUsd) / WAD;
    expect(payUsd, `pay $${Number(payUsd) / 1e18} vs gas cost $${Number(gasCostUsd) / 1e18}`).to.be.lte((gasCostUsd * 12n) / 10n + 10n ** 6n);
  };
}

for (const kind of KINDS) {
  describe(`promises, KEEPER-PAY-1: ${kind.label}: a keeper is paid at most 1.2x its gas cost at the oracle price of ETH`, function () {
    it("pay <= 1.2 x (gas used x gas price) x ETH/USD", payTest(kind));
  });
}

for (const kind of KINDS) {
  describe(`promises, KEEPER-PAY-2 / KEEPER-PAY-4 / poke: ${kind.label}`, function () {
    it("with the gas bound far above it, the pay is at most maxPerAction x the debt moved / maxTradeSize (and maxPerAction)", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, keeper } = w;
      await payOn(w, 5);
      await pushAboveBand(w, 1.02);
      const debtBefore = (await vault.position(await nextBlock())).debt;
      const receipt = (await (await vault.connect(keeper).rebalance({ gasPrice: 500n * 10n ** 9n })).wait())!;
      const paid = receipt.logs.map((l) => vault.interface.parseLog(l)).find((e) => e?.name === "KeeperPaid");
      const assets = paid ? (paid.args[1] as bigint) : 0n;
      const repaid = debtBefore - (await vault.position()).debt;
      const { maxPerAction } = await vault.keeperPayConfig();
      const { maxTradeSize, maxEquityLossBps } = await vault.automationConfig();
      expect(repaid).to.be.gt(0n);
      expect(assets, "KEEPER-PAY-4: maxPerAction").to.be.lte(maxPerAction);
      // The work counted is the value traded: the debt repaid grossed up by at most the loss bound.
      const work = (repaid * (10_000n + maxEquityLossBps)) / 10_000n;
      expect(assets, "KEEPER-PAY-2: linear in the work").to.be.lte((maxPerAction * (work < maxTradeSize ? work : maxTradeSize)) / maxTradeSize + 1n);
    });

    it("a poke trades nothing and is paid nothing", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, keeper, manager } = w;
      await payOn(w);
      // A trail added applies at once (ROLE-2); a favourable move of two and a half tenths of it makes the poke due.
      const exits = await vault.exitConfig();
      await (await vault.connect(manager).setExitConfig({ ...plain(exits), trailBps: 200n })).wait();
      await movePairPrice(w, 1.005);
      const { needed, action } = await vault.trigger();
      if (!(needed && action === Action.Poke)) this.skip(); // another action is due at this state for this kind
      const debtBefore = await w.debtOf();
      const receipt = (await (await vault.connect(keeper).rebalance({ gasPrice: GAS_PRICE })).wait())!;
      expect(receipt.logs.map((l) => vault.interface.parseLog(l)?.name)).to.not.include("KeeperPaid");
      expect(await w.debtOf()).to.be.closeTo(debtBefore, debtBefore / 100_000n);
    });

    it("KEEPER-PAY-3 / UNHEALTHY-1 / TRIGGER-1: below a market HF of 1 the due keeper action goes through, raises the HF, and pays nothing", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, keeper } = w;
      await payOn(w);
      const p0 = await vault.position();
      await movePairPrice(w, 0.97 / (Number(p0.healthFactor) / 1e18));
      const before = await vault.position();
      expect(before.healthFactor).to.be.lt(10n ** 18n);
      const { needed, action } = await vault.trigger();
      expect(needed, `TRIGGER-1: an action is announced (${action})`).to.equal(true);
      expect(await vault.connect(keeper).rebalance.staticCall()).to.equal(action);
      const receipt = (await (await vault.connect(keeper).rebalance({ gasPrice: GAS_PRICE })).wait())!;
      expect(receipt.logs.map((l) => vault.interface.parseLog(l)?.name)).to.not.include("KeeperPaid");
      expect((await vault.position()).healthFactor).to.be.gt(before.healthFactor);
    });
  });
}
