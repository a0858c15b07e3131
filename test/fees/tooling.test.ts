import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { refreshFeeds, setMarketPrice } from "../shared/market-helpers";
import { ChangeKind, acceptPending } from "../shared/timelock";
import { keeperWorld } from "../shared/keeper";
import { runTask } from "../shared/tasks";
import { PRESET_3X_FIXED } from "../shared/vault";
import { serviceVault } from "../../scripts/lib/keeper/keeper";
import type { StatusResult } from "../../scripts/lib/vault/status";
import { PAY, switchPayOn } from "./shared";

const plainWorld = () => keeperWorld(PRESET_3X_FIXED);

describe("fee tooling: vault:set-fees, vault:status, the keeper bot's pay vs spend", () => {
  it("vault:set-fees --dry-run sends nothing; then sets the recipient at once and submits the raise (timelocked)", async () => {
    const w = await loadFixture(plainWorld);
    const vault = w.vault.target as string;
    const dry = await runTask("vault:set-fees", { vault, management: "200", performance: "2000", recipient: w.carol.address, dryRun: true });
    expect(dry.output).to.match(/dry run/);
    expect((await w.vault.feeConfig()).recipient).to.equal("0x0000000000000000000000000000000000000000");
    const real = await runTask("vault:set-fees", { vault, management: "200", performance: "2000", recipient: w.carol.address });
    expect(real.output).to.match(/submitted \(timelocked/);
    expect((await w.vault.feeConfig()).recipient).to.equal(w.carol.address);
    expect((await w.vault.pendingChange(ChangeKind.Fees))[1]).to.be.gt(0n);
    const pending = await runTask("vault:pending", { vault });
    expect(pending.output).to.match(/fees: managementFeeBps=200, performanceFeeBps=2000/);
    await acceptPending(w.vault, w.market);
    const lower = await runTask("vault:set-fees", { vault, performance: "1000" });
    expect(lower.output).to.match(/applied at once/);
    expect((await w.vault.feeConfig()).performanceFeeBps).to.equal(1000n);
    await expect(runTask("vault:set-fees", { vault, management: "201" })).to.be.rejectedWith(/--management is above its hard cap of 200 bps/);
  });

  it("vault:status shows the fee settings, what accrued and what is due (exactly what the next accrual mints), and today's keeper budget", async () => {
    const w = await loadFixture(plainWorld);
    const vault = w.vault.target as string;
    await runTask("vault:set-fees", { vault, management: "200", performance: "2000", recipient: w.carol.address });
    await switchPayOn(w.vault, w.market);
    await acceptPending(w.vault, w.market);
    await time.increase(30 * 86_400);
    await setMarketPrice(w.market, 1900);
    await refreshFeeds(w.market);
    await (await w.vault.connect(w.keeper).rebalance()).wait(); // a band deleverage, paid
    const paid = (await w.vault.keeperPayState()).paidToday;
    expect(paid).to.be.gt(0n);
    await time.increase(3600);
    await setMarketPrice(w.market, 2000); // a gain: performance fee due too
    await refreshFeeds(w.market);
    const { result, output } = await runTask<StatusResult>("vault:status", { vault });
    expect(output).to.match(/fees: management 2%\/yr, performance 20% above the fee mark/);
    expect(output).to.match(/fees accrued: recipient holds/);
    expect(output).to.match(/keeper pay: 1.2x gas at most 200 gwei/);
    expect(output).to.match(/budget used today/);
    expect(result.fees!.dueShares).to.be.gt(0n);
    expect(result.keeperPay!.paidToday).to.equal(paid);
    // The estimate is the vault's own formula: the next accrual (one second later) mints it, within a second's fee.
    const before = await w.vault.balanceOf(w.carol.address);
    await (await w.vault.accrueFee()).wait();
    const minted = (await w.vault.balanceOf(w.carol.address)) - before;
    expect(minted).to.be.closeTo(result.fees!.dueShares!, result.fees!.dueShares! / 1_000n + 10n);
  });

  it("the keeper bot logs and returns what each action cost it and what the vault paid it", async () => {
    const w = await loadFixture(plainWorld);
    await switchPayOn(w.vault, w.market);
    await setMarketPrice(w.market, 1900);
    const { action } = await w.vault.trigger();
    const lines: string[] = [];
    const actions = await serviceVault(w.vault, w.keeper, action, { log: (line: string) => lines.push(line) });
    const done = actions.filter((a) => a.ok);
    expect(done.length).to.be.gte(1);
    for (const a of done) {
      expect(a.gasCost).to.be.gt(0n);
      expect(a.paid).to.be.gt(0n);
      expect(a.paid!).to.be.lte((a.gasCost! * BigInt(PAY.multiplierBps)) / 10_000n);
    }
    expect(lines.join("\n")).to.match(/spent 0\.\d+ gas token, paid 0\.\d+ collateral/);
  });
});
