import { expect } from "chai";
import { AbiCoder } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keeper3x, Action } from "../shared/keeper";
import { setMarketPrice } from "../shared/market-helpers";
import { recordGas } from "../shared/gas";

describe("keeper interfaces: Chainlink Automation and Gelato", () => {
  it("checkUpkeep reports the action; performUpkeep ignores its data and re-validates", async () => {
    const { vault, market, keeper } = await loadFixture(keeper3x);
    const [idle] = await vault.checkUpkeep("0x");
    expect(idle).to.equal(false);
    await expect(vault.connect(keeper).performUpkeep("0x")).to.be.revertedWithCustomError(vault, "KeeperNothingToDo");

    await setMarketPrice(market, 1850);
    const [needed, performData] = await vault.checkUpkeep("0x");
    expect(needed).to.equal(true);
    expect(AbiCoder.defaultAbiCoder().decode(["uint8"], performData)[0]).to.equal(Action.DeleverBand);
    // Forged performData (claims a re-lever) changes nothing: the vault decides from the oracle.
    const forged = AbiCoder.defaultAbiCoder().encode(["uint8"], [Action.ReleverBand]);
    await expect(recordGas("keeper.performUpkeep deleverBand 3x", vault.connect(keeper).performUpkeep(forged)))
      .to.eventually.be.ok;
    const events = await vault.queryFilter(vault.filters.ActionExecuted());
    expect(events.at(-1)!.args.action).to.equal(Action.DeleverBand);
    expect((await vault.checkUpkeep("0x"))[0]).to.equal(false);
  });

  it("the Gelato checker returns the calldata to send, which a keeper can execute as is", async () => {
    const { vault, market, keeper } = await loadFixture(keeper3x);
    await setMarketPrice(market, 1850);
    const [canExec, payload] = await vault.checker();
    expect(canExec).to.equal(true);
    expect(payload).to.equal(vault.interface.encodeFunctionData("rebalance"));
    await (await keeper.sendTransaction({ to: vault.target, data: payload })).wait();
    expect((await vault.checker())[0]).to.equal(false);
  });

  it("trigger() returns the action and rebalance() calldata, or nothing", async () => {
    const { vault, market } = await loadFixture(keeper3x);
    const quiet = await vault.trigger();
    expect([quiet.needed, quiet.action, quiet.callData]).to.deep.equal([false, Action.None, "0x"]);
    await setMarketPrice(market, 2300);
    const due = await vault.trigger();
    expect([due.needed, due.action]).to.deep.equal([true, Action.ReleverBand]);
  });
});
