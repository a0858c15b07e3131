import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { refreshFeeds } from "../shared/market-helpers";
import { funded3x } from "../shared/vault-states";
import { deposit, redeem } from "../shared/vault-helpers";
import type { VaultWorld } from "../shared/vault";

const ETH_HEARTBEAT = 3600n;
const USDC_HEARTBEAT = 86_400n;

/** Every entry point that needs a price: deposit, mint, withdraw, redeem, and the views behind them. */
function priced(w: VaultWorld) {
  const { vault, alice, bob } = w;
  return {
    deposit: () => vault.connect(bob)["deposit(uint256,address)"](parseEther("1"), bob.address),
    mint: () => vault.connect(bob)["mint(uint256,address)"](parseEther("1"), bob.address),
    withdraw: () => vault.connect(alice)["withdraw(uint256,address,address)"](parseEther("1"), alice.address, alice.address),
    redeem: () => vault.connect(alice)["redeem(uint256,address,address)"](parseEther("1"), alice.address, alice.address),
    totalAssets: () => vault.totalAssets(),
    previewDeposit: () => vault.previewDeposit(parseEther("1")),
    previewRedeem: () => vault.previewRedeem(parseEther("1")),
  };
}

async function expectAllRevert(w: VaultWorld, error: string, args: unknown[]) {
  for (const [name, call] of Object.entries(priced(w))) {
    await expect(call(), name)
      .to.be.revertedWithCustomError(w.vault, error)
      .withArgs(...args);
  }
}

async function expectWorksAgain(w: VaultWorld) {
  const out = await deposit(w, w.bob, parseEther("1"));
  expect(out.shares).to.be.gt(0n);
  const back = await redeem(w, w.alice, parseEther("1"));
  expect(back.assets).to.be.gt(0n);
}

describe("vault reverts: oracle", () => {
  it("an ETH/USD answer older than its heartbeat reverts OracleStale(feed, updatedAt, 3600), exits included", async () => {
    const w = await loadFixture(funded3x);
    const feed = w.market.ethUsdFeed;
    const [, , , updatedAt] = await feed.latestRoundData();
    await time.increase(Number(ETH_HEARTBEAT) + 1);

    await expectAllRevert(w, "OracleStale", [feed.target, updatedAt, ETH_HEARTBEAT]);

    await refreshFeeds(w.market);
    await expectWorksAgain(w);
  });

  it("an answer exactly one heartbeat old is accepted, one second more is not", async () => {
    const w = await loadFixture(funded3x);
    const feed = w.market.ethUsdFeed;
    const answer = await feed.latestAnswer();
    const t0 = (await time.latest()) + 10;

    await time.setNextBlockTimestamp(t0);
    await (await feed.setAnswerAt(answer, BigInt(t0 + 1) - ETH_HEARTBEAT)).wait();
    await time.setNextBlockTimestamp(t0 + 1); // the answer is exactly 3600 s old
    const ok = await deposit(w, w.bob, parseEther("1"));
    expect(ok.shares).to.be.gt(0n);

    const stale = BigInt(t0 + 3) - ETH_HEARTBEAT - 1n;
    await time.setNextBlockTimestamp(t0 + 2);
    await (await feed.setAnswerAt(answer, stale)).wait();
    await time.setNextBlockTimestamp(t0 + 3); // 3601 s old
    await expect(w.vault.connect(w.bob)["deposit(uint256,address)"](parseEther("1"), w.bob.address))
      .to.be.revertedWithCustomError(w.vault, "OracleStale")
      .withArgs(feed.target, stale, ETH_HEARTBEAT);
  });

  it("a USDC/USD answer older than its 24 h heartbeat reverts OracleStale(usdcFeed, updatedAt, 86400)", async () => {
    const w = await loadFixture(funded3x);
    const { ethUsdFeed, usdcUsdFeed } = w.market;
    const [, , , updatedAt] = await usdcUsdFeed.latestRoundData();
    await time.increase(Number(USDC_HEARTBEAT) + 1);
    await (await ethUsdFeed.setAnswer(await ethUsdFeed.latestAnswer())).wait(); // ETH fresh, USDC not

    await expectAllRevert(w, "OracleStale", [usdcUsdFeed.target, updatedAt, USDC_HEARTBEAT]);

    await refreshFeeds(w.market);
    await expectWorksAgain(w);
  });

  it("an answer stamped in the future is as untrusted as a stale one: OracleStale", async () => {
    const w = await loadFixture(funded3x);
    const feed = w.market.ethUsdFeed;
    const future = BigInt(await time.latest()) + 600n;
    await (await feed.setAnswerAt(await feed.latestAnswer(), future)).wait();

    await expectAllRevert(w, "OracleStale", [feed.target, future, ETH_HEARTBEAT]);

    await refreshFeeds(w.market);
    await expectWorksAgain(w);
  });

  for (const [label, answer] of [
    ["zero", 0n],
    ["negative", -1n],
  ] as const) {
    it(`a ${label} ETH/USD answer reverts OracleInvalidAnswer(feed, ${answer})`, async () => {
      const w = await loadFixture(funded3x);
      const feed = w.market.ethUsdFeed;
      const good = await feed.latestAnswer();
      await (await feed.setAnswer(answer)).wait();

      await expectAllRevert(w, "OracleInvalidAnswer", [feed.target, answer]);

      await (await feed.setAnswer(good)).wait();
      await expectWorksAgain(w);
    });
  }

  it("a zero USDC/USD answer reverts OracleInvalidAnswer(usdcFeed, 0)", async () => {
    const w = await loadFixture(funded3x);
    const feed = w.market.usdcUsdFeed;
    await (await feed.setAnswer(0n)).wait();
    await expectAllRevert(w, "OracleInvalidAnswer", [feed.target, 0n]);
    await (await feed.setAnswer(10n ** 8n)).wait();
    await expectWorksAgain(w);
  });
});
