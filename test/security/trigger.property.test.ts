/**
 * TRIGGER-1 (docs/PROPERTIES.md) as a fast-check property: through random price moves, pool-only moves, dust and
 * larger donations and time steps, whenever trigger() / checkUpkeep() / checker() say an action is due,
 * rebalance() from the keeper succeeds on that state; whenever they say none is due, rebalance() reverts.
 * Seeded and small (the market is real bytecode); no shrinking, the first counterexample is reported as found.
 */
import fc from "fast-check";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld, type KeeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { advanceTime, fund, movePoolOnly, oraclePriceE8, setMarketPrice, swapPoolTo } from "../shared/market-helpers";
import { MaxUint256 } from "ethers";
import { expectTriggerHonest } from "./helpers";

const MIN_PRICE = 1650n * 10n ** 8n;
const MAX_PRICE = 2450n * 10n ** 8n;

/** Every exit armed: stop at $1,700 into USDC, trailing stop 8%, take-profit at $2,400 down to 2x. */
const armed3x = () =>
  keeperWorld({
    ...PRESET_3X_FIXED, stopLossPrice: 1700, stopToDebtAsset: true, trailBps: 800, takeProfitPrice: 2400, takeProfitLeverage: 2,
  });

const step = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("price" as const), bps: fc.integer({ min: -1000, max: 1000 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant("pool" as const), bps: fc.integer({ min: -250, max: 250 }).filter((b) => b !== 0) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("donate" as const),
      token: fc.constantFrom("WETH", "USDC", "aWETH"),
      exponent: fc.integer({ min: 0, max: 16 }), // 10^exponent raw units (USDC capped at 10^7)
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("time" as const), seconds: fc.integer({ min: 60, max: 7200 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("arbitrage" as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("keeper" as const) }) },
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

async function apply(w: KeeperWorld, s: Step): Promise<string> {
  const { market, vault, stranger } = w;
  switch (s.op) {
    case "price": {
      // Kept within [$1,650, $2,450]: even unmanaged, the 3x position stays above Aave's liquidation there.
      const moved = ((await oraclePriceE8(market)) * BigInt(10_000 + s.bps)) / 10_000n;
      const next = moved < MIN_PRICE ? MIN_PRICE : moved > MAX_PRICE ? MAX_PRICE : moved;
      await setMarketPrice(market, next);
      return `price ${s.bps} bps -> ${Number(next) / 1e8}`;
    }
    case "pool":
      await movePoolOnly(market, s.bps);
      return `pool only ${s.bps} bps`;
    case "donate": {
      if (s.token === "USDC") {
        const amount = 10n ** BigInt(Math.min(s.exponent, 7));
        await fund(market, vault, { usdc: amount });
        return `${amount} raw USDC sent`;
      }
      const amount = 10n ** BigInt(s.exponent);
      if (s.token === "WETH") await fund(market, vault, { weth: amount });
      else {
        await fund(market, stranger.address, { weth: amount });
        await (await market.weth.connect(stranger).getFunction("approve")(market.pool.target, MaxUint256)).wait();
        await (await market.pool.connect(stranger).supply(market.weth.target, amount, vault.target, 0)).wait();
      }
      return `${amount} raw ${s.token} sent`;
    }
    case "time":
      await advanceTime(s.seconds, market);
      return `${s.seconds} s later`;
    case "keeper": {
      // The keeper acts as the bot does: while something is due, at most 3 calls.
      const names: string[] = [];
      for (let call = 0; call < 3; call++) {
        const { needed, name } = await expectTriggerHonest(vault, w.keeper, `keeper call ${call + 1}`);
        if (!needed) break;
        names.push(name);
      }
      return `keeper ran [${names.join(", ")}]`;
    }
    case "arbitrage": {
      const oracle = await oraclePriceE8(market);
      await swapPoolTo(market, market.uniPool500, oracle);
      await swapPoolTo(market, market.uniPool3000, oracle);
      return "pools arbitraged to the oracle";
    }
  }
}

describe("security: TRIGGER-1 property (fast-check)", () => {
  it("what trigger() says is due, rebalance() does; what it says is not, rebalance() refuses", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 8 }), async (steps) => {
        const w = await loadFixture(armed3x);
        const log: string[] = [];
        for (const s of steps) {
          log.push(await apply(w, s));
          // After every step, on that state: what the views say agrees with what rebalance() would do.
          await expectTriggerHonest(w.vault, w.keeper, log.join(" / "), false);
        }
        expect(log.length).to.be.gte(steps.length);
      }),
      { numRuns: 20, seed: 20_240_508, endOnFailure: true },
    );
  });
});
