/**
 * Optional "liquidity follows the price" model for long replays. deployMarket centres each pool's concentrated
 * Uniswap position on the starting price (range p0/1.5 .. 1.5 p0); after a 50% crash that range is left behind and
 * only the thin full-range position remains, so every swap pays a much larger price impact than at the start.
 * With this model the LP moves its concentrated position, with the same liquidity and the same width in ticks,
 * to be centred on the current price whenever the price has left the middle half of the range: the depth the
 * vaults see then stays what it was at the start. The moves are real NonfungiblePositionManager transactions.
 */
import { Contract, MaxUint256 } from "ethers";
import type { Market } from "../market/market";
import { fullRange } from "../market/price-math";

const MAX_UINT128 = (1n << 128n) - 1n;
const Q96 = 2 ** 96;

interface TrackedPosition {
  pool: Contract;
  /** The pool's tokens, token0 first (the LP mints them to re-centre). */
  tokens: [Contract, Contract];
  fee: number;
  spacing: number;
  tokenId: bigint;
  tickLower: number;
  tickUpper: number;
  liquidity: bigint;
}

export interface LiquidityMove {
  fee: number;
  fromTicks: [number, number];
  toTicks: [number, number];
}

export class LiquidityFollower {
  private constructor(private readonly market: Market, private readonly positions: TrackedPosition[]) {}

  /**
   * Finds the LP's concentrated (not full-range) positions in `pools` (default both WETH/USDC pools), each matched to
   * its pool by tokens and fee (the WBTC/USDC pool shares the 0.3 % tier with WETH/USDC).
   */
  static async create(market: Market, pools: Contract[] = [market.uniPool500, market.uniPool3000]): Promise<LiquidityFollower> {
    const npm = market.positionManager.connect(market.lp) as Contract;
    const keyed = await Promise.all(
      pools.map(async (pool) => ({ pool, key: `${await pool.token0()}/${await pool.token1()}/${await pool.fee()}`.toLowerCase() })),
    );
    const tokens = [market.weth, market.usdc, market.wbtc, market.wsteth];
    const token = (address: string) => tokens.find((t) => (t.target as string).toLowerCase() === address.toLowerCase())!;
    const count = Number(await npm.balanceOf(market.lp.address));
    const tracked: TrackedPosition[] = [];
    for (let i = 0; i < count; i++) {
      const tokenId: bigint = await npm.tokenOfOwnerByIndex(market.lp.address, i);
      const p = await npm.positions(tokenId);
      const fee = Number(p.fee);
      const pool = keyed.find((k) => k.key === `${p.token0}/${p.token1}/${fee}`.toLowerCase())?.pool;
      if (!pool) continue;
      const spacing = Number(await pool.tickSpacing());
      if (Number(p.tickLower) === fullRange(spacing)[0] && Number(p.tickUpper) === fullRange(spacing)[1]) continue;
      tracked.push({ pool, tokens: [token(p.token0), token(p.token1)], fee, spacing, tokenId, tickLower: Number(p.tickLower), tickUpper: Number(p.tickUpper), liquidity: p.liquidity });
    }
    if (tracked.length === 0) throw new Error("no concentrated LP position found to follow the price");
    return new LiquidityFollower(market, tracked);
  }

  /** Re-centres every position whose range the pool price has moved out of the middle half of; returns the moves. */
  async follow(): Promise<LiquidityMove[]> {
    const moves: LiquidityMove[] = [];
    for (const position of this.positions) {
      const { tick, sqrtPriceX96 } = await position.pool.slot0();
      const half = (position.tickUpper - position.tickLower) / 2;
      const centre = position.tickLower + half;
      if (Math.abs(Number(tick) - centre) <= half / 2) continue;
      const from: [number, number] = [position.tickLower, position.tickUpper];
      await this.recentre(position, Number(tick), Number(sqrtPriceX96) / Q96);
      moves.push({ fee: position.fee, fromTicks: from, toTicks: [position.tickLower, position.tickUpper] });
    }
    return moves;
  }

  private async recentre(position: TrackedPosition, tick: number, sqrtPrice: number): Promise<void> {
    const { market } = this;
    const { lp } = market;
    const npm = market.positionManager.connect(lp) as Contract;
    // Withdraw the old range entirely.
    await (
      await npm.decreaseLiquidity({
        tokenId: position.tokenId, liquidity: position.liquidity, amount0Min: 0n, amount1Min: 0n, deadline: MaxUint256,
      })
    ).wait();
    await (await npm.collect({ tokenId: position.tokenId, recipient: lp.address, amount0Max: MAX_UINT128, amount1Max: MAX_UINT128 })).wait();

    // Same width, centred on the current tick, aligned to the spacing.
    const half = Math.round((position.tickUpper - position.tickLower) / 2 / position.spacing) * position.spacing;
    const mid = Math.round(tick / position.spacing) * position.spacing;
    const [tickLower, tickUpper] = [mid - half, mid + half];
    // Token amounts for the same liquidity L at the current price (raw units, token1 per token0), 1% spare.
    const L = Number(position.liquidity);
    const sqrtA = Math.pow(1.0001, tickLower / 2);
    const sqrtB = Math.pow(1.0001, tickUpper / 2);
    const p = Math.min(Math.max(sqrtPrice, sqrtA), sqrtB);
    const amount0 = BigInt(Math.ceil(((L * (sqrtB - p)) / (p * sqrtB)) * 1.01)) + 1n;
    const amount1 = BigInt(Math.ceil(L * (p - sqrtA) * 1.01)) + 1n;
    const [token0, token1] = position.tokens;
    for (const [t, amount] of [[token0, amount0], [token1, amount1]] as const) await (await t["mint(address,uint256)"](lp.address, amount)).wait();
    const receipt = await (
      await npm.mint({
        token0: token0.target, token1: token1.target, fee: position.fee, tickLower, tickUpper,
        amount0Desired: amount0, amount1Desired: amount1, amount0Min: 0n, amount1Min: 0n,
        recipient: lp.address, deadline: MaxUint256,
      })
    ).wait();
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== (npm.target as string).toLowerCase()) continue;
      const parsed = npm.interface.parseLog(log);
      if (parsed?.name === "IncreaseLiquidity") {
        Object.assign(position, { tokenId: parsed.args.tokenId, liquidity: parsed.args.liquidity, tickLower, tickUpper });
        return;
      }
    }
    throw new Error("LP re-centring: no IncreaseLiquidity event");
  }
}
