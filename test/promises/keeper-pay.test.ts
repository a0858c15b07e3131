/**
 * KEEPER-PAY-1 (docs/PROPERTIES.md) on every kind of vault, where test/fees/keeper-pay.test.ts checks it on the 3x
 * WETH/USDC Aave vault: "A keeper is paid at most its gas cost times the multiplier (<= 1.2x): (gas measured from
 * the entry point + 21,000) x min(tx.gasprice, maxGasPrice) x multiplier, converted at the oracle price". The gas
 * token is ETH on every local market; IVaultAutomation.KeeperPayConfig prices it by the debt feed
 * (`gasTokenIsDebt`) or else by the collateral feed, so each kind is configured with the leg that is WETH.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { collateralFor } from "../shared/presets";
import { KINDS, acceptAllPending, pushAboveBand, type Kind, type PromiseWorld } from "./worlds";

const WAD = 10n ** 18n;
const GAS_PRICE = 2n * 10n ** 9n; // 2 gwei: the gas cost stays well inside every other bound of the pay

/** Turns keeper pay on (1.2x, generous caps), through the timelock, priced by the leg that is WETH if any. */
async function payOn(w: PromiseWorld): Promise<void> {
  const { vault, manager } = w;
  const maxPerAction = await collateralFor(w, 10_000);
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
  const name = `promises, KEEPER-PAY-1: ${kind.label}: a keeper is paid at most 1.2x its gas cost at the oracle price of ETH`;
  if (kind.preset.name === "btc-long-2x") {
    /*
     * DEFECT: KEEPER-PAY-1 cannot hold on a vault neither of whose legs is the gas token. btc-long-2x (WBTC collateral,
     * USDC debt) must price ETH gas by the BTC/USD feed (`gasTokenIsDebt = false`, AutomationModule._payKeeper:
     * `value = gas x gasPrice x multiplier x (gasTokenIsDebt ? debtPrice : collateralPrice)`) or by USDC/USD. With the
     * collateral feed a keeper is paid gas x BTC price (30x its cost at $60,000 / $2,000 here) until the loss room or
     * maxPerAction binds; with the debt feed it is paid 1/2000 of it. Expected: pay <= 1.2 x gas x ETH/USD. Seen (un-skipped): pay $83.58
     * for a gas cost of $2.62 (2 gwei), 32x; bounded only by the action's loss room and maxPerAction.
     */
    describe.skip(name, function () {
      it("DEFECT: btc-long-2x pays gas priced as BTC", payTest(kind));
    });
  } else {
    describe(name, function () {
      it("pay <= 1.2 x (gas used x gas price) x ETH/USD", payTest(kind));
    });
  }
}
