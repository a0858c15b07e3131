/**
 * Fee and keeper-pay actors (issue 21), scripted rather than in the fast-check campaign (whose FAIR-1 bystander check
 * would need the fee in its model): a keeper that shrinks every trade to farm its pay, and a fee recipient that
 * times its own deposits around the accrual.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import { plain } from "../shared/structs";
import { oraclePriceE8, refreshFeeds, setMarketPrice, swapPoolTo } from "../shared/market-helpers";
import { keeperWorld, type KeeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { PAY, managementWorld, switchPayOn } from "./shared";

const BPS = 10_000n;

async function farmingWorld(): Promise<KeeperWorld> {
  const w = await keeperWorld(PRESET_3X_FIXED);
  await (await w.vault.setAutomationConfig({ ...plain(await w.vault.automationConfig()), cooldown: 0, maxTradeSize: 10_000_000_000n })).wait();
  await switchPayOn(w.vault, w.market, { maxPerAction: parseEther("0.002") });
  return w;
}

describe("adversarial fee actors (issue 21)", () => {
  it("KEEPER-PAY-1/2: a keeper calling every block, the pool pushed to the edge, is paid only for announced work, linearly, and loses on gas", async () => {
    const w = await loadFixture(farmingWorld);
    await setMarketPrice(w.market, 1850); // a health deleverage to target, in chunks of maxTradeSize
    const config = await w.vault.automationConfig();
    let paid = 0n;
    let cost = 0n;
    let tradedValue = 0n;
    let done = 0;
    let refused = 0;
    for (const bps of [91, 99, 0, 97, 50, 99, 0, 93, 20, 0, 0, 0]) {
      // The keeper holds the pool `bps` under the oracle against the vault's sale before calling (0: at the oracle).
      const oracle = await oraclePriceE8(w.market);
      await swapPoolTo(w.market, w.market.uniPool500, (oracle * BigInt(10_000 - bps)) / 10_000n);
      await time.increase(12);
      await refreshFeeds(w.market);
      const before = await w.vault.position();
      const balance = BigInt(await w.market.weth.balanceOf(w.keeper.address));
      let receipt;
      try {
        receipt = await (await w.vault.connect(w.keeper).rebalance({ gasPrice: 10_000_000_000n, gasLimit: 3_000_000n })).wait();
      } catch {
        receipt = undefined; // reverted (mined as a failed transaction): the keeper paid its gas for nothing
      }
      const got = BigInt(await w.market.weth.balanceOf(w.keeper.address)) - balance;
      if (!receipt) {
        refused++;
        expect(got, "a refused call pays nothing").to.equal(0n);
        continue;
      }
      done++;
      const traded = before.debtValue - (await w.vault.position()).debtValue;
      const gasCost = receipt.gasUsed * receipt.gasPrice;
      expect(got, "KEEPER-PAY-1").to.be.lte((gasCost * BigInt(PAY.multiplierBps)) / BPS);
      // KEEPER-PAY-2 per call: maxPerAction x traded / maxTradeSize (values in wad USD, debt at $1, 6 decimals).
      const linear = (parseEther("0.002") * traded) / (config.maxTradeSize * 10n ** 12n);
      expect(got, "KEEPER-PAY-2").to.be.lte((linear * 1_000_001n) / 1_000_000n + 1n);
      paid += got;
      cost += gasCost;
      tradedValue += traded;
    }
    expect(done).to.be.gte(2);
    expect(refused).to.be.gte(1);
    expect(paid).to.be.gt(0n);
    expect(paid).to.be.lte((parseEther("0.002") * tradedValue * 1_000_001n) / (config.maxTradeSize * 10n ** 12n * 1_000_000n) + BigInt(done));
    expect(paid).to.be.lt(cost); // at this pay rate farming costs the keeper more gas than it earns
  });

  it("FEE-6: a fee recipient depositing just before the accrual changes nothing it is charged for the time before", async () => {
    // Same world twice from the same snapshot: a month passes; once the recipient deposits first, once not.
    const quiet = await loadFixture(managementWorld);
    await time.increase(30 * 86_400);
    await refreshFeeds(quiet.market);
    const t = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(t);
    await (await quiet.vault.accrueFee()).wait();
    const feeQuiet = await quiet.vault.balanceOf(quiet.carol.address);

    const timed = await loadFixture(managementWorld);
    await time.increase(30 * 86_400);
    await refreshFeeds(timed.market);
    await time.setNextBlockTimestamp(t);
    // carol (the recipient) deposits 50 WETH: the deposit accrues first, at the supply and assets before it.
    const deposited = parseEther("50");
    const balanceBefore = await timed.market.weth.balanceOf(timed.carol.address);
    const receipt = (await (await timed.vault.connect(timed.carol)["deposit(uint256,address)"](deposited, timed.carol.address)).wait())!;
    const shares = receipt.logs
      .map((log) => { try { return timed.vault.interface.parseLog(log); } catch { return null; } })
      .find((e) => e?.name === "Deposit")!.args.shares as bigint;
    const feeTimed = (await timed.vault.balanceOf(timed.carol.address)) - shares;
    expect(feeTimed).to.equal(feeQuiet);
    // And leaving at once returns no more than it put in (it pays its own swaps): no fee captured from itself.
    await (await timed.vault.connect(timed.carol)["redeem(uint256,address,address)"](shares, timed.carol.address, timed.carol.address)).wait();
    expect(BigInt(await timed.market.weth.balanceOf(timed.carol.address))).to.be.lte(BigInt(balanceBefore));
  });
});
